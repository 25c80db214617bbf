// Custom tfjs kernels written as plain loops over the backend's own buffers. On this kind of
// machine a trilinear warp composed of eight tf.gather calls costs 50× a single typed-array loop
// (see the shared README), so the hot operations get kernels for the two backends whose memory
// JavaScript can read directly: 'cpu' (JS arrays) and 'wasm' (views into the wasm heap). Other
// backends (native TensorFlow, WebGL) run each op's composite of built-in ops instead.

import * as tf from '@tensorflow/tfjs-core';

/** Backends whose tensor memory a JavaScript loop can read and write without a copy. */
export const typedArrayBackends = ['cpu', 'wasm'] as const;

export interface TypedArrayKernel<Attrs> {
  readonly kernelName: string;
  /** Input names, in the order `compute` receives them. */
  readonly inputNames: readonly string[];
  outputShape(inputShapes: readonly (readonly number[])[], attrs: Attrs): number[];
  /** Must write every output element (wasm outputs start uninitialized). */
  compute(inputs: readonly Float32Array[], inputShapes: readonly (readonly number[])[], output: Float32Array, attrs: Attrs): void;
}

interface CpuBackendLike {
  data: { get(dataId: tf.DataId): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

/** A float32 tensor's values where a typed-array backend keeps them: no copy (a view, on wasm). */
function valuesInBackend(backendName: (typeof typedArrayBackends)[number], backend: unknown, info: tf.TensorInfo): Float32Array {
  return backendName === 'cpu' ? ((backend as CpuBackendLike).data.get(info.dataId).values as Float32Array) : (backend as WasmBackendLike).typedArrayFromHeap(info);
}

function checkFloat(info: tf.TensorInfo, kernelName: string, name: string): void {
  if (info.dtype !== 'float32') throw new Error(`${kernelName}: input ${name} must be float32, got ${info.dtype}`);
}

/** Registers the kernel for every typed-array backend (once; later calls are no-ops). */
export function registerTypedArrayKernel<Attrs>(kernel: TypedArrayKernel<Attrs>): void {
  for (const backendName of typedArrayBackends) {
    if (tf.getKernel(kernel.kernelName, backendName)) continue;
    tf.registerKernel({
      kernelName: kernel.kernelName,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const infos = kernel.inputNames.map((name) => {
          const info = inputs[name];
          if (!info) throw new Error(`${kernel.kernelName}: missing input ${name}`);
          checkFloat(info, kernel.kernelName, name);
          return info;
        });
        const shapes = infos.map((i) => i.shape);
        const shape = kernel.outputShape(shapes, attrs as unknown as Attrs);
        if (backendName === 'cpu') {
          const cpu = backend as unknown as CpuBackendLike;
          const arrays = infos.map((i) => valuesInBackend('cpu', backend, i));
          const output = new Float32Array(shape.reduce((a, b) => a * b, 1));
          kernel.compute(arrays, shapes, output, attrs as unknown as Attrs);
          return cpu.makeTensorInfo(shape, 'float32', output);
        }
        const wasm = backend as unknown as WasmBackendLike;
        // Allocate first: growing the heap detaches views taken before.
        const out = wasm.makeOutput(shape, 'float32');
        const arrays = infos.map((i) => valuesInBackend('wasm', backend, i));
        kernel.compute(arrays, shapes, wasm.typedArrayFromHeap(out), attrs as unknown as Attrs);
        return out;
      },
    });
  }
}

/** True where `kernelName` has a typed-array implementation for the active backend. */
export function hasTypedArrayKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

export function runTypedArrayKernel<Attrs extends object>(kernelName: string, inputs: tf.NamedTensorMap, attrs: Attrs): tf.Tensor {
  return tf.engine().runKernel(kernelName, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** Where tensor values are copied to: any typed array (integer targets convert as `set` does). */
interface CopyTarget {
  set(values: ArrayLike<number>, offset: number): void;
}

/** The active backend, when it is one whose tensor memory JavaScript reads directly. */
export function activeTypedArrayBackend(): (typeof typedArrayBackends)[number] | undefined {
  const backendName = tf.getBackend();
  return typedArrayBackends.find((b) => b === backendName);
}

/**
 * Copies a float32 tensor's values into `target` from `offset` on. On the typed-array backends
 * straight from the backend's memory: data() would first copy them into an array of their own,
 * which at full resolution is megabytes of garbage per slab, and the allocator keeps much of
 * such churn resident. Elsewhere (GPU, native) through data(), asynchronously.
 */
export async function copyTensorInto(t: tf.Tensor, target: CopyTarget, offset: number): Promise<void> {
  const direct = t.dtype === 'float32' && activeTypedArrayBackend();
  target.set(direct ? valuesInBackend(direct, tf.backend(), t) : ((await t.data()) as Float32Array), offset);
}
