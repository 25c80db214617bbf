// Training data that needs no data (in the manner of SynthMorph): random anatomies and random
// contrasts. A label map — random blobs (the argmax of smooth noise fields) or a real atlas's
// labels — is deformed twice by smooth random fields, and each copy gets its own random
// intensity per label, blur, bias field, gamma and noise. The two images are then "different
// scans" of one anatomy, which features must match whatever the contrast. Everything follows
// from the seed, in 2D and 3D alike.

import * as tf from '@tensorflow/tfjs-core';
import { readToHost } from '../registration/grid-tensors';
import { gridSample } from '../compute/grid-sample';
import { smoothNormalized } from '../registration/filters';
import { seededGaussian, seededRandom } from '../registration/random';
import { mapPoints } from './equivariance-augmentation';

export interface LabelledPair {
  readonly a: Float32Array;
  readonly b: Float32Array;
  readonly labelsA: Int32Array;
  readonly labelsB: Int32Array;
  /** Grid size (x, y[, z]). */
  readonly size: readonly number[];
}

export interface SyntheticOptions {
  /** Blob labels drawn when no atlas is given. */
  readonly labels: number;
  /** Mean displacement of each copy's deformation, voxels. */
  readonly deformationVoxels: number;
  readonly noise: number;
}

export const defaultSyntheticOptions: SyntheticOptions = { labels: 12, deformationVoxels: 2, noise: 0.03 };

const voxelsOf = (size: readonly number[]) => size.reduce((a, b) => a * b, 1);
const shapeOf = (size: readonly number[], channels: number) => [...size].reverse().concat(channels);

/** Smooth noise with `channels` components at a scale of `sigma` voxels, unit standard deviation. */
function smoothNoise(size: readonly number[], channels: number, sigma: number, gaussian: () => number): tf.Tensor {
  return tf.tidy(() => {
    const noise = tf.tensor(Float32Array.from({ length: voxelsOf(size) * channels }, gaussian), shapeOf(size, channels));
    const smooth = smoothNormalized(noise, sigma);
    return tf.div(smooth, tf.add(tf.sqrt(tf.mean(tf.square(smooth))), 1e-6));
  });
}

/** A label map of random blobs, labels 1 to `labels`: the argmax of smooth noise fields, at a random scale. */
export async function blobLabels(size: readonly number[], labels: number, random: () => number): Promise<Int32Array> {
  const gaussian = seededGaussian(Math.floor(random() * 2 ** 31));
  const sigma = Math.min(...size) * (0.06 + 0.08 * random());
  return Int32Array.from(await readToHost(() => tf.cast(tf.argMax(smoothNoise(size, labels, sigma, gaussian), size.length), 'float32')), (l) => l + 1);
}

/** Continuous indices of every voxel, displaced by a smooth random field of the given mean size. */
function deformedPoints(size: readonly number[], meanVoxels: number, random: () => number): tf.Tensor2D {
  return tf.tidy(() => {
    const d = size.length;
    const identity = new Array<number>((d + 1) ** 2).fill(0).map((_, i) => (i % (d + 2) === 0 ? 1 : 0));
    const indices = new Float32Array(voxelsOf(size) * d);
    const at = new Array<number>(d).fill(0);
    for (let v = 0; v < voxelsOf(size); v++) {
      indices.set(at, v * d);
      for (let a = 0; a < d && ++at[a] === size[a]; a++) at[a] = 0;
    }
    const field = tf.mul(smoothNoise(size, d, Math.min(...size) / 6, seededGaussian(Math.floor(random() * 2 ** 31))), meanVoxels);
    return tf.add(tf.tensor2d(mapPoints(identity, indices, d), [voxelsOf(size), d]), tf.reshape(field, [-1, d])) as tf.Tensor2D;
  });
}

const rescaled = (image: tf.Tensor) =>
  tf.tidy(() => {
    const lo = tf.min(image);
    return tf.div(tf.sub(image, lo), tf.add(tf.sub(tf.max(image), lo), 1e-6));
  });

/** The nuisances of real scans on an image ([..., 1], about [0, 1]): bias field, gamma, noise; rescaled to [0, 1]. */
function withNuisances(image: tf.Tensor, size: readonly number[], noise: number, random: () => number): tf.Tensor {
  const gaussian = seededGaussian(Math.floor(random() * 2 ** 31));
  return tf.tidy(() => {
    const bias = tf.exp(tf.mul(smoothNoise(size, 1, Math.min(...size) / 4, gaussian), 0.2 * random()));
    const gamma = tf.pow(rescaled(tf.mul(image, bias)), Math.exp(0.25 * gaussian()));
    return rescaled(tf.add(gamma, tf.mul(tf.randomNormal(image.shape, 0, 1, 'float32', Math.floor(random() * 2 ** 31)), noise)));
  });
}

