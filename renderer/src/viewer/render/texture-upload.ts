// Large volumes go to the GPU ahead of their first draw, a slab of slices at a time, each once
// the GPU has taken in the last. Left to vtk.js, a view's first draw of a new image uploads the
// whole volume in one texSubImage3D, and the draw right after it waits while the GPU process
// takes the data in: on a CPU emulation of WebGL (SwiftShader) a 1 mm brain in float32 (28 MB)
// was a 50–110 ms call and then a 74–142 ms draw, in one task, for each image of a result.
// Uploaded in 4 MB slabs, one task each, a slab took 1–28 ms, and a draw a frame later 13–25 ms.
// In the app (bench:viewer, with render-surface.ts's pictures in flight), the longest task
// after a result was 353 ms without this and 113–197 ms with it.
//
// The texture is the one vtk.js would make (same class, same format, same parameters), stored
// where its mappers look for it: the render window's shared resource for the scalars array,
// under the hash they expect (the array's modification time) once every slab is in. Until
// then its hash is one no mapper matches, so a partial texture is never drawn; the frame loop
// (render-surface.ts) draws no view while uploads are pending, so in practice none tries.

import vtkOpenGLTexture from '@kitware/vtk.js/Rendering/OpenGL/Texture';
import type vtkOpenGLRenderWindow from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow';
import type { VtkImage } from './image-data';

type GLWindow = ReturnType<typeof vtkOpenGLRenderWindow.newInstance>;
/** The texture methods used here, some of which vtk.js's typings lack. */
interface Texture {
  setOpenGLRenderWindow(window: GLWindow): void;
  setOglNorm16Ext(extension: unknown): void;
  resetFormatAndType(): void;
  create3DFilterableFromDataArray(options: { width: number; height: number; depth: number; dataArray: unknown }): boolean;
  getHandle(): WebGLTexture | null;
  getOpenGLDataType(): number;
  releaseGraphicsResources(window: GLWindow): void;
  delete(): void;
}
type Scalars = NonNullable<ReturnType<ReturnType<VtkImage['getPointData']>['getScalars']>>;

/** Smaller volumes upload in the draw as before: one slab's worth gains nothing (heatmaps). */
const SLAB_BYTES = 4 * 2 ** 20;

/** The render window's shared-resource methods, which vtk.js's typings lack. */
interface SharedResource {
  oglObject: Texture | null;
  hash: string | null;
}
interface ResourceWindow {
  getContext(): WebGL2RenderingContext | null;
  getGraphicsResourceForObject(object: unknown): SharedResource | undefined;
  setGraphicsResourceForObject(object: unknown, texture: Texture | null, hash: string | null): void;
  registerGraphicsResourceUser(object: unknown, user: unknown): void;
  unregisterGraphicsResourceUser(object: unknown, user: unknown): void;
  isDeleted(): boolean;
}
const resources = (window: GLWindow) => window as unknown as ResourceWindow;

/** vtk.js's key for an image's texture (resourceSharingHelper's getImageDataHash). */
const textureHash = (scalars: Scalars) => `${scalars.getMTime()}`;
const PARTIAL = 'uploading';

interface Upload {
  readonly scalars: Scalars;
  readonly dims: readonly [number, number, number];
  /** Images that asked for it (images sharing their pixels share the scalars). */
  holds: number;
  /** The window the texture lives in, once allocated; the upload is this texture's user there. */
  window: GLWindow | null;
  texture: Texture | null;
  /** The values as uploaded: the pixels, or float32 where WebGL cannot filter 16-bit integers. */
  asFloat: boolean;
  nextSlice: number;
}

const uploads = new Map<Scalars, Upload>();
/** The root window every view draws through, as last seen by uploadPendingTextures. */
let sharedWindow: GLWindow | null = null;
/** The users keepTextureFor registers, by array. */
const keepers = new Map<Scalars, { readonly window: GLWindow; readonly timer: ReturnType<typeof setTimeout> }>();
/** Uploads with slices still to send, oldest first. */
const pending: Upload[] = [];

/** The bytes of a volume's values (its texture's size, but for 16-bit values sent as float). */
export function textureBytes(data: VtkImage): number {
  const values = data.getPointData().getScalars()?.getData() as (ArrayLike<number> & { BYTES_PER_ELEMENT?: number }) | undefined;
  return values ? values.length * (values.BYTES_PER_ELEMENT ?? 8) : 0;
}

/** Asks for a volume's texture ahead of its first draw; one call per holder, undone by releasePreloadedTexture. */
export function preloadTexture(data: VtkImage): void {
  const scalars = data.getPointData().getScalars();
  if (!scalars || scalars.getNumberOfComponents() !== 1) return;
  if (textureBytes(data) < 2 * SLAB_BYTES) return;
  let upload = uploads.get(scalars);
  if (!upload) {
    const [w, h, d] = data.getDimensions();
    upload = { scalars, dims: [w, h, d], holds: 0, window: null, texture: null, asFloat: false, nextSlice: 0 };
    uploads.set(scalars, upload);
    pending.push(upload);
  }
  upload.holds++;
}

