// What the viewer shows, derived from the images and their roles: the fixed image at the
// bottom, its labels, then the moving image and its labels, compared with the fixed one.

import type { CompareSettings, ViewerLayer } from '../viewer/layers';
import { DEFAULT_COMPARE } from '../viewer/layers';
import type { LibraryImage } from './image-library.svelte';

export interface RoleImages {
  fixed?: LibraryImage;
  moving?: LibraryImage;
  fixedLabels?: LibraryImage;
  movingLabels?: LibraryImage;
}

export function inputLayers(images: RoleImages): ViewerLayer[] {
  const layers: ViewerLayer[] = [];
  if (images.fixed) layers.push({ id: 'fixed', kind: 'image', image: images.fixed });
  if (images.fixedLabels) layers.push({ id: 'fixed-labels', kind: 'labels', image: images.fixedLabels });
  if (images.moving) layers.push({ id: 'moving', kind: 'image', image: images.moving, opacity: images.fixed ? 0.5 : 1 });
  if (images.movingLabels) layers.push({ id: 'moving-labels', kind: 'labels', image: images.movingLabels, outline: true });
  return layers;
}

/** Before any registration, the moving image is what the fixed one is compared with. */
export function inputCompare(images: RoleImages, previous: CompareSettings | null): CompareSettings | null {
  if (!images.fixed || !images.moving) return null;
  const after = images.movingLabels ? ['moving', 'moving-labels'] : ['moving'];
  return { ...DEFAULT_COMPARE, ...(previous ?? {}), fixedLayerId: 'fixed', after, before: undefined, showing: 'after' };
}
