// One WebGL render window in a container element: the only place that creates and destroys
// vtk.js render windows and their GL contexts. Renders are coalesced to one per frame.

// Registers the WebGL implementations of the classes the viewer uses (reslice mapper,
// volume mapper, image slice, renderer, camera).
import '@kitware/vtk.js/Rendering/OpenGL/Profiles/Volume';
import vtkOpenGLRenderWindow from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow';
import vtkRenderWindow from '@kitware/vtk.js/Rendering/Core/RenderWindow';
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer';

let liveSurfaces = 0;

/** Render windows alive now; tests check this returns to zero after unmounting a viewer. */
export function liveRenderSurfaceCount(): number {
  return liveSurfaces;
}

let software: boolean | null = null;

/**
 * Whether WebGL runs on a CPU emulation (SwiftShader, llvmpipe), where a volume render takes
 * seconds rather than milliseconds: asked once, of a context made for the question and given
 * back at once (vtk.js makes its own contexts only when it first renders).
 */
export function softwareRendering(): boolean {
  if (software === null) {
    const gl = document.createElement('canvas').getContext('webgl2');
    const info = gl?.getExtension('WEBGL_debug_renderer_info');
    const name = gl ? String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : '';
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
    software = /swiftshader|llvmpipe|softpipe|software/i.test(name);
  }
  return software;
}

export class RenderSurface {
  readonly renderWindow = vtkRenderWindow.newInstance();
  readonly renderer = vtkRenderer.newInstance();
  readonly #glWindow = vtkOpenGLRenderWindow.newInstance();
  #frame = 0;
  #disposed = false;
  #afterRender: (() => void) | null = null;

  constructor(container: HTMLElement, background: [number, number, number] = [0, 0, 0]) {
    this.renderer.setBackground(...background);
    this.renderWindow.addRenderer(this.renderer);
    this.renderWindow.addView(this.#glWindow);
    this.#glWindow.setContainer(container);
    const canvas = this.canvas;
    canvas.style.display = 'block';
    canvas.style.width = '100%';
    canvas.style.height = '100%';
    liveSurfaces++;
  }

  get canvas(): HTMLCanvasElement {
    return this.#glWindow.getCanvas() as HTMLCanvasElement;
  }

  /** The drawing buffer follows the CSS size times the device pixel ratio. */
  setSize(cssWidth: number, cssHeight: number): void {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.floor(cssWidth * dpr));
    const h = Math.max(1, Math.floor(cssHeight * dpr));
    const [cw, ch] = this.#glWindow.getSize();
    if (cw !== w || ch !== h) {
      this.#glWindow.setSize(w, h);
      this.requestRender();
    }
  }

  /** Called after each render; the 3D view's interactor uses it. */
  onAfterRender(callback: (() => void) | null): void {
    this.#afterRender = callback;
  }

  requestRender(): void {
    if (this.#disposed || this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.renderNow();
    });
  }

  renderNow(): void {
    if (this.#disposed) return;
    this.renderWindow.render();
    this.#afterRender?.();
  }

  get openGLRenderWindow(): ReturnType<typeof vtkOpenGLRenderWindow.newInstance> {
    return this.#glWindow;
  }

  /**
   * Deletes the render window and gives its GL context back at once: browsers cap live
   * contexts (16 in Chromium), and garbage collection would give them back too late.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#frame) cancelAnimationFrame(this.#frame);
    const canvas = this.canvas;
    // getContext is in vtk.js but not in its typings.
    const gl = (this.#glWindow as unknown as { getContext?(): WebGL2RenderingContext | null }).getContext?.() ?? null;
    this.renderWindow.removeRenderer(this.renderer);
    this.renderer.delete();
    this.renderWindow.removeView(this.#glWindow);
    this.#glWindow.delete();
    this.renderWindow.delete();
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
    canvas.remove();
    liveSurfaces--;
  }
}
