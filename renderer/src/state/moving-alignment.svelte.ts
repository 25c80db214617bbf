// The manual alignment of the moving image, as the workstation keeps it: which image it moves
// (another moving image starts unmoved), the images as shown moved, the registration's start,
// and a fit to the landmarks. The geometry is in manual-alignment.ts.

import type { RegistrationOverrides, SessionRecord } from '../../../shared/contract/index';
import { gridCenter } from '../../../shared/geometry/grid';
import type { RoleImages } from './display-layers';
import type { LibraryImage } from './image-library.svelte';
import type { Landmarks } from './landmarks.svelte';
import type { ImageMover } from '../viewer/image-mover';
import { add, asVec3 } from '../viewer/vec3';
import { alignmentFromPairs, initialTransformRows, isIdentity, movedGrid, noAlignment, translated, turned, type ManualAlignment } from './manual-alignment';

type RecordedAlignment = NonNullable<SessionRecord['manualAlignment']>;

export class MovingAlignment {
  #kept = $state.raw<{ imageId: string; alignment: ManualAlignment } | null>(null);
  readonly #movingId: () => string | null;

  /** `movingId`: the moving image now chosen. */
  constructor(movingId: () => string | null) {
    this.#movingId = movingId;
  }

  /** The alignment of the moving image now chosen (none for another image). */
  get current(): ManualAlignment {
    const kept = this.#kept;
    return kept && kept.imageId === this.#movingId() ? kept.alignment : noAlignment;
  }

  set(alignment: ManualAlignment): void {
    const imageId = this.#movingId();
    if (imageId) this.#kept = { imageId, alignment };
  }

  /** The role images with the moving image (and its labels) where the alignment puts them: the same voxels on a moved grid. */
  shown(images: RoleImages<LibraryImage>): RoleImages<LibraryImage> {
    const { moving, movingLabels } = images;
    const a = this.current;
    if (!moving || isIdentity(a)) return images;
    const center = gridCenter(moving.info.grid);
    const moved = (image: LibraryImage | undefined) => image && { ...image, info: { ...image.info, grid: movedGrid(image.info.grid, a, center) } };
    return { ...images, moving: moved(moving), movingLabels: moved(movingLabels) };
  }

  /** The overrides a registration of `moving` runs with: they start from M⁻¹ (fixed → moving) when the image was moved. */
  startFrom(overrides: RegistrationOverrides, moving: LibraryImage): RegistrationOverrides {
    const a = this.current;
    if (isIdentity(a)) return overrides;
    return { ...overrides, alignment: { ...overrides.alignment, initialTransform: initialTransformRows(a, gridCenter(moving.info.grid)) } };
  }

  /**
   * The rigid alignment that carries the landmarks' moving points onto their fixed ones (the
   * accepted pairs, or every pair where none is accepted); null with too few.
   */
  fromLandmarks(landmarks: Landmarks, moving: LibraryImage): ManualAlignment | null {
    const d = moving.info.grid.size.length;
    const pairs = landmarks.items.filter((l) => l.moving).map((l) => ({ fixed: l.fixed.slice(0, d), moving: l.moving!.slice(0, d), accepted: l.accepted }));
    const chosen = pairs.some((p) => p.accepted) ? pairs.filter((p) => p.accepted) : pairs;
    return alignmentFromPairs(chosen, gridCenter(moving.info.grid));
  }

  /** The viewer's Move and Turn tools acting on this alignment of the image `moving()` returns. */
  mover(moving: () => LibraryImage | undefined): ImageMover {
    return {
      name: 'the moving image',
      translate: (deltaMm) => this.set(translated(this.current, deltaMm)),
      turn: (axis, degrees) => {
        const image = moving();
        if (image) this.set(turned(this.current, axis, degrees, image.info.grid.size.length));
      },
      centre: () => {
        const image = moving();
        return add(asVec3(image ? gridCenter(image.info.grid) : [0, 0, 0]), this.current.translationMm);
      },
    };
  }

  asRecord(): RecordedAlignment | null {
    const kept = this.#kept;
    return kept && { imageId: kept.imageId, translationMm: [...kept.alignment.translationMm], rotationDeg: [...kept.alignment.rotationDeg] };
  }

  restore(recorded: RecordedAlignment | null | undefined): void {
    this.#kept = recorded ? { imageId: recorded.imageId, alignment: { translationMm: recorded.translationMm, rotationDeg: recorded.rotationDeg } } : null;
  }
}
