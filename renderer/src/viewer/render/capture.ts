// Screenshots: one view, or every view of the layout, as a PNG of what the user sees — the
// rendered image and the vector overlay over it (crosshair, letters, markers, measurements).
// WebGL keeps its picture only until the page composites it, so each view renders again and
// is copied in the same task; the overlays follow as SVG images.

export interface CapturableView {
  /** The view's element: its canvas and its overlay are inside. */
  readonly element: HTMLElement;
  /** Draws the view now, so that its canvas holds the picture for this task. */
  renderNow(): void;
}

/** The views that can be captured, registered while mounted. */
export class ViewCaptures {
  readonly #views = new Set<CapturableView>();
  /** The element holding every view of the layout. */
  layoutRoot: HTMLElement | null = null;

  register(view: CapturableView): () => void {
    this.#views.add(view);
    return () => void this.#views.delete(view);
  }

  /** The layout (or one view's element) as a PNG, at the screen's pixel density. */
  async capture(root: HTMLElement): Promise<Blob> {
    const dpr = window.devicePixelRatio || 1;
    const box = root.getBoundingClientRect();
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(box.width * dpr));
    canvas.height = Math.max(1, Math.round(box.height * dpr));
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = getComputedStyle(root).backgroundColor || '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const inside = [...this.#views].filter((v) => root === v.element || root.contains(v.element));
    const place = (element: Element) => {
      const r = element.getBoundingClientRect();
      return [(r.left - box.left) * dpr, (r.top - box.top) * dpr, r.width * dpr, r.height * dpr] as const;
    };
    for (const view of inside) {
      const gl = view.element.querySelector('canvas');
      if (!gl) continue;
      view.renderNow();
      ctx.drawImage(gl, ...place(gl));
    }
    for (const view of inside) {
      const overlay = view.element.querySelector('svg');
      if (overlay) ctx.drawImage(await svgImage(overlay), ...place(overlay));
    }
    return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the browser could not encode the screenshot'))), 'image/png'));
  }
}

/** Presentation properties an SVG image loses without the page's style sheets. */
const carried = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'opacity', 'font-family', 'font-size', 'font-weight', 'paint-order', 'dominant-baseline', 'text-anchor', 'display', 'visibility'];

/** An overlay as a standalone image: each element carries its computed style. */
async function svgImage(svg: SVGSVGElement): Promise<HTMLImageElement> {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const from = [svg, ...svg.querySelectorAll('*')];
  const to = [copy, ...copy.querySelectorAll('*')];
  from.forEach((element, i) => {
    const style = getComputedStyle(element);
    (to[i] as SVGElement).setAttribute('style', carried.map((p) => `${p}:${style.getPropertyValue(p)}`).join(';'));
  });
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(copy)], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    return image;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Hands a file to the browser's download (in Electron, its save dialog). */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `ximorph-axial-20261201-094512.png` */
export function screenshotName(what: string, when = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${when.getFullYear()}${pad(when.getMonth() + 1)}${pad(when.getDate())}-${pad(when.getHours())}${pad(when.getMinutes())}${pad(when.getSeconds())}`;
  return `ximorph-${what}-${stamp}.png`;
}
