// The loops behind the local attention kernel: for every query voxel, a softmax over the keys in
// the (2r+1)^D window around the same voxel (keys outside the grid are left out), applied to the
// values. Scores are q·k − ½|k|² (see registration/features/featurizer.ts). Besides the attended
// values it writes their variance under the softmax, Σ p|v|² − |Σ p v|²: how sure the match is.
// Written once for 2D and 3D (2D is one slice).

export interface AttentionShape {
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
  readonly channels: number;
  readonly valueChannels: number;
}

/**
 * The window of voxel (x, y, z) as linear neighbour indices, into `into`; returns the count.
 * Interior voxels (the vast majority) take precomputed offsets; border voxels skip neighbours
 * outside the grid.
 */
function windowOf(x: number, y: number, z: number, s: AttentionShape, radius: number, offsets: Int32Array, into: Int32Array): number {
  const { nx, ny, nz } = s;
  const rz = nz > 1 ? radius : 0;
  const q = (z * ny + y) * nx + x;
  if (x >= radius && x < nx - radius && y >= radius && y < ny - radius && z >= rz && z < nz - rz) {
    for (let j = 0; j < offsets.length; j++) into[j] = q + offsets[j];
    return offsets.length;
  }
  let count = 0;
  for (let dz = -rz; dz <= rz; dz++) {
    const kz = z + dz;
    if (kz < 0 || kz >= nz) continue;
    for (let dy = -radius; dy <= radius; dy++) {
      const ky = y + dy;
      if (ky < 0 || ky >= ny) continue;
      for (let dx = -radius; dx <= radius; dx++) {
        const kx = x + dx;
        if (kx >= 0 && kx < nx) into[count++] = (kz * ny + ky) * nx + kx;
      }
    }
  }
  return count;
}

function windowOffsets(s: AttentionShape, radius: number): Int32Array {
  const rz = s.nz > 1 ? radius : 0;
  const out: number[] = [];
  for (let dz = -rz; dz <= rz; dz++) for (let dy = -radius; dy <= radius; dy++) for (let dx = -radius; dx <= radius; dx++) out.push((dz * s.ny + dy) * s.nx + dx);
  return Int32Array.from(out);
}

/** ½|k|² of every key ([n, C]): the score's key term, q·k − ½|k|². */
export function keyHalfNorms(keys: Float32Array, channels: number, out: Float32Array = new Float32Array(keys.length / channels)): Float32Array {
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += keys[i * channels + c] * keys[i * channels + c];
    out[i] = 0.5 * s;
  }
  return out;
}

/**
 * `mask` (one value per voxel, or empty for all voxels) selects the queries; a masked-out voxel
 * gets zero values and infinite variance: no information.
 */
export function attendLocally(
  queries: Float32Array,
  keys: Float32Array,
  values: Float32Array,
  mask: Float32Array,
  shape: AttentionShape,
  radius: number,
  out: Float32Array,
): void {
  const halfNorm = keyHalfNorms(keys, shape.channels);
  attendLocallyRange(queries, keys, values, mask, halfNorm, shape, radius, out, 0, halfNorm.length);
}

/**
 * attendLocally for the query voxels [first, last) (linear indices, x fastest), with the keys'
 * half norms given: each voxel is computed alone, so ranges can run on different threads.
 */
