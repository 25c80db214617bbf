// WebGPU in Node through Dawn (the `webgpu` npm package, which ships dawn.node). Dawn reaches
// Vulkan, Metal and D3D12, so NVIDIA, AMD, Intel and Apple GPUs serve without CUDA. In a
// browser `navigator.gpu` exists already; in Node this module installs Dawn's as
// `navigator.gpu`, and the WebGPU constants tfjs reads (GPUBufferUsage, …) as globals, before
// tfjs's webgpu backend is imported (it registers itself only where navigator.gpu exists).

/** What the engine reports about an adapter, and whether it is a CPU emulation. */
export interface WebgpuAdapterSummary {
  readonly name: string;
  readonly software: boolean;
}

interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
}

interface AdapterLike {
  readonly info?: AdapterInfoLike;
  readonly isFallbackAdapter?: boolean;
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<AdapterLike | null>;
}

/**
 * SwiftShader (Chromium's Vulkan on the CPU), llvmpipe and lavapipe (Mesa's) are correct but
 * orders of magnitude slower than the wasm backend: reports say so.
 */
function isSoftwareAdapter(info: AdapterInfoLike, isFallbackAdapter = false): boolean {
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ').toLowerCase();
  return isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|software/.test(text);
}

function adapterName(info: AdapterInfoLike): string {
  const parts = [info.description || info.device, info.vendor, info.architecture].filter((p): p is string => Boolean(p));
  return [...new Set(parts)].join(', ') || 'unnamed adapter';
}

async function installDawn(): Promise<GpuLike> {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  if (nav?.gpu) return nav.gpu;
  // A dynamic import: the package is optional, and loading dawn.node costs a few hundred ms.
  const dawn = (await import('webgpu')) as unknown as { create(flags: string[]): GpuLike; globals: Record<string, unknown> };
  for (const [name, value] of Object.entries(dawn.globals)) if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  const gpu = dawn.create([]);
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  return gpu;
}

/** Finds the adapter tfjs will take (it asks for high performance too) and describes it. */
export async function probeWebgpuAdapter(): Promise<WebgpuAdapterSummary> {
  const gpu = await installDawn();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter: no Vulkan, Metal or D3D12 driver was found');
  const info = adapter.info ?? {};
  return { name: adapterName(info), software: isSoftwareAdapter(info, adapter.isFallbackAdapter) };
}
