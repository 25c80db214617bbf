// The grid-sampling kernels in WGSL, for the webgpu backend: the same three operations as the
// typed-array loops (grid-sampling-loops.ts), with the same border rules, each one dispatch.
// Built from tfjs's ops, one trilinear sample with its gradient is some 100 dispatches, and
// tfjs's per-dispatch cost on the host (about 110 µs measured on an H200 through Dawn) then
// bounds a registration, not the GPU.
//
// Registered once the webgpu backend is running. This module must not import tfjs's webgpu
// package: a bundle hoists static imports to its start, and the package registers its backend
// at import only where navigator.gpu already exists (webgpu-adapter.ts installs it first).

import * as tf from '@tensorflow/tfjs-core';
import type { GridShape, Interpolation, Padding } from './grid-sampling-loops';
import { gridShapeOf } from './grid-sampling-loops';
import { GRID_SAMPLE_KERNELS } from './grid-sample';

interface SampleAttrs {
  padding: Padding;
  interpolation: Interpolation;
}

type UniformData = { type: 'int32' | 'float32'; data: number[] }[];

interface WebgpuBackendLike {
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: UniformData, output?: tf.TensorInfo): tf.TensorInfo;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/**
 * Flat invocations, one per output element unless `invocations` says otherwise: tfjs folds a
 * long X dispatch into Y and Z itself.
 */
abstract class FlatProgram {
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly size = true;
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  shaderKey: string;
  abstract readonly variableNames: string[];
  readonly uniforms = 'nx : i32, ny : i32, nz : i32, channels : i32,';

  constructor(
    readonly outputShape: number[],
    key: string,
    invocations = outputShape.reduce((a, b) => a * b, 1),
  ) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [Math.ceil(invocations / this.workgroupSize[0]), 1, 1];
    this.shaderKey = key;
  }

  abstract getUserCode(): string;
}

/**
 * WGSL that reads point `p` into x, y, z, applies the padding rule (returning `outside` for a
 * point that reads as zero), and sets the clamped corner indices (voxel units) and fractions.
 * `gradientMasks` also sets gx, gy, gz: 0 on an axis that 'border' clamped.
 */
function cornersSnippet(d: number, padding: Padding, outside: string, gradientMasks = false): string {
  const z = d === 3 ? `points[p * 3 + 2]` : '0.0';
  const read = `var x = points[p * ${d}]; var y = points[p * ${d} + 1]; var z = ${z};
      let nxf = f32(uniforms.nx); let nyf = f32(uniforms.ny); let nzf = f32(uniforms.nz);
      var gx = 1.0; var gy = 1.0; var gz = 1.0;`;
  const rule =
    padding === 'zeros'
      ? `if (!(x >= -0.5 && x <= nxf - 0.5 && y >= -0.5 && y <= nyf - 0.5 && z >= -0.5 && z <= nzf - 0.5)) { ${outside} }`
      : `if (isNanBits(x) || isNanBits(y) || isNanBits(z)) { ${outside} }
      ${gradientMasks ? `if (!(x > 0.0 && x < nxf - 1.0)) { gx = 0.0; }
      if (!(y > 0.0 && y < nyf - 1.0)) { gy = 0.0; }
      if (!(z > 0.0 && z < nzf - 1.0)) { gz = 0.0; }` : ''}
      x = clamp(x, 0.0, nxf - 1.0); y = clamp(y, 0.0, nyf - 1.0); z = clamp(z, 0.0, nzf - 1.0);`;
  return `${read}
      ${rule}
      let xf = floor(x); let yf = floor(y); let zf = floor(z);
      let fx = x - xf; let fy = y - yf; let fz = z - zf;
      let xi = i32(xf); let yi = i32(yf); let zi = i32(zf);
      let x0 = max(xi, 0); let x1 = min(xi + 1, uniforms.nx - 1);
      let y0 = max(yi, 0); let y1 = min(yi + 1, uniforms.ny - 1);
      let z0 = max(zi, 0); let z1 = min(zi + 1, uniforms.nz - 1);`;
}

/**
 * Flat index of voxel (x, y, z), channel c, in the x-fastest, channels-interleaved image; and
 * a NaN test on the bits (shader compilers may fold `v != v` to false).
 */
const voxelIndex = `fn voxelIndex(x : i32, y : i32, z : i32, c : i32) -> i32 {
      return ((z * uniforms.ny + y) * uniforms.nx + x) * uniforms.channels + c;
    }
    fn isNanBits(v : f32) -> bool {
      let b = bitcast<u32>(v);
      return (b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0u;
    }`;

class SampleProgram extends FlatProgram {
  readonly variableNames = ['image', 'points'];

