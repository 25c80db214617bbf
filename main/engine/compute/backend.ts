// Chooses the tfjs backend at run time. Preference order: native TensorFlow with a GPU (CUDA),
// native TensorFlow on the CPU, WebAssembly (XNNPACK, SIMD), plain JavaScript. WebGPU (Dawn:
// Vulkan, Metal, D3D12, no CUDA) runs when named: measured on an H200 it registers a 2 mm brain
// pair correctly but in 8–9 s against wasm's 6.4 s on one core of the same machine, since tfjs
// spends about 110 µs of host time per dispatch (bench/README.md). It joins 'auto' once it wins.
// The native packages are optional dependencies whose binary download may have failed, so each
// is tried and the reason a candidate was skipped is kept: every report names the backend and
// why the better ones were not used.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import path from 'node:path';

export const backendNames = ['tensorflow-gpu', 'webgpu', 'tensorflow-cpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];

/**
 * What 'auto' tries, best first (see the top of this file for why WebGPU is not among them).
 * Every one reads tensors synchronously, which synchronousPreference relies on.
 */
const automaticOrder: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow-cpu', 'wasm', 'cpu'];
export type BackendPreference = BackendName | 'auto';

export interface BackendAttempt {
  readonly name: BackendName;
  readonly reason: string;
}

export interface BackendInfo {
  /** What the user sees: which engine computes. */
  readonly name: BackendName;
  /** The tfjs backend name ('tensorflow', 'webgpu', 'wasm', 'cpu'). */
  readonly tfjsBackend: string;
  /** Hardware details: GPU, SIMD, thread count. */
  readonly detail: string;
  /** Better candidates that were tried first, and why each failed. */
  readonly fallbacks: readonly BackendAttempt[];
}

const require = createRequire(import.meta.url);

async function tryTensorflow(packageName: string, wantGpu: boolean): Promise<string> {
  // A dynamic import so that a missing optional package costs nothing but this attempt.
  await import(packageName);
  if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialize');
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
  if (wantGpu && !backend.isUsingGpuDevice) throw new Error('libtensorflow loaded, but no GPU device is visible');
  return wantGpu ? 'CUDA GPU' : 'native CPU (multithreaded)';
}

async function tryWasm(): Promise<string> {
  // Emscripten's Node glue adds process-wide handlers that rethrow every uncaught error and
  // print the whole module source; the engine has its own error handling, so remove them.
  const before = { exception: process.listeners('uncaughtException'), rejection: process.listeners('unhandledRejection') };
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // In Node the .wasm binaries are read from the package's dist folder, not fetched; a
  // self-contained build (scripts/build-portable.mjs) keeps them beside itself instead.
  const dist = process.env.XIMORPH_TFJS_WASM_DIR
    ? path.resolve(process.env.XIMORPH_TFJS_WASM_DIR) + path.sep
    : path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
  wasm.setWasmPaths(dist);
  const ready = await tf.setBackend('wasm');
  for (const l of process.listeners('uncaughtException')) if (!before.exception.includes(l)) process.off('uncaughtException', l);
  for (const l of process.listeners('unhandledRejection')) if (!before.rejection.includes(l)) process.off('unhandledRejection', l);
  if (!ready) throw new Error('the wasm backend did not initialize');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = wasm.getThreadsCount();
  return `XNNPACK, ${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}`;
}

/**
 * WebGPU, when named. A CPU emulation such as SwiftShader is taken too (the tests use it: it is
 * correct, though far slower than wasm), and named as such in the report.
 */
async function tryWebgpu(): Promise<string> {
  const { probeWebgpuAdapter } = await import('./webgpu-adapter');
  const adapter = await probeWebgpuAdapter();
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend did not initialize');
  (await import('./webgpu-grid-sample')).registerWebgpuGridSampleKernels();
  return adapter.software ? `${adapter.name} (software emulation)` : adapter.name;
}

async function tryCpu(): Promise<string> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialize');
  return 'plain JavaScript';
}

const candidates: Record<BackendName, { tfjsBackend: string; init: () => Promise<string> }> = {
  'tensorflow-gpu': { tfjsBackend: 'tensorflow', init: () => tryTensorflow('@tensorflow/tfjs-node-gpu', true) },
  webgpu: { tfjsBackend: 'webgpu', init: tryWebgpu },
  'tensorflow-cpu': { tfjsBackend: 'tensorflow', init: () => tryTensorflow('@tensorflow/tfjs-node', false) },
  wasm: { tfjsBackend: 'wasm', init: tryWasm },
  cpu: { tfjsBackend: 'cpu', init: tryCpu },
};

let current: { preference: BackendPreference; info: BackendInfo } | undefined;

/**
 * tfjs-core ships its gradient functions only as extensionless ES modules that Node cannot
 * load; the '@tensorflow/tfjs' union package (which tfjs-node itself depends on) registers all
 * of them. Registration is global, so whichever copy does it serves every backend. The build
 * (scripts/build.mjs) turns this import into tfjs-core's own gradient module, bundled: the
 * union also loads tfjs-layers, -converter, -data and WebGL (180 ms and 19 MiB a thread).
 */
async function ensureGradientsRegistered(): Promise<void> {
  if (tf.getGradient('Sum')) return;
  await import('@tensorflow/tfjs');
  if (!tf.getGradient('Sum')) throw new Error('tfjs gradients are not registered; the @tensorflow/tfjs package is needed');
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0];
  if (/Cannot find (package|module)/.test(firstLine)) return 'package not installed';
  return firstLine.slice(0, 200);
}

/**
 * Whether `backend` (a name of ours or tfjs's; the active one by default) cannot read a tensor
 * back synchronously (dataSync): WebGPU, whose memory is a GPU's, in Node.
 */
export function readsBackAsynchronously(backend: string = tf.getBackend()): boolean {
  return backend === 'webgpu';
}

/**
 * The backend for code that reads tensors synchronously (the trainer's gradient threads): the
 * given one where it can, else the best that can ('auto' takes only such backends).
 */
export function synchronousPreference(preference: string): BackendPreference {
  return readsBackAsynchronously(preference) ? 'auto' : (preference as BackendPreference);
}

/**
 * Initializes and activates a backend. With 'auto' the best one that works wins; naming a
 * backend forces it (and fails if it cannot start). Idempotent for the same preference.
 */
export async function selectComputeBackend(preference: BackendPreference = 'auto'): Promise<BackendInfo> {
  if (current && (current.preference === preference || preference === 'auto' || preference === current.info.name)) {
    if (tf.getBackend() === current.info.tfjsBackend) return current.info;
  }
  await ensureGradientsRegistered();
  // Production mode: no debug checks, and no console banner suggesting tfjs-node (the engine
  // reports its backend itself).
  tf.enableProdMode();
  const order: readonly BackendName[] = preference === 'auto' ? automaticOrder : [preference];
  const fallbacks: BackendAttempt[] = [];
  for (const name of order) {
    try {
      const detail = await candidates[name].init();
      const info: BackendInfo = { name, tfjsBackend: candidates[name].tfjsBackend, detail, fallbacks };
      current = { preference, info };
      return info;
    } catch (error) {
      fallbacks.push({ name, reason: reasonOf(error) });
    }
  }
  const tried = fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ');
  throw new Error(`no compute backend could start (${tried})`);
}
