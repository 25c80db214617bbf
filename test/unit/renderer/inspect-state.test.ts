// Inspect mode's plain parts: requests that follow the pointer never build a backlog, landmark
// errors before and after registration count what the user accepted, and the heatmap's log
// scale shows the tail without covering the anatomy with zeros.

import { describe, expect, it } from 'vitest';
import { LatestOnly } from '../../../renderer/src/state/latest-only';
import { landmarkErrors } from '../../../renderer/src/state/landmark-errors';
import { heatmapTransfer } from '../../../renderer/src/viewer/colormaps';
import { matchMarkers } from '../../../renderer/src/state/inspection-markers';
import type { InspectAnswer, InspectQuery } from '../../../renderer/src/state/inspection-types';
import type { Vec3 } from '../../../renderer/src/viewer/view-types';

/** A request the test answers by hand. */
function engine() {
  const sent: number[] = [];
  const pending: ((r: string) => void)[] = [];
  const delivered: [number, string][] = [];
  const requests = new LatestOnly<number, string>(
    (q) => {
      sent.push(q);
      return new Promise((resolve) => pending.push(resolve));
    },
    (q, r) => delivered.push([q, r]),
    () => {},
  );
  const answer = async (r: string) => {
    pending.shift()!(r);
    await Promise.resolve();
    await Promise.resolve();
  };
  return { requests, sent, delivered, answer };
}

describe('latest-only requests', () => {
  it('keeps one in flight and only the newest waiting, sent as soon as the answer comes', async () => {
    const e = engine();
    for (let q = 1; q <= 5; q++) e.requests.submit(q);
    expect(e.sent).toEqual([1]);
    expect(e.requests.busy).toBe(true);
    await e.answer('a');
    // 2, 3 and 4 were stale before they could be sent: dropped, never queued.
    expect(e.sent).toEqual([1, 5]);
    expect(e.delivered).toEqual([[1, 'a']]);
    await e.answer('b');
    expect(e.delivered).toEqual([
      [1, 'a'],
      [5, 'b'],
    ]);
    expect(e.requests.busy).toBe(false);
  });

  it('forgets the waiting wish when told, while the one in flight still answers', async () => {
    const e = engine();
    e.requests.submit(1);
    e.requests.submit(2);
    e.requests.dropWaiting();
    await e.answer('a');
    expect(e.sent).toEqual([1]);
    expect(e.delivered).toEqual([[1, 'a']]);
    expect(e.requests.busy).toBe(false);
  });
});

describe('landmark errors', () => {
  const at = (x: number, y = 0, z = 0): Vec3 => [x, y, z];
  const pairs = [
    { id: 1, fixed: at(0), moving: at(3, 4), accepted: true },
    { id: 2, fixed: at(10), moving: at(10, 0, 2), accepted: true },
    // A proposal sits at T(x) by construction: it must not flatter the summary.
    { id: 3, fixed: at(20), moving: at(25), accepted: false },
    { id: 4, fixed: at(30), moving: null, accepted: false },
  ];

  it('before registration: the distance between the points, mean and max over accepted pairs', () => {
    const e = landmarkErrors(pairs, null);
    expect(e.byId.get(1)).toEqual({ before: 5, after: null });
    expect(e.byId.get(3)).toEqual({ before: 5, after: null });
    expect(e.byId.get(4)).toEqual({ before: null, after: null });
    expect(e.before).toEqual({ mean: 3.5, max: 5, count: 2 });
    expect(e.after).toBeNull();
  });

  it('after: from T(fixed) to the moving point', () => {
    const mapped = new Map<number, Vec3>([
      [1, at(3, 4)],
      [2, at(10, 0, 1)],
      [3, at(25)],
    ]);
    const e = landmarkErrors(pairs, mapped);
    expect(e.byId.get(1)!.after).toBe(0);
    expect(e.byId.get(2)!.after).toBe(1);
    expect(e.after).toEqual({ mean: 0.5, max: 1, count: 2 });
  });
});

describe('heatmap transfer functions', () => {
  const alphaAt = (points: readonly { x: number; alpha: number }[], v: number) => {
    const i = points.findIndex((p) => p.x >= v);
    if (i <= 0) return points[Math.max(0, i)].alpha;
    const a = points[i - 1];
    const b = points[i];
    return a.alpha + ((v - a.x) / (b.x - a.x)) * (b.alpha - a.alpha);
  };

  it('log: zero is transparent, the faint tail shows, the peak is opaque', () => {
    const { opacity, colors } = heatmapTransfer('hot', 'log');
    expect(alphaAt(opacity, 0)).toBe(0);
    expect(alphaAt(opacity, 2)).toBeGreaterThan(0.05);
    expect(alphaAt(opacity, 255)).toBeCloseTo(1, 5);
    expect(colors.at(-1)!.x).toBeCloseTo(255, 6);
    for (let i = 1; i < opacity.length; i++) expect(opacity[i].x).toBeGreaterThan(opacity[i - 1].x);
  });

  it('linear: only values above 5 % of the peak show', () => {
    const { opacity } = heatmapTransfer('hot', 'linear');
    expect(alphaAt(opacity, 2)).toBe(0);
    expect(alphaAt(opacity, 128)).toBeGreaterThan(0.5);
    expect(alphaAt(opacity, 255)).toBeCloseTo(1, 5);
  });
});

describe('match markers', () => {
  const query = (pinned: boolean): InspectQuery => ({ side: 'fixed', point: [1, 2, 3], pinned, at: 0, generation: 0 });
  const answer = (pinned: boolean) =>
    ({
      query: query(pinned),
      result: { match: { spreadMm: 40 } },
      heatmap: null,
      points: { query: [1, 2, 3], attention: [4, 5, 6], argmax: [7, 8, 9], mapped: null },
    }) as unknown as InspectAnswer;

  it('marks the query on its own side and the match on the other, the spread capped for the 3D sphere', () => {
    expect(matchMarkers('fixed', query(true), answer(true)).map((m) => m.id)).toEqual(['query']);
    const other = matchMarkers('moving', query(true), answer(true));
    expect(other.map((m) => m.id)).toEqual(['attention', 'argmax']);
    expect(other[0].radiusMm).toBe(12);
  });

  it('marks a hovered point and its match as following the pointer (the 3D view takes them once it rests), a pinned one not', () => {
    expect(matchMarkers('moving', query(false), answer(false)).every((m) => m.followsPointer === true)).toBe(true);
    expect(matchMarkers('fixed', query(false), null)[0].followsPointer).toBe(true);
    expect(matchMarkers('moving', query(true), answer(true)).every((m) => m.followsPointer === false)).toBe(true);
  });
});