  constructor(
    points: number,
    readonly grid: GridShape,
    readonly a: SampleAttrs,
  ) {
    super([points, grid.channels], `xiGridSample_${grid.dimension}_${a.padding}_${a.interpolation}`);
  }

  getUserCode(): string {
    const value =
      this.a.interpolation === 'nearest'
        ? `value = image[voxelIndex(select(x1, x0, fx < 0.5), select(y1, y0, fy < 0.5), select(z1, z0, fz < 0.5), c)];`
        : `let i00 = mix(image[voxelIndex(x0, y0, z0, c)], image[voxelIndex(x1, y0, z0, c)], fx);
      let i10 = mix(image[voxelIndex(x0, y1, z0, c)], image[voxelIndex(x1, y1, z0, c)], fx);
      let i01 = mix(image[voxelIndex(x0, y0, z1, c)], image[voxelIndex(x1, y0, z1, c)], fx);
      let i11 = mix(image[voxelIndex(x0, y1, z1, c)], image[voxelIndex(x1, y1, z1, c)], fx);
      value = mix(mix(i00, i10, fy), mix(i01, i11, fy), fz);`;
    return `${voxelIndex}
    fn sampleAt(p : i32, c : i32) -> f32 {
      var value = 0.0;
      ${cornersSnippet(this.grid.dimension, this.a.padding, 'return 0.0;')}
      ${value}
      return value;
    }
    fn main(index : i32) {
      if (index < uniforms.size) {
        let p = index / uniforms.channels;
        setOutputAtIndex(index, sampleAt(p, index - p * uniforms.channels));
      }
    }`;
  }
}

/** grad[p, a] = Σ_c dy[p, c] ∂value_c/∂x_a (linear interpolation). */
class PointGradientProgram extends FlatProgram {
  readonly variableNames = ['image', 'points', 'dy'];

  constructor(
    points: number,
    readonly grid: GridShape,
    readonly a: SampleAttrs,
  ) {
    super([points, grid.dimension], `xiGridSamplePointGradient_${grid.dimension}_${a.padding}`);
  }

  getUserCode(): string {
    const d = this.grid.dimension;
    return `${voxelIndex}
    fn gradientAt(p : i32, axis : i32) -> f32 {
      ${cornersSnippet(d, this.a.padding, 'return 0.0;', true)}
      let ax = 1.0 - fx; let ay = 1.0 - fy; let az = 1.0 - fz;
      var s = 0.0;
      for (var c = 0; c < uniforms.channels; c++) {
        let g = dy[p * uniforms.channels + c];
        let v000 = image[voxelIndex(x0, y0, z0, c)]; let v100 = image[voxelIndex(x1, y0, z0, c)];
        let v010 = image[voxelIndex(x0, y1, z0, c)]; let v110 = image[voxelIndex(x1, y1, z0, c)];
        let v001 = image[voxelIndex(x0, y0, z1, c)]; let v101 = image[voxelIndex(x1, y0, z1, c)];
        let v011 = image[voxelIndex(x0, y1, z1, c)]; let v111 = image[voxelIndex(x1, y1, z1, c)];
        if (axis == 0) {
          s += g * (az * (ay * (v100 - v000) + fy * (v110 - v010)) + fz * (ay * (v101 - v001) + fy * (v111 - v011)));
        } else if (axis == 1) {
          s += g * (az * (ax * (v010 - v000) + fx * (v110 - v100)) + fz * (ax * (v011 - v001) + fx * (v111 - v101)));
        } else {
          s += g * (ay * (ax * (v001 - v000) + fx * (v101 - v100)) + fy * (ax * (v011 - v010) + fx * (v111 - v110)));
        }
      }
      return s * select(select(gz, gy, axis == 1), gx, axis == 0);
    }
    fn main(index : i32) {
      if (index < uniforms.size) {
        let p = index / ${d};
        setOutputAtIndex(index, gradientAt(p, index - p * ${d}));
      }
    }`;
  }
}

/** Float addition into an i32-typed atomic word (WGSL has no float atomics). */
const atomicAddFloat = `fn atomicAddFloat(i : i32, v : f32) {
      var old = atomicLoad(&result[i]);
      loop {
        let exchanged = atomicCompareExchangeWeak(&result[i], old, bitcast<i32>(bitcast<f32>(old) + v));
        if (exchanged.exchanged) { break; }
        old = exchanged.old_value;
      }
    }`;

class ZeroProgram extends FlatProgram {
  readonly variableNames: string[] = [];
  readonly atomic = true;

  constructor(shape: number[]) {
    super(shape, 'xiAtomicZero');
  }

  getUserCode(): string {
    return `fn main(index : i32) {
      if (index < uniforms.size) { atomicStore(&result[index], 0); }
    }`;
  }
}

