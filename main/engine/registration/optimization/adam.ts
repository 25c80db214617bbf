// Adam with a learning rate per parameter group and a schedule, which tf.train.adam lacks. Adam's
// step is about `learningRate` per parameter whatever the gradient's scale, so rates are given
// in the parameter's physical unit (mm for translations and displacements).

import * as tf from '@tensorflow/tfjs-core';
import { readsBackAsynchronously } from '../../compute/backend';

/**
 * How often an optimizer reads its loss back: every step where reading is free (the host's
 * memory), every tenth on a GPU backend, where each read is a round trip that stalls the queue.
 */
function readEvery(): number {
  return readsBackAsynchronously() ? 10 : 1;
}

/** Whether step `i` of `iterations` reads its loss: every `readEvery()`th, and the last. */
export function readsLoss(i: number, iterations: number): boolean {
  return (i + 1) % readEvery() === 0 || i === iterations - 1;
}

/**
 * A variable initialized from `initial`, which it takes over: tf.variable shares the initial
 * tensor's memory but leaves the tensor itself registered, so it is disposed here.
 */
export function variableOf(initial: tf.Tensor, trainable = true): tf.Variable {
  const v = tf.variable(initial, trainable);
  initial.dispose();
  return v;
}

export interface AdamGroup {
  readonly variable: tf.Variable;
  /** Step size in the variable's unit, before the schedule's factor. */
  readonly learningRate: number;
}

export class Adam {
  readonly #groups: readonly AdamGroup[];
  readonly #moments: { m: tf.Variable; v: tf.Variable }[];
  #step = 0;

  constructor(
    groups: readonly AdamGroup[],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.#groups = groups;
    this.#moments = groups.map((g) => ({ m: variableOf(tf.zeros(g.variable.shape), false), v: variableOf(tf.zeros(g.variable.shape), false) }));
  }

  /**
   * Computes the loss and its gradients, steps every group by `scale` × its rate, and returns
   * the loss terms (a named record: they feed progress and convergence). The terms are read
   * back in one transfer, asynchronously, as a GPU backend requires; with `read` false they are
   * not read at all (undefined), so that a GPU runs ahead instead of waiting on the host.
   */
  async minimize<T extends Record<string, tf.Scalar>>(loss: () => T & { total: tf.Scalar }, scale = 1, read = true): Promise<Record<keyof T, number> | undefined> {
    this.#step++;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const correction1 = 1 - b1 ** this.#step;
    const correction2 = 1 - b2 ** this.#step;
    let terms: T | undefined;
    // `value` is terms.total itself, disposed with the other terms below.
    const { grads } = tf.variableGrads(() => {
      terms = loss();
      // The gradient scope keeps only its result; keep the other terms for the report.
      for (const t of Object.values(terms)) tf.keep(t);
      return terms.total;
    }, this.#groups.map((g) => g.variable));
    tf.tidy(() => {
      this.#groups.forEach((g, i) => {
        const grad = grads[g.variable.name];
        if (!grad) return;
        const { m, v } = this.#moments[i];
        m.assign(tf.add(tf.mul(m, b1), tf.mul(grad, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(grad), 1 - b2)));
        const step = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), this.epsilon));
        g.variable.assign(tf.sub(g.variable, tf.mul(step, g.learningRate * scale)));
      });
    });
    tf.dispose(Object.values(grads));
    const entries = Object.entries(terms!) as [keyof T, tf.Scalar][];
    if (!read) {
      tf.dispose(entries.map(([, t]) => t));
      return undefined;
    }
    const packed = tf.stack(entries.map(([, t]) => t));
    tf.dispose(entries.map(([, t]) => t));
    const values = await packed.data();
    packed.dispose();
    return Object.fromEntries(entries.map(([k], i) => [k, values[i]])) as Record<keyof T, number>;
  }

  dispose(): void {
    for (const { m, v } of this.#moments) tf.dispose([m, v]);
  }
}

/**
 * Adam's step on a typed array, as Adam.minimize takes it on tensors: for objectives whose
 * gradient is computed on the host (velocity-objective.ts).
 */
export class ArrayAdam {
  readonly #m: Float32Array;
  readonly #v: Float32Array;
  #step = 0;

  constructor(
    length: number,
    private readonly learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.#m = new Float32Array(length);
    this.#v = new Float32Array(length);
  }

  /** Steps `parameters` against `gradient` by `scale` × the rate. */
  step(parameters: Float32Array, gradient: Float32Array, scale = 1): void {
    this.#step++;
    const { beta1: b1, beta2: b2, epsilon } = this;
    const correction1 = 1 - b1 ** this.#step;
    const correction2 = 1 - b2 ** this.#step;
    const rate = this.learningRate * scale;
    const m = this.#m;
    const v = this.#v;
    for (let i = 0; i < parameters.length; i++) {
      const g = gradient[i];
      m[i] = m[i] * b1 + g * (1 - b1);
      v[i] = v[i] * b2 + g * g * (1 - b2);
      parameters[i] -= (rate * (m[i] / correction1)) / (Math.sqrt(v[i] / correction2) + epsilon);
    }
  }
}

/** Cosine decay from 1 to `floor` over `iterations`: big steps first, fine ones at the end. */
export function cosineSchedule(iteration: number, iterations: number, floor = 0.05): number {
  const t = iterations <= 1 ? 1 : iteration / (iterations - 1);
  return floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
}
