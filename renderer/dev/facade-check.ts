// Drives the vtk.js facade without Svelte: one view per case, for screenshots while the
// facade is developed. Not part of the viewer.
import { loadSample } from './load-sample';
import { SliceViewport } from '../src/viewer/render/slice-viewport';
import { sliceCamera } from '../src/viewer/slice-camera';
import { centralVoxelWorld, worldBoundingBox } from '../src/viewer/grid-view';
import { COLORMAPS } from '../src/viewer/colormaps';
import { displayLabelsOf, scalarImageOf } from '../src/viewer/derived-data';
import { autoWindow } from '../src/viewer/window-level';
import type { SliceOrientation } from '../src/viewer/view-types';
import type { SliceLayerSpec } from '../src/viewer/render-spec';
import type { LoadedImage } from '../../shared/contract/image-channels';

function view(label: string, orientation: SliceOrientation, base: LoadedImage, specs: SliceLayerSpec[]) {
  const el = document.createElement('div');
  el.className = 'view';
  el.dataset.case = label;
  document.body.append(el);
  const vp = new SliceViewport(el);
  const viewport = { width: 300, height: 300 };
  vp.setViewport(viewport);
  const fov = worldBoundingBox(base.info.grid);
  const cross = centralVoxelWorld(base.info.grid);
  vp.setCamera(sliceCamera(orientation, cross, fov, { zoom: 1, pan: [0, 0] }, viewport), cross);
  vp.setLayers(specs);
  return vp;
}

const scalar = (img: LoadedImage, extra: Partial<SliceLayerSpec> = {}): SliceLayerSpec => ({
  kind: 'scalar', key: img.info.id, image: scalarImageOf(img), colormap: COLORMAPS.gray, window: autoWindow(img.info), opacityPoints: null,
  opacity: 1, interpolation: 'linear', region: null, ...extra,
} as SliceLayerSpec);

const ch2 = await loadSample('ch2bet');
const aal = await loadSample('aal');
const pd = await loadSample('pd-oblique');
const labels = displayLabelsOf(aal);
const labelSpec = (outline: number | null): SliceLayerSpec => ({
  kind: 'labels', key: 'aal', image: labels.indices, table: labels.table, opacity: outline ? 1 : 0.5, outlineWidth: outline, highlight: null, region: null,
});
view('axial', 'axial', ch2, [scalar(ch2)]);
view('coronal', 'coronal', ch2, [scalar(ch2)]);
view('sagittal', 'sagittal', ch2, [scalar(ch2)]);
view('labels-fill', 'axial', ch2, [scalar(ch2), labelSpec(null)]);
view('labels-outline', 'axial', ch2, [scalar(ch2), labelSpec(1)]);
view('oblique-2d', 'axial', pd, [scalar(pd)]);
view('checker', 'axial', ch2, [scalar(ch2), scalar(ch2, { key: 'm', colormap: COLORMAPS.hot, region: { kind: 'checkerboard', tileMm: 20 } })]);
view('curtain', 'coronal', ch2, [scalar(ch2), scalar(ch2, { key: 'm', colormap: COLORMAPS.hot, region: { kind: 'curtain', fraction: 0.5 } })]);
view('fusion', 'axial', ch2, [{ kind: 'composite', key: 'f', mode: 'fusion', fixed: scalarImageOf(ch2), moving: scalarImageOf(aal), fixedWindow: autoWindow(ch2.info), movingWindow: { window: 116, level: 58 } }]);
view('difference', 'axial', ch2, [{ kind: 'composite', key: 'd', mode: 'difference', fixed: scalarImageOf(ch2), moving: scalarImageOf(aal), fixedWindow: autoWindow(ch2.info), movingWindow: { window: 116, level: 58 } }]);
document.body.dataset.ready = 'true';
