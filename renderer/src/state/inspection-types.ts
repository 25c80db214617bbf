// Inspect mode's plain types: which image a point is on, what was asked and what came back.
// Apart from the runes of inspection.svelte.ts, so that plain code and tsc -p test use them.

import type { ResultOf } from '../../../shared/contract/index';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import type { Vec3 } from '../viewer/view-types';

export type Side = 'fixed' | 'moving';
export const otherSide = (side: Side): Side => (side === 'fixed' ? 'moving' : 'fixed');

export type MatchResult = ResultOf<'inspect.match'>;
/** Which point the other image's crosshair follows. */
export type Follow = 'attention' | 'argmax' | 'registration' | 'none';
export type HeatColormap = 'hot' | 'viridis' | 'inferno';

export interface InspectQuery {
  readonly side: Side;
  readonly point: Vec3;
  readonly pinned: boolean;
  /** performance.now() when the pointer got there: where hover→rendered latency starts. */
  readonly at: number;
  /** Answers to queries about an older pair or featurizer are dropped. */
  readonly generation: number;
}

export interface MatchPoints {
  readonly query: Vec3;
  readonly attention: Vec3;
  readonly argmax: Vec3;
  /** T(x) or T⁻¹(x), when a result relates the pair. */
  readonly mapped: Vec3 | null;
}

export interface InspectAnswer {
  readonly query: InspectQuery;
  readonly result: MatchResult;
  /** On the other image's feature grid. */
  readonly heatmap: ScalarImage<Uint8Array> | null;
  /** As the viewer takes points (2D images in the z = 0 plane). */
  readonly points: MatchPoints;
}
