// x ↦ M·x + t on every row of a [..., D] tensor: points between grids' index spaces, and
// displacements between millimetres and index units. The optimizer does this some fifteen times a
// step (the squaring steps of exp(v) and the moved points), and as a matMul with a D×D matrix
// plus a broadcast add it cost 0.2 ms a call on wasm, most of it XNNPACK's set-up for a product
// two columns wide (measured on the 2D slice pair: 3 074 calls, 0.6 s of a 4.4 s optimization).
// As one loop it is a read and a write per element. The map is linear in x, so its gradient is
// the same loop with Mᵀ and no offset.

import * as tf from '@tensorflow/tfjs-core';
import { transposeMatrix } from '../../../shared/math/matrix';
import { hasTypedArrayKernel, registerTypedArrayKernel, runTypedArrayKernel } from './typed-array-kernel';

const AFFINE_ROWS = 'XiAffineRows';

interface Attrs {
  /** D×D, row-major. */
  matrix: number[];
  /** D entries, added after the product. */
  offset: number[];
}

/** out_i = M · rows_i + t for rows of `d` values (M row-major, d×d): the kernel's loop, for host code. */
export function affineRowsLoop(rows: Float32Array, d: number, m: readonly number[], t: readonly number[], out: Float32Array): void {
  if (d === 2) {
    const [a, b, c, e] = m;
    const [tx, ty] = t;
    for (let i = 0; i < rows.length; i += 2) {
      const x = rows[i];
      const y = rows[i + 1];
      out[i] = a * x + b * y + tx;
      out[i + 1] = c * x + e * y + ty;
    }
    return;
  }
  if (d === 3) {
    const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = m;
    const [tx, ty, tz] = t;
    for (let i = 0; i < rows.length; i += 3) {
      const x = rows[i];
      const y = rows[i + 1];
      const z = rows[i + 2];
      out[i] = m00 * x + m01 * y + m02 * z + tx;
      out[i + 1] = m10 * x + m11 * y + m12 * z + ty;
      out[i + 2] = m20 * x + m21 * y + m22 * z + tz;
    }
    return;
  }
  for (let i = 0; i < rows.length; i += d)
    for (let r = 0; r < d; r++) {
      let s = t[r];
      for (let c = 0; c < d; c++) s += m[r * d + c] * rows[i + c];
      out[i + r] = s;
    }
}

registerTypedArrayKernel<Attrs>({
  kernelName: AFFINE_ROWS,
  inputNames: ['rows'],
  outputShape: ([shape]) => [...shape],
  compute: ([rows], [shape], out, a) => affineRowsLoop(rows, shape[shape.length - 1], a.matrix, a.offset, out),
});

tf.registerGradient({
  kernelName: AFFINE_ROWS,
  gradFunc: (dy, _saved, attrs) => {
    const a = attrs as unknown as Attrs;
    const d = a.offset.length;
    return { rows: () => runTypedArrayKernel(AFFINE_ROWS, { rows: dy as tf.Tensor }, { matrix: transposeMatrix(a.matrix), offset: new Array<number>(d).fill(0) }) };
  },
});

/**
 * M·x + t for each row x of `rows` ([..., D]); M is D×D row-major, t has D entries (zero when
 * absent). Differentiable in the rows.
 */
export function affineRows(rows: tf.Tensor, matrix: readonly number[], offset?: readonly number[], options: { implementation?: 'auto' | 'composite' } = {}): tf.Tensor {
  const d = rows.shape[rows.rank - 1];
  if (matrix.length !== d * d || (offset && offset.length !== d)) throw new Error(`affineRows: a ${d}×${d} matrix and ${d} offsets needed for rows of ${d}`);
  const t = offset ? [...offset] : new Array<number>(d).fill(0);
  if (options.implementation !== 'composite' && rows.dtype === 'float32' && hasTypedArrayKernel(AFFINE_ROWS))
    return runTypedArrayKernel(AFFINE_ROWS, { rows }, { matrix: [...matrix], offset: t });
  return tf.tidy(() => {
    const flat = tf.reshape(rows, [-1, d]);
    // Rows times Mᵀ, transposed here: matMul's transposeB is twice as slow on wasm (measured).
    const product = tf.matMul(flat, tf.tensor2d(transposeMatrix(matrix), [d, d]));
    return tf.reshape(offset ? tf.add(product, tf.tensor1d(t)) : product, rows.shape);
  });
}
