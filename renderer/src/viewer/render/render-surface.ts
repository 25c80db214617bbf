// One view's render window in a container element: the only place that creates and destroys
// vtk.js render windows and the GL context. Every view is a child render window of one hidden
// root that owns the page's only WebGL context (vtk.js "child render windows"): a view renders
// into the root's drawing buffer and copies its picture into its own 2D canvas. Shaders and
// textures live once in that context, so an image shown in several views (three slices and the
// 3D view) is uploaded once. Renders are coalesced to one per frame per view, and a frame draws
// views only until its budget is spent (frame-budget below). Where WebGL is a CPU emulation, a
// view's picture is copied in a later task, once the GPU has drawn it (in-flight below).

// Registers the WebGL implementations of the classes the viewer uses (reslice mapper,
// volume mapper, image slice, renderer, camera).
import '@kitware/vtk.js/Rendering/OpenGL/Profiles/Volume';
import vtkOpenGLRenderWindow from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow';
import vtkRenderWindow from '@kitware/vtk.js/Rendering/Core/RenderWindow';
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer';
import { pendingTextureUploads, slabInTransit, uploadAllPendingTextures, uploadNextSlab } from './texture-upload';

type GLWindow = ReturnType<typeof vtkOpenGLRenderWindow.newInstance>;
type CoreWindow = ReturnType<typeof vtkRenderWindow.newInstance>;

const liveSurfaces = new Set<RenderSurface>();

