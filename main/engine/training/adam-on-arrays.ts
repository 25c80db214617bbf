// Adam on plain arrays. The trainer keeps the network's weights as Float32Arrays (gradients
// arrive from worker threads as arrays, and checkpoints store arrays), so its optimizer works
// on arrays too; its whole state is arrays and a step count, which makes resuming exact.

export interface AdamState {
  step: number;
  readonly m: Float32Array[];
  readonly v: Float32Array[];
}

export interface AdamSettings {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

export const defaultAdam: AdamSettings = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

export function initialAdamState(weights: readonly Float32Array[]): AdamState {
  return { step: 0, m: weights.map((w) => new Float32Array(w.length)), v: weights.map((w) => new Float32Array(w.length)) };
}

/** One Adam step in place: weights ← weights − rate · m̂ / (√v̂ + ε). */
export function adamStep(weights: Float32Array[], gradients: readonly Float32Array[], state: AdamState, settings: AdamSettings, rateScale = 1): void {
  state.step++;
  const { beta1, beta2, epsilon } = settings;
  const rate = settings.learningRate * rateScale;
  const c1 = 1 - beta1 ** state.step;
  const c2 = 1 - beta2 ** state.step;
  weights.forEach((w, i) => {
    const g = gradients[i];
    const m = state.m[i];
    const v = state.v[i];
    for (let k = 0; k < w.length; k++) {
      m[k] = beta1 * m[k] + (1 - beta1) * g[k];
      v[k] = beta2 * v[k] + (1 - beta2) * g[k] * g[k];
      w[k] -= (rate * (m[k] / c1)) / (Math.sqrt(v[k] / c2) + epsilon);
    }
  });
}
