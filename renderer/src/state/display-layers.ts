// What the viewer shows, derived from the images, their roles and the shown registration:
// the fixed image at the bottom with its labels; then either the moving image (before any
// registration) or the result's layers, with the "before" set the `b` key switches to.

import type { CompareSettings, ViewerLayer } from '../viewer/layers';
import { DEFAULT_COMPARE } from '../viewer/layers';
import type { LibraryImage } from './image-library.svelte';
import type { RegistrationOutcome } from './registration-jobs.svelte';

export interface RoleImages {
  fixed?: LibraryImage;
  moving?: LibraryImage;
  fixedLabels?: LibraryImage;
  movingLabels?: LibraryImage;
}

export function displayLayers(images: RoleImages, result: RegistrationOutcome | null): ViewerLayer[] {
  const layers: ViewerLayer[] = [];
  if (images.fixed) layers.push({ id: 'fixed', kind: 'image', image: images.fixed });
  if (images.fixedLabels) layers.push({ id: 'fixed-labels', kind: 'labels', image: images.fixedLabels, visible: !result });
  if (!result) {
    if (images.moving) layers.push({ id: 'moving', kind: 'image', image: images.moving, opacity: images.fixed ? 0.5 : 1 });
    if (images.movingLabels) layers.push({ id: 'moving-labels', kind: 'labels', image: images.movingLabels, outline: true });
    return layers;
  }
  const field = { grid: result.displayField.grid, components: result.displayField.components, pixels: result.displayField.vectors };
  layers.push({ id: 'before', kind: 'image', image: result.movingOnFixedGrid, name: `${result.movingOnFixedGrid.info.name}` });
  if (images.movingLabels) layers.push({ id: 'moving-labels', kind: 'labels', image: images.movingLabels, outline: true });
  layers.push({ id: 'warped', kind: 'image', image: result.warpedMoving, name: result.warpedMoving.info.name });
  if (result.warpedMovingLabels) layers.push({ id: 'warped-labels', kind: 'labels', image: result.warpedMovingLabels, outline: true, opacity: 1 });
  layers.push({ id: 'jacobian', kind: 'jacobian', field, visible: false, name: 'det J (folds in yellow)' });
  layers.push({ id: 'displacement', kind: 'displacement', field, visible: false, name: '|u| (mm)' });
  layers.push({ id: 'grid', kind: 'grid', field, visible: false, name: 'deformed grid' });
  return layers;
}

export function displayCompare(images: RoleImages, result: RegistrationOutcome | null, previous: CompareSettings | null): CompareSettings | null {
  if (!images.fixed || !images.moving) return null;
  const keep = previous ? { mode: previous.mode, blendOpacity: previous.blendOpacity, tileMm: previous.tileMm, curtain: previous.curtain, flickerHz: previous.flickerHz } : {};
  if (!result) {
    const after = images.movingLabels ? ['moving', 'moving-labels'] : ['moving'];
    return { ...DEFAULT_COMPARE, ...keep, fixedLayerId: 'fixed', after, before: undefined, showing: 'after' };
  }
  const after = ['warped', ...(result.warpedMovingLabels ? ['warped-labels'] : []), 'jacobian', 'displacement', 'grid'];
  const before = ['before', ...(images.movingLabels ? ['moving-labels'] : [])];
  return { ...DEFAULT_COMPARE, ...keep, fixedLayerId: 'fixed', after, before, showing: previous?.before ? previous.showing : 'after' };
}