/** View render windows alive now; tests check this returns to zero after unmounting a viewer. */
export function liveRenderSurfaceCount(): number {
  return liveSurfaces.size;
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

interface Root {
  readonly renderWindow: CoreWindow;
  readonly view: GLWindow;
  users: number;
  /** A pending release, cancelled when a view comes back in the meantime (a layout change). */
  releaseTimer: ReturnType<typeof setTimeout> | 0;
}

let root: Root | null = null;

/**
 * The root window, made with its WebGL context on first use. Its canvas is never in the page:
 * children copy from its drawing buffer, which is valid until the task ends.
 */
function acquireRoot(): Root {
  if (!root) {
    const renderWindow = vtkRenderWindow.newInstance();
    const view = vtkOpenGLRenderWindow.newInstance();
    renderWindow.addView(view);
    view.setSize(1, 1);
    // A picture in flight stays in the drawing buffer until it is copied, in a later task. The
    // context made here first is the one vtk.js gets when it asks the canvas for its own.
    if (softwareRendering())
      (view.getCanvas() as HTMLCanvasElement).getContext('webgl2', { preserveDrawingBuffer: true, depth: true, alpha: true, powerPreference: 'high-performance' });
    // A child initialises itself from its root on its first render: the root must be first.
    view.initialize();
    root = { renderWindow, view, users: 0, releaseTimer: 0 };
  }
  if (root.releaseTimer) {
    clearTimeout(root.releaseTimer);
    root.releaseTimer = 0;
  }
  root.users++;
  return root;
}

/**
 * Gives the context back once no view is left, after the current task: views unmounted and
 * mounted again at once (a layout change) keep their shaders and textures.
 */
function releaseRoot(): void {
  const r = root!;
  if (--r.users > 0 || r.releaseTimer) return;
  r.releaseTimer = setTimeout(() => {
    r.releaseTimer = 0;
    if (r.users > 0) return;
    root = null;
    // getContext is in vtk.js but not in its typings.
    const gl = (r.view as unknown as { getContext(): WebGL2RenderingContext | null }).getContext();
    r.renderWindow.removeView(r.view);
    r.view.delete();
    r.renderWindow.delete();
    // Browsers cap live contexts (16 in Chromium), and garbage collection gives them back late.
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
  }, 0);
}

/** The vtk.js methods for child windows that its typings lack. */
interface ViewTree {
  addMissingNode(renderWindow: CoreWindow): GLWindow;
  removeNode(node: GLWindow): boolean;
  getContext(): WebGL2RenderingContext | null;
}
const tree = (view: GLWindow) => view as unknown as ViewTree;

/**
 * In flight: a view drawn into the root's buffer whose picture is not yet in its canvas.
 * Copying the picture (drawImage of the root's canvas) reads the buffer back, so it waits for
 * the GPU to finish the draw. On a CPU emulation of WebGL that wait is where the time goes: a
 * slice view's first draw after a result was 130–160 ms of it (SwiftShader drawing in the GPU
 * process; a first draw of new layers takes it far longer than later ones), 220–360 ms per view
 * in all, one long task each. There the frame loop ends a view's draw with a fence and copies the
 * picture in a later task, once the fence has signalled: the page answers while the GPU draws.
 * The root's buffer holds one picture at a time, so the next view draws after the copy. A draw
 * outside the frame loop copies its picture at once, as every draw does where WebGL has a GPU:
 * renderNow copies the picture in flight first (waiting if it must), and the 3D view's
 * interactor, which draws on its own, sends the view whose picture it drew over back to the
 * frame loop.
 */
let inFlight: { surface: RenderSurface; fence: WebGLSync | null; copy: () => void } | null = null;
/** How often a picture in flight is asked about: a task of microseconds. */
const IN_FLIGHT_POLL_MS = 2;
let pollTimer: ReturnType<typeof setTimeout> | 0 = 0;

/** Copies the picture in flight into its view's canvas: at once, or (`onlyIfDrawn`) only if the GPU is done. */
function presentInFlight(onlyIfDrawn = false): boolean {
  if (!inFlight) return true;
  const gl = root && tree(root.view).getContext();
  const { fence, copy } = inFlight;
  if (onlyIfDrawn && gl && fence && !gl.isContextLost() && gl.getSyncParameter(fence, gl.SYNC_STATUS) !== gl.SIGNALED) return false;
  dropInFlight();
  copy();
  return true;
}

/**
 * The root's drawing buffer holds the largest view, its size rounded up to a multiple of
 * ROOT_SIZE_STEP pixels. Resizing the canvas reallocates the buffer in the GPU process, and the
 * page waits for it: on a CPU emulation of WebGL, 150–200 ms in the task that took a result in,
 * the GPU being busy with the result's first draws as the layout shifted. So it grows at once
 * when a view needs more, to the step above, but shrinks only once the views have kept their
 * sizes for ROOT_SHRINK_AFTER_MS: a layout that changes and changes back (side-by-side and out)
 * resizes nothing. It does shrink: a view's picture is read back from it, and a buffer kept at
 * its largest (the workstation's views, while Inspect's are half their size) made every copy
 * dearer: Inspect's 22.8 updates/s became 15–19.
 */
const ROOT_SIZE_STEP = 64;
const ROOT_SHRINK_AFTER_MS = 2000;
let shrinkTimer: ReturnType<typeof setTimeout> | 0 = 0;

/** The root's size for the live views: their largest, rounded up to the step. */
function rootSizeNeeded(): [number, number] {
  let [width, height] = [1, 1];
  for (const surface of liveSurfaces) {
    const [w, h] = surface.openGLRenderWindow.getSize();
    width = Math.max(width, w);
    height = Math.max(height, h);
  }
  const step = (n: number) => Math.ceil(n / ROOT_SIZE_STEP) * ROOT_SIZE_STEP;
  return [step(width), step(height)];
}

function setRootSize(width: number, height: number): void {
  const view = root!.view;
  const [w, h] = view.getSize();
  if (w === width && h === height) return;
  // Resizing clears the buffer: a picture in flight is copied out first.
  presentInFlight();
  view.setSize(width, height);
}

function resizeRoot(): void {
  const [needWidth, needHeight] = rootSizeNeeded();
  const [width, height] = root!.view.getSize();
  if (needWidth > width || needHeight > height) setRootSize(Math.max(width, needWidth), Math.max(height, needHeight));
  if (shrinkTimer) clearTimeout(shrinkTimer);
  shrinkTimer = 0;
  if (needWidth < width || needHeight < height)
    shrinkTimer = setTimeout(() => {
      shrinkTimer = 0;
      if (root && liveSurfaces.size > 0) setRootSize(...rootSizeNeeded());
    }, ROOT_SHRINK_AFTER_MS);
}

function dropInFlight(): void {
  const gl = root && tree(root.view).getContext();
  if (gl && inFlight?.fence) gl.deleteSync(inFlight.fence);
  inFlight = null;
}

/**
 * The views waiting to be drawn, in the order they asked. Each animation frame draws them one
 * after another until FRAME_BUDGET_MS is spent, then leaves the rest to the next frame; it
 * always draws at least one. A view's first render after a result makes its new shaders and
 * textures, which on a CPU emulation of WebGL took 0.3–0.6 s per view: drawn in one frame, the
 * four views were one task of 1.4–2.4 s in which the page could not answer. Drawn frame by
 * frame, the page answers between them, and the first view shows first. There, too, a view's
 * picture is left in flight, so the next view draws once it is copied, in the task that sees
 * the GPU done (a poll, every IN_FLIGHT_POLL_MS) rather than in the next frame.
 */
const FRAME_BUDGET_MS = 100;
/**
 * While volumes are uploading (texture-upload.ts) no view draws: the GPU process takes each
 * slab in while the page is idle, instead of inside a view's draw. A slab in transit is asked
 * about as a picture in flight is, and the next goes in the task that sees it taken in.
 */
const waiting = new Set<RenderSurface>();
let frameRequest = 0;

function drawWaitingViews(): void {
  // Called by a frame or by a poll; the other, if asked for, is not needed.
  if (frameRequest) cancelAnimationFrame(frameRequest);
  if (pollTimer) clearTimeout(pollTimer);
  frameRequest = pollTimer = 0;
  if (!presentInFlight(true) || (root && uploadNextSlab(root.view))) {
    scheduleDrawing();
    return;
  }
  const start = performance.now();
  // A snapshot: a view that asks again while being drawn waits for the next frame, as before.
  for (const surface of [...waiting]) {
    if (inFlight || performance.now() - start >= FRAME_BUDGET_MS) break;
    waiting.delete(surface);
    surface.drawInFrame();
  }
  scheduleDrawing();
}

/** A picture or slab in flight is asked about soon; views waiting, or uploads, go in the next frame. */
function scheduleDrawing(): void {
  if (inFlight || slabInTransit()) {
    pollTimer ||= setTimeout(drawWaitingViews, IN_FLIGHT_POLL_MS);
  } else if (waiting.size > 0 || pendingTextureUploads() > 0) {
    frameRequest ||= requestAnimationFrame(drawWaitingViews);
  }
}

/**
 * Interactive resolution, where WebGL is a CPU emulation: a view drawn again within BURST_MS of
 * its last draw (paging, a heatmap following the pointer, a window/level drag) draws at
 * INTERACTIVE_SCALE of its resolution until it has rested REST_MS, then once more at full
 * resolution — as VTK and ParaView lower their render quality while the user interacts. On
 * SwiftShader a slice view's draw and copy scale with its pixels: 12.6 → 5.7 ms for a 290×290
 * view at half resolution. Measured in one session, with and without: paging 26.2 → 47.3
 * frames/s (bench:viewer, which then counted frames, not pictures), Inspect's heatmaps 10.6 → 11.2–11.7 per second (bench:inspect,
 * 1×3). Where WebGL runs on a GPU, views always draw at full resolution.
 */
const INTERACTIVE_SCALE = 0.5;
const BURST_MS = 200;
const REST_MS = 250;

/** Fired at a view's container each time a picture reaches its canvas (benchmarks count them). */
export const PICTURE_EVENT = 'viewpicture';

/** Resolves once every view under `element` that is drawing now has shown its next picture. */
export function picturesShown(element: HTMLElement): Promise<void> {
  const busy = [...element.querySelectorAll<HTMLElement>('[aria-busy="true"]')].filter((e) => e.querySelector('canvas'));
  return Promise.all(busy.map((e) => new Promise((shown) => e.addEventListener(PICTURE_EVENT, shown, { once: true })))).then(() => undefined);
}

export class RenderSurface {
  readonly renderWindow = vtkRenderWindow.newInstance();
  readonly renderer = vtkRenderer.newInstance();
  readonly #root: Root;
  readonly #glWindow: GLWindow;
  #disposed = false;
  #afterRender: (() => void) | null = null;
  #cssSize: [number, number] = [1, 1];
  /** The drawing buffer's resolution as a fraction of the CSS size times the pixel ratio. */
  #scale = 1;
  #lastDraw = -Infinity;
  #restTimer: ReturnType<typeof setTimeout> | 0 = 0;
  /** Set while the frame loop draws this view on a CPU emulation: its picture is left in flight. */
  #leaveInFlight = false;
  readonly #container: HTMLElement;
  /** The canvas's own drawImage, under the one #interceptCopies puts in vtk.js's way. */
  #drawImage: ((...args: unknown[]) => void) | null = null;

  constructor(container: HTMLElement, background: [number, number, number] = [0, 0, 0]) {
    this.#container = container;
    this.#root = acquireRoot();
    this.renderer.setBackground(...background);
    this.renderWindow.addRenderer(this.renderer);
    this.#root.renderWindow.addRenderWindow(this.renderWindow);
    this.#glWindow = tree(this.#root.view).addMissingNode(this.renderWindow);
    this.renderWindow.addView(this.#glWindow);
    this.#glWindow.setContainer(container);
    this.#interceptCopies();
    const canvas = this.canvas;
    canvas.style.display = 'block';
    canvas.style.width = '100%';
    canvas.style.height = '100%';
    liveSurfaces.add(this);
  }

  /** The view's own 2D canvas, holding its last picture. */
  get canvas(): HTMLCanvasElement {
    return this.#glWindow.getCanvas() as HTMLCanvasElement;
  }

  /** The drawing buffer follows the CSS size times the device pixel ratio (times the interactive scale). */
  setSize(cssWidth: number, cssHeight: number): void {
    this.#cssSize = [cssWidth, cssHeight];
    if (this.#applySize()) this.requestRender();
  }

  /** Sizes the drawing buffer; whether its size changed. */
  #applySize(): boolean {
    const pixels = (window.devicePixelRatio || 1) * this.#scale;
    const w = Math.max(1, Math.floor(this.#cssSize[0] * pixels));
    const h = Math.max(1, Math.floor(this.#cssSize[1] * pixels));
    const [cw, ch] = this.#glWindow.getSize();
    if (cw === w && ch === h) return false;
    // Resizing clears this view's canvas. Its picture in flight, drawn at the old size, is
    // dropped rather than waited for (the GPU is busy as the layout changes: copies of 77–103 ms
    // in one task when leaving side-by-side); the draw asked for after a resize replaces it.
    // Another view's picture in flight stays where it is, unless the root is resized.
    if (inFlight?.surface === this) dropInFlight();
    const last = this.#copyOfPicture();
    this.#glWindow.setSize(w, h);
    resizeRoot();
    // Where the next picture comes a few tasks later, the last one stands in, stretched, rather
    // than a black view (a layout change, a burst's change of resolution).
    if (last) this.#drawImage?.call(this.canvas.getContext('2d'), last, 0, 0, w, h);
    return true;
  }

  /** A copy of the view's picture, where pictures are left in flight (a CPU emulation). */
  #copyOfPicture(): HTMLCanvasElement | null {
    const canvas = this.canvas;
    if (!softwareRendering() || canvas.width < 2 || canvas.height < 2) return null;
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    copy.getContext('2d')?.drawImage(canvas, 0, 0);
    return copy;
  }

  /** Before a draw: a burst of draws lowers the resolution; resting restores it (see INTERACTIVE_SCALE). */
  #followInteraction(): void {
    const now = performance.now();
    const burst = now - this.#lastDraw < BURST_MS;
    this.#lastDraw = now;
    if (!burst || !softwareRendering()) return;
    if (this.#scale !== INTERACTIVE_SCALE) {
      this.#scale = INTERACTIVE_SCALE;
      this.#applySize();
    }
    if (this.#restTimer) clearTimeout(this.#restTimer);
    this.#restTimer = setTimeout(() => {
      this.#restTimer = 0;
      this.#scale = 1;
      this.#lastDraw = -Infinity; // the sharp draw is no burst
      if (this.#applySize()) this.requestRender();
    }, REST_MS);
  }

  /** Called after each render; the 3D view's interactor uses it. */
  onAfterRender(callback: (() => void) | null): void {
    this.#afterRender = callback;
  }

  /**
   * Draws the view in a coming frame (frame-budget above); asking again while it waits does
   * nothing. The container is aria-busy until the picture is in the view's canvas.
   */
  requestRender(): void {
    if (this.#disposed) return;
    this.#container.setAttribute('aria-busy', 'true');
    waiting.add(this);
    frameRequest ||= requestAnimationFrame(drawWaitingViews);
  }

  /** The frame loop's draw (drawWaitingViews): at the interactive resolution during a burst. */
  drawInFrame(): void {
    if (this.#disposed) return;
    this.#followInteraction();
    this.#leaveInFlight = softwareRendering();
    try {
      this.#draw();
    } finally {
      this.#leaveInFlight = false;
    }
  }

  /**
   * vtk.js copies a view's picture with its canvas's drawImage (copyParentContent), and its
   * objects are frozen: the copy is taken over on the canvas's 2D context, the one vtk.js gets
   * when it asks the canvas (in-flight above).
   */
  #interceptCopies(): void {
    const context = this.canvas.getContext('2d');
    if (!context) return;
    const drawImage = context.drawImage as (...args: unknown[]) => void;
    this.#drawImage = drawImage;
    Object.defineProperty(context, 'drawImage', {
      configurable: true,
      value: (...args: unknown[]) => {
        const copy = () => {
          if (this.#disposed) return;
          drawImage.apply(context, args);
          if (!waiting.has(this)) this.#container.removeAttribute('aria-busy');
          this.#container.dispatchEvent(new Event(PICTURE_EVENT));
        };
        if (this.#leaveInFlight) {
          const gl = tree(this.#root.view).getContext();
          const fence = gl?.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0) ?? null;
          gl?.flush();
          inFlight = { surface: this, fence, copy };
          return;
        }
        // Drawn over by this draw: that view draws again (a newer picture of this one stands).
        if (inFlight && inFlight.surface !== this) inFlight.surface.requestRender();
        dropInFlight();
        copy();
      },
    });
  }

  /** Draws this view now, at full resolution: screenshots and tests. */
  renderNow(): void {
    if (this.#disposed) return;
    if (this.#restTimer) clearTimeout(this.#restTimer);
    this.#restTimer = 0;
    this.#lastDraw = -Infinity;
    if (this.#scale !== 1) {
      this.#scale = 1;
      this.#applySize();
    }
    this.#draw();
  }

  /** Draws this view only (into the root's buffer, then into its canvas). */
  #draw(): void {
    // A draw outside the frame loop (renderNow) sends whatever textures are pending first, and
    // copies the picture in flight before drawing over it.
    if (!this.#leaveInFlight) presentInFlight();
    uploadAllPendingTextures(this.#root.view);
    this.renderWindow.render();
    this.#afterRender?.();
  }

  get openGLRenderWindow(): GLWindow {
    return this.#glWindow;
  }

  /**
   * Deletes the view's render window; its GPU resources go with its scene-graph nodes (shared
   * textures once no view uses them), and the context with the last view.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    waiting.delete(this);
    if (inFlight?.surface === this) dropInFlight();
    if (this.#restTimer) clearTimeout(this.#restTimer);
    const canvas = this.canvas;
    this.#root.renderWindow.removeRenderWindow(this.renderWindow);
    this.renderWindow.removeRenderer(this.renderer);
    this.renderWindow.removeView(this.#glWindow);
    // Deletes the view node and its subtree (renderer, mapper nodes), which unregister their
    // textures from the root.
    tree(this.#root.view).removeNode(this.#glWindow);
    if (!this.#glWindow.isDeleted()) this.#glWindow.delete();
    this.renderer.delete();
    this.renderWindow.delete();
    canvas.remove();
    liveSurfaces.delete(this);
    if (liveSurfaces.size > 0) resizeRoot();
    releaseRoot();
  }
}
