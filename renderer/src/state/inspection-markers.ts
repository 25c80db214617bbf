// What Inspect mode marks in each image: the query point where it was asked, the feature
// match (attention), the most similar voxel (argmax) and T(x) in the other image, and the
// landmarks (fixed points on the fixed image, counterparts on the moving one, draggable).
// One style per kind, shared with the legend.

import type { MarkerShape, ViewerMarker } from '../viewer/markers';
import type { InspectAnswer, InspectQuery, Side } from './inspection-types';
import type { LandmarkItem } from './landmark-errors';

export type MarkerKind = 'query' | 'attention' | 'argmax' | 'mapped' | 'landmark';

export const MARKER_STYLES: Record<MarkerKind, { shape: MarkerShape; color: string; title: string }> = {
  query: { shape: 'ring', color: '#ffffff', title: 'Query point' },
  attention: { shape: 'circle', color: '#35d0ff', title: 'Feature match (attention)' },
  argmax: { shape: 'diamond', color: '#ff5cf0', title: 'Most similar voxel (argmax)' },
  mapped: { shape: 'square', color: '#a594ff', title: 'Registration T(x)' },
  landmark: { shape: 'cross', color: '#ffa94d', title: 'Landmark (dashed: proposed)' },
};

/** Landmark markers carry their id after this prefix. */
export const LANDMARK_MARKER = 'landmark:';

function marker(kind: MarkerKind, point: ViewerMarker['point'], extra: Partial<ViewerMarker> = {}): ViewerMarker {
  const { shape, color } = MARKER_STYLES[kind];
  return { id: kind, point, shape, color, ...extra };
}

export function matchMarkers(side: Side, query: InspectQuery | null, answer: InspectAnswer | null): ViewerMarker[] {
  const out: ViewerMarker[] = [];
  // A hovered point and its match follow the pointer: the 3D view takes them once it rests
  // (and on a software renderer only once clicked).
  if (query?.side === side) out.push(marker('query', query.point, { followsPointer: !query.pinned }));
  if (answer && answer.query.side !== side) {
    const p = answer.points;
    const followsPointer = !answer.query.pinned;
    // The 3D view draws the match as a translucent sphere as wide as its spread (up to a
    // size that still leaves the anatomy around it visible).
    out.push(marker('attention', p.attention, { radiusMm: Math.min(12, Math.max(2, answer.result.match.spreadMm)), followsPointer }));
    out.push(marker('argmax', p.argmax, { followsPointer }));
    if (p.mapped) out.push(marker('mapped', p.mapped, { followsPointer }));
  }
  return out;
}

export function landmarkMarkers(side: Side, items: readonly LandmarkItem[], selectedId: number | null): ViewerMarker[] {
  const out: ViewerMarker[] = [];
  for (const l of items) {
    const point = side === 'fixed' ? l.fixed : l.moving;
    if (!point) continue;
    out.push(
      marker('landmark', point, {
        id: `${LANDMARK_MARKER}${l.id}`,
        label: l.name,
        draggable: side === 'moving',
        tentative: side === 'moving' && !l.accepted,
        emphasis: l.id === selectedId,
      }),
    );
  }
  return out;
}

export function landmarkIdOf(markerId: string): number | null {
  return markerId.startsWith(LANDMARK_MARKER) ? Number(markerId.slice(LANDMARK_MARKER.length)) : null;
}
