// How much memory one piece of work may plan for, judged before it allocates anything. A
// file's header or a registration's parameters can ask for far more than the machine has (a
// 2 MB .nii.gz declaring 2 GB of voxels; a 0.001 mm working grid); refusing from the numbers,
// with a reason, beats an out-of-memory crash or minutes of swapping.

import os from 'node:os';

/**
 * Bytes this process may still allocate: free memory, or what its cgroup's limit leaves if
 * that is less (libuv's uv_get_available_memory reads cgroup v1 and v2 limits).
 */
export function availableMemoryBytes(): number {
  return process.availableMemory?.() ?? os.freemem();
}

/**
 * One loaded image may plan for a quarter of the available memory: the workstation holds a
 * fixed and a moving image (and their labels) at once, and a registration needs several
 * times an image's memory on top.
 */
export const imageShareOfMemory = 1 / 4;

/**
 * A registration may plan for half of it: the images it registers are already loaded, and
 * estimates of tensor memory are rough (tfjs and the wasm heap keep freed memory for reuse).
 */
export const registrationShareOfMemory = 1 / 2;

export function formatBytes(n: number): string {
  if (n >= 1024 ** 5) return `${(n / 1024 ** 4).toExponential(1)} TiB`;
  if (n >= 1024 ** 4) return `${(n / 1024 ** 4).toFixed(1)} TiB`;
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}
