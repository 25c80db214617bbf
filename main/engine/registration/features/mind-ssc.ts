// MIND-SSC (Heinrich et al., MICCAI 2013): the modality-independent neighbourhood descriptor with
// self-similarity context. For every pair (a, b) of perpendicular neighbours at distance d, the
// patch distance D_ab(x) = Σ_patch (I(x+a+y) − I(x+b+y))² is normalized by the local variance
// (the mean over pairs) and mapped by exp(−·). 2D has 4 such pairs, 3D has 12.
//
// Each pair's squared difference is a shifted copy of one of the few "diagonal" difference images
// S_v(z) = (I(z+v) − I(z))², v = a − b (up to sign), so the box filter runs on 2 (2D) or 6 (3D)
// single-channel images and the channels are slices. This file is the definition in tensor ops;
// the cpu and wasm backends run the same computation as one kernel (compute/mind-ssc-kernel.ts).

import * as tf from '@tensorflow/tfjs-core';
import type { ImageGrid } from '../../../../shared/geometry/grid';
import type { Offset } from '../../compute/mind-ssc-kernel';
import { hasMindSscKernel, mindSscKernel, neighbourPairs, pairDiagonals } from '../../compute/mind-ssc-kernel';
import { boxFilter } from '../filters';
import type { Featurizer } from './featurizer';

/** The [spatial] window of `padded` (padded by `pad` on every side) shifted by `offset`. */
function shifted(padded: tf.Tensor, pad: number, offset: Offset, spatial: number[]): tf.Tensor {
  const dims = spatial.length;
  const begin = offset.map((o) => pad + o).reverse(); // tensor axes are (z, y, x)
  return tf.slice(padded, [...begin, 0], [...spatial, padded.shape[dims]]);
}

/** MIND-SSC from tensor ops: differentiable, and what backends without the kernel run. */
export function mindSscComposite(image: tf.Tensor, radius: number, d: number): tf.Tensor {
  return tf.tidy(() => {
    const dimension = image.rank - 1;
    const spatial = image.shape.slice(0, dimension);
    // Reflection beyond the field of view: no artificial edges at the border.
    const pad = 2 * d;
    const padSpec = [...spatial.map(() => [pad, pad] as [number, number]), [0, 0] as [number, number]];
    const padded = spatial.every((n) => n > pad) ? tf.mirrorPad(image, padSpec, 'reflect') : tf.pad(image, padSpec);
    // Diagonal images live on the image grown by d per side ("inner"), inside the padding.
    const inner = padded.shape.slice(0, dimension).map((n) => n - 2 * d);
    const boxed = new Map<string, tf.Tensor>();
    const channels = pairDiagonals(neighbourPairs(dimension, d)).map(({ diagonal, shift }) => {
      const key = diagonal.join(',');
      let s = boxed.get(key);
      if (!s) {
        const difference = tf.sub(shifted(padded, d, diagonal, inner), shifted(padded, d, diagonal.map(() => 0), inner));
        s = boxFilter(tf.square(difference), radius, { implementation: 'composite' });
        boxed.set(key, s);
      }
      // Image voxel x sits at x + d in the inner domain.
      return shifted(s, d, shift, spatial);
    });
    let distances = tf.concat(channels, dimension);
    distances = tf.sub(distances, tf.min(distances, dimension, true));
    const variance = tf.mean(distances, dimension, true);
    const mean = tf.mean(variance);
    const bounded = tf.minimum(tf.maximum(tf.relu(variance), tf.mul(mean, 1e-3)), tf.mul(mean, 1e3));
    return tf.exp(tf.neg(tf.div(distances, tf.add(bounded, 1e-8))));
  });
}

export class MindSscFeaturizer implements Featurizer {
  readonly name: string;
  /** 4 pairs of perpendicular neighbours in 2D, 12 in 3D. */
  readonly channels: number;

  constructor(
    dimension: number,
    private readonly radius = 1,
    private readonly dilation = 2,
    private readonly implementation: 'auto' | 'composite' = 'auto',
  ) {
    this.name = `MIND-SSC (r=${radius}, d=${dilation})`;
    this.channels = neighbourPairs(dimension, 1).length;
  }

  featurize(image: tf.Tensor, _grid: ImageGrid): tf.Tensor {
    const spatial = image.shape.slice(0, image.rank - 1);
    // Tiny levels cannot hold neighbours twice the dilation apart.
    const d = Math.max(1, Math.min(this.dilation, Math.floor((Math.min(...spatial) - 1) / 2)));
    if (this.implementation === 'auto' && hasMindSscKernel()) return mindSscKernel(image, this.radius, d);
    return mindSscComposite(image, this.radius, d);
  }

  dispose(): void {}
}