export function releasePreloadedTexture(data: VtkImage): void {
  const scalars = data.getPointData().getScalars();
  const upload = scalars && uploads.get(scalars);
  if (!upload || --upload.holds > 0) return;
  uploads.delete(scalars);
  removePending(upload);
  // The texture goes when its last user does: the views' mappers, or this upload alone.
  if (upload.window && !upload.window.isDeleted()) resources(upload.window).unregisterGraphicsResourceUser(scalars, upload);
}

/**
 * Holds a volume's texture, if it has one, for `ms` or until letGoOfKeptTexture: a texture
 * goes with its last user, and the views about to draw the volume again (image-data.ts's
 * lingering) register as users only in their first draw.
 */
export function keepTextureFor(data: VtkImage, ms: number): void {
  const scalars = data.getPointData().getScalars();
  const window = sharedWindow;
  if (!scalars || !window || window.isDeleted() || keepers.has(scalars)) return;
  if (!resources(window).getGraphicsResourceForObject(scalars)?.oglObject) return;
  const keeper = { window, timer: setTimeout(() => letGoOfKeptTexture(data), ms) };
  resources(window).registerGraphicsResourceUser(scalars, keeper);
  keepers.set(scalars, keeper);
}

export function letGoOfKeptTexture(data: VtkImage): void {
  const scalars = data.getPointData().getScalars();
  const keeper = scalars && keepers.get(scalars);
  if (!keeper) return;
  keepers.delete(scalars);
  clearTimeout(keeper.timer);
  if (!keeper.window.isDeleted()) resources(keeper.window).unregisterGraphicsResourceUser(scalars, keeper);
}

/** Textures with slices still to upload: the frame loop keeps going while there are any. */
export function pendingTextureUploads(): number {
  return pending.length;
}

function removePending(upload: Upload): void {
  const at = pending.indexOf(upload);
  if (at >= 0) pending.splice(at, 1);
}

/**
 * The GPU's receipt of the slab the frame loop sent last. A texSubImage3D waits, inside the
 * page's task, until the GPU process has taken in whatever was sent before it and is busy with:
 * a slab sent while the GPU drew or compiled a view's shaders after a result was a call of 100–
 * 155 ms (SwiftShader), with the page frozen; so was a second or third slab sent in the same
 * task as the first (up to 120 ms, when a frame sent slabs for 40 ms). The frame loop sends one
 * slab at a time, and the next only once this has signalled, so it never waits for the GPU.
 */
let slabReceived: { readonly gl: WebGL2RenderingContext; readonly sync: WebGLSync | null } | null = null;

/** Whether the slab sent last is still being taken in (the sync is let go of once it is). */
export function slabInTransit(): boolean {
  if (!slabReceived) return false;
  const { gl, sync } = slabReceived;
  // A sync of a context given back since (every view had closed) says nothing of the next one.
  const current = !gl.isContextLost() && sync;
  if (current && gl.getSyncParameter(sync, gl.SYNC_STATUS) !== gl.SIGNALED) return true;
  if (current) gl.deleteSync(sync);
  slabReceived = null;
  return false;
}

/**
 * The frame loop's upload: one slab of the oldest volume still to upload, into `window`'s
 * context (the root that every view shares), unless the last one is still in transit. Whether
 * the uploads take this turn (a slab was sent, or the last is in transit): views then wait.
 */
export function uploadNextSlab(window: GLWindow): boolean {
  sharedWindow = window;
  const gl = resources(window).getContext();
  if (pending.length === 0 || !gl) return false;
  if (slabInTransit()) return true;
  if (!sendNextSlab(window)) return false;
  slabReceived = { gl, sync: gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0) };
  gl.flush();
  return true;
}

/** Everything still to upload, now: a draw outside the frame loop (screenshots, tests). */
export function uploadAllPendingTextures(window: GLWindow): void {
  sharedWindow = window;
  if (!resources(window).getContext()) return;
  while (sendNextSlab(window));
}

/** Sends the next slab, oldest volume first; false when there was none to send. */
function sendNextSlab(window: GLWindow): boolean {
  while (pending.length > 0) {
    const upload = pending[0];
    if (!prepare(upload, window)) {
      pending.shift();
      continue;
    }
    sendSlab(upload);
    if (upload.nextSlice >= upload.dims[2]) {
      pending.shift();
      // The mappers' key: from now on they draw with this texture instead of making one.
      resources(window).getGraphicsResourceForObject(upload.scalars)!.hash = textureHash(upload.scalars);
    }
    return true;
  }
  return false;
}

