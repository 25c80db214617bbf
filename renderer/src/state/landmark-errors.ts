// Target registration error of paired landmarks: how far each moving point lies from where
// the fixed point lands. Before registration the map is the identity in world space
// (|fixed − moving|); after, the result's T (|T(fixed) − moving|). Summaries count accepted
// pairs only: a counterpart proposed from T(x) sits at T(fixed) by construction, and would
// make the "after" figure look perfect.

import { distance } from '../viewer/vec3';
import type { Vec3 } from '../viewer/view-types';

export interface PairedPoints {
  readonly id: number;
  readonly fixed: Vec3;
  readonly moving: Vec3 | null;
  readonly accepted: boolean;
}

/** A landmark pair as the app keeps it. */
export interface LandmarkItem extends PairedPoints {
  readonly name: string;
}

export interface PairError {
  readonly before: number | null;
  readonly after: number | null;
}

export interface ErrorSummary {
  readonly mean: number;
  readonly max: number;
  readonly count: number;
}

export interface LandmarkErrors {
  readonly byId: ReadonlyMap<number, PairError>;
  readonly before: ErrorSummary | null;
  readonly after: ErrorSummary | null;
}

export function summarize(values: readonly number[]): ErrorSummary | null {
  if (values.length === 0) return null;
  return { mean: values.reduce((s, v) => s + v, 0) / values.length, max: Math.max(...values), count: values.length };
}

/** `mapped`: T(fixed) by landmark id, or null when no result relates the pair. */
export function landmarkErrors(pairs: readonly PairedPoints[], mapped: ReadonlyMap<number, Vec3> | null): LandmarkErrors {
  const byId = new Map<number, PairError>();
  const before: number[] = [];
  const after: number[] = [];
  for (const p of pairs) {
    const t = mapped?.get(p.id);
    const e: PairError = {
      before: p.moving ? distance(p.fixed, p.moving) : null,
      after: p.moving && t ? distance(t, p.moving) : null,
    };
    byId.set(p.id, e);
    if (!p.accepted) continue;
    if (e.before !== null) before.push(e.before);
    if (e.after !== null) after.push(e.after);
  }
  return { byId, before: summarize(before), after: summarize(after) };
}
