// The intensity-weighted centre of an image, in world coordinates: the first guess of where the
// moving anatomy sits relative to the fixed one (ITK's CenteredTransformInitializer, moments mode).

import * as tf from '@tensorflow/tfjs-core';
import { gridCenter, indexToWorld } from '../../../../shared/geometry/grid';
import { readToHost } from '../grid-tensors';
import type { GridTensor } from '../levels';

export async function centerOfMass(level: GridTensor): Promise<number[]> {
  const d = level.grid.size.length;
  const meanIndex = await readToHost(() => {
    const w = tf.reshape(level.tensor, [...level.tensor.shape.slice(0, d)]);
    const total = tf.sum(w);
    // Axis a of the grid is tensor axis d − 1 − a; its marginal profile weights the indices.
    const means = level.grid.size.map((n, a) => {
      const others = [...Array(d).keys()].filter((k) => k !== d - 1 - a);
      const profile = tf.sum(w, others);
      return tf.div(tf.sum(tf.mul(profile, tf.range(0, n))), total);
    });
    return tf.stack(means);
  });
  // An empty image has no centre of mass; its geometric centre is the honest fallback.
  if (!Array.from(meanIndex).every(Number.isFinite)) return gridCenter(level.grid);
  return indexToWorld(level.grid, meanIndex);
}
