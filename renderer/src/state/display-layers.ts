// What the viewer shows, derived from the images, their roles and the shown registration:
// the fixed image at the bottom with its labels; then either the moving image (before any
// registration) or the result's layers, with the "before" set the `b` key switches to.

import type { CompareSettings, ViewerLayer } from '../viewer/layers';
import { DEFAULT_COMPARE } from '../viewer/layers';
import type { LoadedImage, ResultOf } from '../../../shared/contract/index';

// Plain contract types, not the stores' own (a library image is a loaded image and its
// source): this module stays free of Svelte's runes, so tests compile it as it is.
type RegistrationOutcome = ResultOf<'registration.run'>;

/** The images in their roles; the workstation's are its library's images (`RoleImages<LibraryImage>`). */
export interface RoleImages<I extends LoadedImage = LoadedImage> {
  fixed?: I;
  moving?: I;
  fixedLabels?: I;
  movingLabels?: I;
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
  // Before registration: the moving image where it was (on its own grid, as before a result).
  if (images.moving) layers.push({ id: 'before', kind: 'image', image: images.moving, name: `${images.moving.info.name} (before)` });
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
  const before = [...(images.moving ? ['before'] : []), ...(images.movingLabels ? ['moving-labels'] : [])];
  return { ...DEFAULT_COMPARE, ...keep, fixedLayerId: 'fixed', after, before, showing: previous?.before ? previous.showing : 'after' };
}
