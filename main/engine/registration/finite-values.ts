// A registration whose numbers went NaN or infinite must not report success: a NaN affine
// resamples the moving image to zeros, a NaN field to noise, and the job used to end with
// exit status 0 all the same. Values are checked where each stage hands them on (normalized
// images, the affine, the fields, the full-resolution outputs), and the job fails there,
// saying which, before anything is written.

import * as tf from '@tensorflow/tfjs-core';
import { badInput, EngineError } from '../../../shared/contract/errors';

/** Read back asynchronously: a GPU backend (WebGPU) has no synchronous read. */
export async function tensorIsFinite(t: tf.Tensor): Promise<boolean> {
  const all = tf.tidy(() => tf.all(tf.isFinite(t)));
  try {
    return (await all.data())[0] === 1;
  } finally {
    all.dispose();
  }
}

/** A stage produced non-finite values: the job fails (exit status 1), naming the stage. */
export function checkFinite(finite: boolean, stage: string, what: string): void {
  if (!finite) throw new EngineError('FAILED', `registration failed during ${stage}: ${what} holds NaN or infinite values, so there is no result to write`);
}

/** An image's normalized intensities are not finite: its values are the cause (bad input). */
export async function checkNormalized(t: tf.Tensor, role: string): Promise<void> {
  if (!(await tensorIsFinite(t))) throw badInput(role, 'its intensities cannot be normalized (they give NaN or infinite values)');
}