/** One contrast of a label map: random intensity per label, blur, then the nuisances; in [0, 1]. */
function contrastOf(labels: tf.Tensor, size: readonly number[], count: number, options: SyntheticOptions, random: () => number): tf.Tensor {
  return tf.tidy(() => {
    const means = tf.tensor1d(Array.from({ length: count }, () => random()));
    const image = tf.reshape(tf.gather(means, tf.cast(tf.reshape(labels, [-1]), 'int32')), shapeOf(size, 1));
    return withNuisances(smoothNormalized(image, 0.3 + 0.7 * random()), size, options.noise, random);
  });
}

/** The image and label tensors a copy was computed as, read to the host (and disposed). */
async function copyToHost(copy: { image: tf.Tensor; labels: tf.Tensor }): Promise<{ image: Float32Array; labels: Int32Array }> {
  try {
    const [image, labels] = await Promise.all([copy.image.data() as Promise<Float32Array>, copy.labels.data()]);
    return { image: Float32Array.from(image), labels: Int32Array.from(labels, Math.round) };
  } finally {
    tf.dispose([copy.image, copy.labels]);
  }
}

/** A real image with the nuisances of another acquisition (the same contrast), for pairs of one scan. */
export function reacquired(image: Float32Array, size: readonly number[], seed: number, noise = defaultSyntheticOptions.noise): Promise<Float32Array> {
  return readToHost(() => withNuisances(tf.tensor(image, shapeOf(size, 1)), size, noise, seededRandom(seed)));
}

/**
 * Two acquisitions of a real labelled scan: the image and its labels deformed twice by smooth
 * random fields, each image with its own nuisances. Held-out pairs whose truth is known.
 */
export async function realScanPair(image: Float32Array, labels: Int32Array, size: readonly number[], seed: number, options: SyntheticOptions = defaultSyntheticOptions): Promise<LabelledPair> {
  const random = seededRandom(seed);
  const copy = () =>
    copyToHost(
      tf.tidy(() => {
        const points = deformedPoints(size, options.deformationVoxels, random);
        const warpedLabels = gridSample(tf.tensor(Float32Array.from(labels), shapeOf(size, 1)), points, { interpolation: 'nearest', padding: 'border' });
        const warped = tf.reshape(gridSample(tf.tensor(image, shapeOf(size, 1)), points, { padding: 'border' }), shapeOf(size, 1));
        return { image: withNuisances(warped, size, options.noise, random), labels: warpedLabels };
      }),
    );
  const a = await copy();
  const b = await copy();
  return { a: a.image, b: b.image, labelsA: a.labels, labelsB: b.labels, size };
}

/** The label map an anatomy is drawn from: the atlas's, or random blobs; and how many labels it has (with 0). */
async function anatomyLabels(size: readonly number[], options: SyntheticOptions, random: () => number, atlasLabels?: Int32Array): Promise<{ base: Int32Array; count: number }> {
  const base = atlasLabels ?? (await blobLabels(size, options.labels, random));
  let count = 0;
  for (const l of base) count = Math.max(count, l + 1);
  return { base, count };
}

/**
 * Two scans of one anatomy: `labels` (an atlas's, or random blobs when omitted) deformed twice,
 * each copy with its own contrast.
 */
export async function syntheticPair(size: readonly number[], seed: number, options: SyntheticOptions = defaultSyntheticOptions, atlasLabels?: Int32Array): Promise<LabelledPair> {
  const random = seededRandom(seed);
  const { base, count } = await anatomyLabels(size, options, random, atlasLabels);
  const copy = () =>
    copyToHost(
      tf.tidy(() => {
        const labels = tf.tensor(Float32Array.from(base), shapeOf(size, 1));
        const warped = gridSample(labels, deformedPoints(size, options.deformationVoxels, random), { interpolation: 'nearest', padding: 'border' });
        return { image: contrastOf(tf.reshape(warped, shapeOf(size, 1)), size, count, options, random), labels: warped };
      }),
    );
  const a = await copy();
  const b = await copy();
  return { a: a.image, b: b.image, labelsA: a.labels, labelsB: b.labels, size };
}

/**
 * Two acquisitions of one synthetic anatomy: one contrast of the label map, deformed twice, each
 * copy with its own nuisances — for synthetic data what realScanPair is for a labelled scan, and
 * the held-out pairs that validate a run on synthetic data. (Across two random contrasts a blob
 * is told from another by its shape alone, which short runs do not learn.)
 */
export async function syntheticAcquisitions(size: readonly number[], seed: number, options: SyntheticOptions = defaultSyntheticOptions, atlasLabels?: Int32Array): Promise<LabelledPair> {
  const random = seededRandom(seed);
  const { base, count } = await anatomyLabels(size, options, random, atlasLabels);
  const image = await readToHost(() => contrastOf(tf.tensor(Float32Array.from(base), shapeOf(size, 1)), size, count, options, random));
  return realScanPair(image, base, size, Math.floor(random() * 2 ** 31), options);
}
