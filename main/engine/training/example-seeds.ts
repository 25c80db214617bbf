// Where every random choice of training comes from: one seed per example, derived from the
// run's seed, the step and the example's place in the batch by an integer hash. Nothing
// depends on what ran before, so a run resumed from a checkpoint, or split across any number
// of threads, draws exactly the same examples as one uninterrupted run on one thread.

/** A 32-bit avalanche mix (the finalizer of MurmurHash3). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function seedOf(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) h = mix(h ^ mix(p >>> 0));
  return h;
}

/** Seeds of training examples: the stream 1 keeps them apart from validation's (stream 2). */
export const trainingExampleSeed = (runSeed: number, step: number, index: number) => seedOf(runSeed, 1, step, index);
export const validationExampleSeed = (runSeed: number, index: number) => seedOf(runSeed, 2, index);