/** Ready to send the next slab into `window`; false when there is nothing (left) to do. */
function prepare(upload: Upload, window: GLWindow): boolean {
  const shared = resources(window);
  if (upload.window !== window) {
    // A new root (every view had closed): start again there.
    upload.window = null;
    upload.texture = null;
    upload.nextSlice = 0;
  }
  if (upload.texture) {
    // A mapper drew before the last slab and made its own (the 3D view's interactor draws on
    // its own, outside the frame loop that waits for uploads): it stands.
    return shared.getGraphicsResourceForObject(upload.scalars)?.oglObject === upload.texture;
  }
  const existing = shared.getGraphicsResourceForObject(upload.scalars);
  if (existing?.oglObject?.getHandle() && existing.hash === textureHash(upload.scalars)) {
    // Made already (the image was shown, let go of and taken up again, as when side-by-side
    // moves the moving image to a pane of its own): held from here, or it would go with the
    // last view that drew it, and the next view would make it again in its draw (220 ms).
    upload.window = window;
    shared.registerGraphicsResourceUser(upload.scalars, upload);
    return false;
  }
  const made = allocate(upload, window);
  if (!made) return false;
  upload.window = window;
  upload.texture = made.texture;
  upload.asFloat = made.asFloat;
  shared.setGraphicsResourceForObject(upload.scalars, made.texture, PARTIAL);
  shared.registerGraphicsResourceUser(upload.scalars, upload);
  return true;
}

/**
 * Makes the texture as vtk.js's image mappers would (ImageResliceMapper, VolumeMapper:
 * create3DFilterableFromDataArray), with storage but no values: the array passed in has the
 * scalars' type and range and no data. Null where the values would need a conversion this
 * module does not repeat (half floats), which leaves the upload to the mapper.
 */
function allocate(upload: Upload, window: GLWindow): { texture: Texture; asFloat: boolean } | null {
  const gl = resources(window).getContext();
  if (!gl) return null;
  const { scalars, dims } = upload;
  const norm16 = gl.getExtension('EXT_texture_norm16');
  const type = scalars.getDataType() as string;
  const sixteenBit = type === 'Int16Array' || type === 'Uint16Array';
  // Without normalized 16-bit textures vtk.js sends 16-bit integers as float32, unscaled.
  const asFloat = sixteenBit && !norm16;
  const glType: Record<string, number> = {
    Float32Array: gl.FLOAT,
    Uint8Array: gl.UNSIGNED_BYTE,
    Int16Array: norm16 ? gl.SHORT : gl.FLOAT,
    Uint16Array: norm16 ? gl.UNSIGNED_SHORT : gl.FLOAT,
  };
  if (!(type in glType)) return null;
  const texture = vtkOpenGLTexture.newInstance() as unknown as Texture;
  texture.setOpenGLRenderWindow(window);
  texture.setOglNorm16Ext(norm16);
  texture.resetFormatAndType();
  const range = scalars.getRange(0);
  const storageOnly = {
    getNumberOfComponents: () => 1,
    getDataType: () => (asFloat ? 'Float32Array' : type),
    getData: () => null,
    getRange: () => range,
  };
  const [width, height, depth] = dims;
  texture.create3DFilterableFromDataArray({ width, height, depth, dataArray: storageOnly });
  if (!texture.getHandle() || texture.getOpenGLDataType() !== glType[type]) {
    texture.releaseGraphicsResources(window);
    texture.delete();
    return null;
  }
  return { texture, asFloat };
}

/** One slab of whole slices, about SLAB_BYTES, straight into the texture's storage. */
function sendSlab(upload: Upload): void {
  const gl = resources(upload.window!).getContext()!;
  const [w, h, d] = upload.dims;
  const values = upload.scalars.getData() as Float32Array | Uint8Array | Int16Array | Uint16Array;
  const bytesPerSlice = w * h * (upload.asFloat ? 4 : values.BYTES_PER_ELEMENT);
  const z0 = upload.nextSlice;
  const z1 = Math.min(d, z0 + Math.max(1, Math.floor(SLAB_BYTES / bytesPerSlice)));
  const slab = values.subarray(z0 * w * h, z1 * w * h);
  const bound = gl.getParameter(gl.TEXTURE_BINDING_3D) as WebGLTexture | null;
  gl.bindTexture(gl.TEXTURE_3D, upload.texture!.getHandle());
  gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
  const glType = upload.texture!.getOpenGLDataType();
  gl.texSubImage3D(gl.TEXTURE_3D, 0, 0, 0, z0, w, h, z1 - z0, gl.RED, glType, upload.asFloat ? Float32Array.from(slab) : slab);
  // vtk.js binds a texture whenever it activates one; put back what it left here anyway.
  gl.bindTexture(gl.TEXTURE_3D, bound);
  upload.nextSlice = z1;
}