/**
 * The adjoint of sampling in the image: each (point, channel) adds into its corners. The output
 * is the image (zeroed before); the invocations are the points' channels.
 */
class ScatterProgram extends FlatProgram {
  readonly variableNames = ['points', 'dy'];
  readonly atomic = true;

  constructor(
    imageShape: number[],
    points: number,
    readonly grid: GridShape,
    readonly a: SampleAttrs,
  ) {
    super(imageShape, `xiGridSampleScatter_${grid.dimension}_${a.padding}_${a.interpolation}`, points * grid.channels);
  }

  getUserCode(): string {
    const add =
      this.a.interpolation === 'nearest'
        ? `atomicAddFloat(voxelIndex(select(x1, x0, fx < 0.5), select(y1, y0, fy < 0.5), select(z1, z0, fz < 0.5), c), g);`
        : `let ax = 1.0 - fx; let ay = 1.0 - fy; let az = 1.0 - fz;
      atomicAddFloat(voxelIndex(x0, y0, z0, c), ax * ay * az * g);
      atomicAddFloat(voxelIndex(x1, y0, z0, c), fx * ay * az * g);
      atomicAddFloat(voxelIndex(x0, y1, z0, c), ax * fy * az * g);
      atomicAddFloat(voxelIndex(x1, y1, z0, c), fx * fy * az * g);
      atomicAddFloat(voxelIndex(x0, y0, z1, c), ax * ay * fz * g);
      atomicAddFloat(voxelIndex(x1, y0, z1, c), fx * ay * fz * g);
      atomicAddFloat(voxelIndex(x0, y1, z1, c), ax * fy * fz * g);
      atomicAddFloat(voxelIndex(x1, y1, z1, c), fx * fy * fz * g);`;
    return `${voxelIndex}
    ${atomicAddFloat}
    fn scatterFrom(p : i32, c : i32) {
      let g = dy[p * uniforms.channels + c];
      if (g == 0.0) { return; }
      ${cornersSnippet(this.grid.dimension, this.a.padding, 'return;')}
      ${add}
    }
    fn main(index : i32) {
      // One invocation per (point, channel); uniforms.size counts the image, so the points'
      // count comes from dy's shape.
      if (index < uniforms.dyShape[0] * uniforms.channels) {
        let p = index / uniforms.channels;
        scatterFrom(p, index - p * uniforms.channels);
      }
    }`;
  }
}

/** One entry per scalar field: tfjs lays out a four-number entry as a vec4 (16-byte aligned). */
function gridUniforms(grid: GridShape): UniformData {
  return [grid.nx, grid.ny, grid.nz, grid.channels].map((n) => ({ type: 'int32', data: [n] }));
}

/** Registers the three kernels for 'webgpu' (once; later calls are no-ops). */
export function registerWebgpuGridSampleKernels(): void {
  const { sample, pointGradient, scatter } = GRID_SAMPLE_KERNELS;
  if (tf.getKernel(sample, 'webgpu')) return;
  tf.registerKernel({
    kernelName: sample,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { image, points } = inputs as { image: tf.TensorInfo; points: tf.TensorInfo };
      const grid = gridShapeOf(image.shape);
      const program = new SampleProgram(points.shape[0], grid, attrs as unknown as SampleAttrs);
      return (backend as unknown as WebgpuBackendLike).runWebGPUProgram(program, [image, points], 'float32', gridUniforms(grid));
    },
  });
  tf.registerKernel({
    kernelName: pointGradient,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { image, points, dy } = inputs as { image: tf.TensorInfo; points: tf.TensorInfo; dy: tf.TensorInfo };
      const grid = gridShapeOf(image.shape);
      const program = new PointGradientProgram(points.shape[0], grid, attrs as unknown as SampleAttrs);
      return (backend as unknown as WebgpuBackendLike).runWebGPUProgram(program, [image, points, dy], 'float32', gridUniforms(grid));
    },
  });
  tf.registerKernel({
    kernelName: scatter,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { points, dy } = inputs as { points: tf.TensorInfo; dy: tf.TensorInfo };
      const a = attrs as unknown as SampleAttrs & { imageShape: number[] };
      const grid = gridShapeOf(a.imageShape);
      const gpu = backend as unknown as WebgpuBackendLike;
      const output = gpu.makeTensorInfo([...a.imageShape], 'float32');
      gpu.runWebGPUProgram(new ZeroProgram([...a.imageShape]), [], 'float32', gridUniforms(grid), output);
      const program = new ScatterProgram([...a.imageShape], points.shape[0], grid, a);
      return gpu.runWebGPUProgram(program, [points, dy], 'float32', gridUniforms(grid), output);
    },
  });
}