export function attendLocallyRange(
  queries: Float32Array,
  keys: Float32Array,
  values: Float32Array,
  mask: Float32Array,
  halfNorm: Float32Array,
  shape: AttentionShape,
  radius: number,
  out: Float32Array,
  first: number,
  last: number,
): void {
  const { nx, ny, channels: C, valueChannels: V } = shape;
  const offsets = windowOffsets(shape, radius);
  const neighbours = new Int32Array(offsets.length);
  const scores = new Float64Array(offsets.length);
  const accumulated = new Float64Array(V);
  let x = first % nx;
  let y = Math.floor(first / nx) % ny;
  let z = Math.floor(first / (nx * ny));
  for (let q = first; q < last; q++) {
    if (mask.length > 0 && !(mask[q] > 0)) {
      for (let v = 0; v < V; v++) out[q * (V + 1) + v] = 0;
      out[q * (V + 1) + V] = Infinity;
    } else {
      const count = windowOf(x, y, z, shape, radius, offsets, neighbours);
      const qo = q * C;
      let best = -Infinity;
      for (let j = 0; j < count; j++) {
        const k = neighbours[j];
        const ko = k * C;
        let s = -halfNorm[k];
        for (let c = 0; c < C; c++) s += queries[qo + c] * keys[ko + c];
        scores[j] = s;
        if (s > best) best = s;
      }
      let total = 0;
      let squares = 0;
      accumulated.fill(0);
      for (let j = 0; j < count; j++) {
        const w = Math.exp(scores[j] - best);
        total += w;
        const vo = neighbours[j] * V;
        for (let v = 0; v < V; v++) {
          const value = values[vo + v];
          accumulated[v] += w * value;
          squares += w * value * value;
        }
      }
      let norm = 0;
      for (let v = 0; v < V; v++) {
        const mean = accumulated[v] / total;
        out[q * (V + 1) + v] = mean;
        norm += mean * mean;
      }
      out[q * (V + 1) + V] = Math.max(0, squares / total - norm);
    }
    if (++x === nx) {
      x = 0;
      if (++y === ny) {
        y = 0;
        z++;
      }
    }
  }
}

/**
 * The vector-Jacobian product of attendLocally. `dy` is [n, V + 1] (values, then variance);
 * `grad` is [n, 2C + V]: the gradients for queries, keys and values, packed per voxel. With
 * scores s_j, weights p_j, mean m and upstream (g, h):
 *   ∂L/∂p_j = g·v_j + h(|v_j|² − 2 m·v_j),   ∂L/∂s_j = p_j(∂L/∂p_j − Σ_i p_i ∂L/∂p_i),
 *   ∂L/∂q = Σ_j ∂L/∂s_j k_j,  ∂L/∂k_j += ∂L/∂s_j (q − k_j),  ∂L/∂v_j += p_j(g + 2h(v_j − m)).
 * (The variance's clamp at zero is ignored: it only binds at round-off level.)
 */
export function attendLocallyGradient(
  queries: Float32Array,
  keys: Float32Array,
  values: Float32Array,
  mask: Float32Array,
  dy: Float32Array,
  shape: AttentionShape,
  radius: number,
  grad: Float32Array,
): void {
  const { nx, ny, nz, channels: C, valueChannels: V } = shape;
  const G = 2 * C + V;
  grad.fill(0);
  const offsets = windowOffsets(shape, radius);
  const neighbours = new Int32Array(offsets.length);
  const weights = new Float64Array(offsets.length);
  const dp = new Float64Array(offsets.length);
  const mean = new Float64Array(V);
  for (let z = 0, q = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, q++) {
        if (mask.length > 0 && !(mask[q] > 0)) continue;
        const count = windowOf(x, y, z, shape, radius, offsets, neighbours);
        let best = -Infinity;
        for (let j = 0; j < count; j++) {
          const k = neighbours[j];
          let s = 0;
          for (let c = 0; c < C; c++) s += (queries[q * C + c] - 0.5 * keys[k * C + c]) * keys[k * C + c];
          weights[j] = s;
          if (s > best) best = s;
        }
        let total = 0;
        for (let j = 0; j < count; j++) total += weights[j] = Math.exp(weights[j] - best);
        mean.fill(0);
        for (let j = 0; j < count; j++) {
          weights[j] /= total;
          for (let v = 0; v < V; v++) mean[v] += weights[j] * values[neighbours[j] * V + v];
        }
        const h = dy[q * (V + 1) + V];
        let expected = 0;
        for (let j = 0; j < count; j++) {
          const k = neighbours[j];
          let a = 0;
          for (let v = 0; v < V; v++) {
            const value = values[k * V + v];
            a += dy[q * (V + 1) + v] * value + h * (value * value - 2 * mean[v] * value);
          }
          dp[j] = a;
          expected += weights[j] * a;
        }
        for (let j = 0; j < count; j++) {
          const k = neighbours[j];
          const ds = weights[j] * (dp[j] - expected);
          for (let c = 0; c < C; c++) {
            const key = keys[k * C + c];
            grad[q * G + c] += ds * key;
            grad[k * G + C + c] += ds * (queries[q * C + c] - key);
          }
          for (let v = 0; v < V; v++) grad[k * G + 2 * C + v] += weights[j] * (dy[q * (V + 1) + v] + 2 * h * (values[k * V + v] - mean[v]));
        }
      }
}
