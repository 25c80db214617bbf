// The pointwise steps of local normalization (registration/optimization/local-normalization.ts)
// over a range of voxels, as plain loops the kernel threads run too: voxels are independent, so
// any split gives the same numbers. Every step is rounded to float32 as tfjs's ops round it.

const f32 = Math.fround;

/** Before the box means: `mean` ← I and `meanOfSquares` ← I², for voxels [first, last). */
export function momentsRange(values: Float32Array, mean: Float32Array, meanOfSquares: Float32Array, first: number, last: number): void {
  for (let i = first; i < last; i++) {
    const v = values[i];
    mean[i] = v;
    meanOfSquares[i] = v * v;
  }
}

/**
 * After them: I ← (I − μ) / √(max(0, ⟨I²⟩ − μ²) + floor²) for voxels [first, last), the floor
 * squared given in float32.
 */
export function normalizeRange(values: Float32Array, mean: Float32Array, meanOfSquares: Float32Array, floorSquared: number, first: number, last: number): void {
  for (let i = first; i < last; i++) {
    const m = mean[i];
    const variance = Math.max(0, f32(meanOfSquares[i] - f32(m * m)));
    const deviation = f32(Math.sqrt(f32(variance + floorSquared)));
    values[i] = f32(values[i] - m) / deviation;
  }
}
