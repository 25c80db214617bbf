// The view state of one viewer: crosshair, layout, framing, windows, compare settings and
// what the cursor is over. Inputs from the app (layers, compare) are $state.raw and replaced
// whole; everything the views draw is $derived from here.

import type { ColormapName } from './colormaps';
import { activeCompare, baseImageLayer, comparedMoving, paneLayers, planDisplay, type DisplayPlan, type PaneRole } from './display-plan';
import { jacobianOf } from './derived-data';
import { centralVoxelWorld, stepSlice, unionBoxes, worldBoundingBox } from './grid-view';
import type { LoadedImage } from '../../../shared/contract/image-channels';
import type { CompareSettings, ImageLayer, LabelSelection, ViewerLayer } from './layers';
import { isVisible, layerName } from './layers';
import type { ViewerMarker } from './markers';
import { ViewCaptures } from './render/capture';
import { History } from './view-history';
import { lengthMm, regionStatistics, type DrawnMeasurement, type MeasureTool, type Measurement, type Region, type RegionStatistics } from './measurements';
import type { ImageMover } from './image-mover';
import { sliceBasis } from './orientation';
import { readoutAt, widestReadoutText, type Readout, type SampledImage, type SampledLabels, type ValueKind } from './readout';
import { panBy, zoomAbout, type SliceCamera } from './slice-camera';
import { DEFAULT_FRAMING, type LayoutKind, type SliceOrientation, type Vec3, type ViewFraming, type ViewKind, type Viewport, type WorldBox } from './view-types';
import { autoWindow, presetWindow, type WindowLevel, type WindowPresetId } from './window-level';

/** The left drag's tools: the measuring ones, and Move and Turn where the app offers an image to move. */
export type ViewerTool = MeasureTool | 'move' | 'turn';

export interface ViewerCallbacks {
  onLabelSelected?: (selection: LabelSelection) => void;
  onCompareChange?: (compare: CompareSettings) => void;
  onCrosshairChange?: (world: Vec3) => void;
  onLayerChange?: (id: string, patch: LayerOverride) => void;
  /** A click (not a drag) in a slice view; `withModifier`: Ctrl or ⌘ was held. */
  onPointClick?: (world: Vec3, click: { withModifier: boolean }) => void;
  /** A draggable marker was dragged to `world` (on the view's plane). */
  onMarkerMove?: (id: string, world: Vec3) => void;
}

/** What the viewer's own controls changed on a layer the app supplied. */
export interface LayerOverride {
  readonly visible?: boolean;
  readonly opacity?: number;
  /** Image layers' colour map. */
  readonly colormap?: ColormapName;
  readonly outline?: boolean;
  readonly spacingMm?: number;
}

/** What undo and redo restore: the user's changes to the view and its layers (not the crosshair). */
export interface ViewSnapshot {
  readonly overrides: ViewerState['overrides'];
  readonly windows: ViewerState['windows'];
  readonly compare: ViewerState['compare'];
  readonly layout: LayoutKind;
  readonly framing: ViewerState['framing'];
  readonly measurements: ViewerState['measurements'];
}

// Every part is replaced whole when it changes, so identity tells a change.
const sameView = (a: ViewSnapshot, b: ViewSnapshot) =>
  a.overrides === b.overrides && a.windows === b.windows && a.compare === b.compare && a.layout === b.layout && a.framing === b.framing && a.measurements === b.measurements;

const initialFraming = (): Record<SliceOrientation, ViewFraming> => ({ axial: DEFAULT_FRAMING, coronal: DEFAULT_FRAMING, sagittal: DEFAULT_FRAMING });

const FALLBACK_FOV: WorldBox = { min: [-100, -100, -100], max: [100, 100, 100] };

export class ViewerState {
  compare = $state.raw<CompareSettings | null>(null);
  overrides = $state.raw<Readonly<Record<string, LayerOverride>>>({});

  crosshair = $state.raw<Vec3>([0, 0, 0]);
  /** World point under the pointer, or null when it is outside the views. */
  hover = $state.raw<Vec3 | null>(null);
  layout = $state<LayoutKind>('2x2');
  activeView = $state<ViewKind>('axial');
  framing = $state.raw<Record<SliceOrientation, ViewFraming>>(initialFraming());
  /** Bumped by "reset view"; the 3D view resets its camera when it changes. */
  resetCount = $state(0);
  windows = $state.raw<Readonly<Record<string, WindowLevel>>>({});
  /** The image layer window/level edits apply to; the base image when null. */
  windowTargetId = $state<string | null>(null);
  flickerOn = $state(true);
  selectedLabel = $state.raw<LabelSelection | null>(null);
  /** The app's markers, drawn over every view. */
  markers = $state.raw<readonly ViewerMarker[]>([]);
  /** What a left drag in a slice view does: window/level, draw a ruler or a region, or move or turn the app's movable image. */
  tool = $state<ViewerTool>('navigate');
  /** The image the Move and Turn tools carry, when the app offers one. */
  mover = $state.raw<ImageMover | null>(null);
  measurements = $state.raw<readonly Measurement[]>([]);
  #nextMeasurement = 1;
  /** The mounted views, for screenshots. */
  readonly captures = new ViewCaptures();
  readonly #history = new History<ViewSnapshot>(sameView);
  canUndo = $state(false);
  canRedo = $state(false);
  /** Region statistics, once per region and base image: the overlay asks on every frame. */
  #statistics = new WeakMap<object, { image: object; statistics: RegionStatistics | null }>();

  readonly #callbacks: ViewerCallbacks;
  readonly #inputLayers: () => readonly ViewerLayer[];

  /** `layers` reads the app's layers (bottom to top), e.g. from a component's props. */
  constructor(layers: () => readonly ViewerLayer[], callbacks: ViewerCallbacks = {}) {
    this.#inputLayers = layers;
    this.#callbacks = callbacks;
  }

  get inputLayers(): readonly ViewerLayer[] {
    return this.#inputLayers();
  }

  /** The layers with the viewer's own edits (visibility, opacity, outline, grid spacing). */
  layers = $derived(this.inputLayers.map((l) => (this.overrides[l.id] ? ({ ...l, ...this.overrides[l.id] } as ViewerLayer) : l)));
  activeCompare = $derived(activeCompare(this.layers, this.compare));
  movingLayer = $derived(comparedMoving(this.layers, this.activeCompare));
  base = $derived(baseImageLayer(paneLayers(this.layers, this.activeCompare, 'primary')) ?? baseImageLayer(this.layers));
  baseGrid = $derived(this.base?.image.info.grid ?? null);
  is2D = $derived(this.baseGrid?.size.length === 2);
  /**
   * Field of view: every image and label map, visible or not, so toggles never reframe. An
   * image moved by hand (its pixels on a new grid) keeps the box it first had, so that the
   * view holds still while the user aligns it.
   */
  fov = $derived(
    unionBoxes(this.layers.flatMap((l) => ('image' in l ? [this.#firstBox(l.image.pixels, l.image.info.grid)] : []))) ?? FALLBACK_FOV,
  );
  #boxes = new WeakMap<object, WorldBox>();
  #firstBox(pixels: object, grid: Parameters<typeof worldBoundingBox>[0]): WorldBox {
    let box = this.#boxes.get(pixels);
    if (!box) this.#boxes.set(pixels, (box = worldBoundingBox(grid)));
    return box;
  }
  sideBySide = $derived(this.activeCompare?.mode === 'side-by-side');
  layoutShown = $derived<LayoutKind>(this.is2D ? '1x1' : this.layout);
  activeShown = $derived<ViewKind>(this.is2D ? 'axial' : this.activeView);
  windowTarget = $derived(
    (this.layers.find((l) => l.id === this.windowTargetId && l.kind === 'image') as ImageLayer | undefined) ?? this.base,
  );
  /** What the readout samples: the base image, the visible label maps (top first), the other layers with values. */
  #sampled = $derived.by(() => {
    const valuesOf = (image: LoadedImage): ValueKind => ({
      range: image.info.range,
      whole: !(image.pixels instanceof Float32Array || image.pixels instanceof Float64Array),
    });
    const sampled = (id: string, name: string, image: LoadedImage) => ({ id, name, grid: image.info.grid, pixels: image.pixels, values: valuesOf(image) });
    const derived: ValueKind = { range: null, whole: false };
    const base = this.base ? sampled(this.base.id, layerName(this.base), this.base.image) : null;
    const visible = this.layers.filter((l) => isVisible(l));
    const labels: (SampledLabels & { values: ValueKind })[] = visible
      .filter((l) => l.kind === 'labels')
      .reverse()
      .map((l) => ({ ...sampled(l.id, layerName(l), l.image), labels: l.image.info.labels }));
    const others: (SampledImage & { values: ValueKind })[] = [];
    if (this.movingLayer) others.push(sampled(this.movingLayer.id, layerName(this.movingLayer), this.movingLayer.image));
    for (const l of visible) {
      if (l.kind === 'jacobian') {
        const det = jacobianOf(l.field).determinant;
        others.push({ id: l.id, name: `${layerName(l)} det J`, grid: det.grid, pixels: det.pixels, values: derived });
      } else if (l.kind === 'displacement')
        others.push({ id: l.id, name: `${layerName(l)} |u| mm`, grid: l.field.grid, pixels: l.field.pixels, components: l.field.components, values: derived });
    }
    return { base, labels, others };
  });

  readout = $derived(this.#readoutAt(this.hover ?? this.crosshair));
  /** As long as any readout of these layers over the views: it, not the point, sets the readout's height. */
  widestReadout = $derived(widestReadoutText(this.fov, this.#sampled.base, this.#sampled.labels, this.#sampled.others));

  /** The layer a left-drag in a pane adjusts: the moving image's own pane adjusts it. */
  windowTargetIn(pane: PaneRole): ImageLayer | null {
    return pane === 'secondary' ? (baseImageLayer(paneLayers(this.layers, this.activeCompare, 'secondary')) ?? this.windowTarget) : this.windowTarget;
  }

  windowOf = (layer: ImageLayer): WindowLevel => this.windows[layer.id] ?? layer.window ?? autoWindow(layer.image.info);

  planFor(pane: PaneRole): DisplayPlan {
    return planDisplay({
      layers: this.layers,
      compare: this.activeCompare,
      pane,
      flickerOn: this.flickerOn,
      windowOf: this.windowOf,
      selectedLabel: this.selectedLabel,
    });
  }

  /** Puts the crosshair on the base image's central voxel. */
  resetCrosshair(): void {
    if (this.baseGrid) this.setCrosshair(centralVoxelWorld(this.baseGrid));
  }

  setCrosshair(p: readonly number[]): void {
    // A 2D image lives in the z = 0 plane.
    const next: Vec3 = [p[0], p[1], this.is2D ? 0 : p[2]];
    this.crosshair = next;
    this.#callbacks.onCrosshairChange?.(next);
  }

  /** Pages `steps` slices into the screen (negative: toward the viewer). */
  page(orientation: SliceOrientation, steps: number): void {
    if (!this.baseGrid || steps === 0) return;
    const { normal } = sliceBasis(orientation);
    this.setCrosshair(stepSlice(this.baseGrid, this.crosshair, normal, -steps));
  }

  /** Moves the crosshair within a view's plane by whole voxels: `right` and `up` as seen on screen. */
  nudge(orientation: SliceOrientation, right: number, up: number): void {
    if (!this.baseGrid) return;
    const basis = sliceBasis(orientation);
    let p: Vec3 = this.crosshair;
    if (right) p = stepSlice(this.baseGrid, p, basis.right, right);
    if (up) p = stepSlice(this.baseGrid, p, basis.up, up);
    this.setCrosshair(p);
  }

  zoomAt(orientation: SliceOrientation, camera: SliceCamera, viewport: Viewport, x: number, y: number, factor: number): void {
    this.framing = { ...this.framing, [orientation]: zoomAbout(this.framing[orientation], camera, viewport, x, y, factor) };
  }

  pan(orientation: SliceOrientation, camera: SliceCamera, viewport: Viewport, dx: number, dy: number): void {
    this.framing = { ...this.framing, [orientation]: panBy(this.framing[orientation], camera, viewport, dx, dy) };
  }

  resetViews(): void {
    this.framing = initialFraming();
    this.resetCount++;
  }

  setWindow(layerId: string, wl: WindowLevel): void {
    this.windows = { ...this.windows, [layerId]: wl };
  }

  applyPreset(preset: WindowPresetId): void {
    const target = this.windowTarget;
    if (target) this.setWindow(target.id, presetWindow(preset, target.image.info));
  }

  updateCompare(patch: Partial<CompareSettings>): void {
    if (!this.compare) return;
    this.compare = { ...this.compare, ...patch };
    this.#callbacks.onCompareChange?.(this.compare);
  }

  /** Key "b": swaps the before and after sets. */
  toggleBeforeAfter(): void {
    if (this.compare?.before?.length) this.updateCompare({ showing: this.compare.showing === 'after' ? 'before' : 'after' });
  }

  overrideLayer(id: string, patch: LayerOverride): void {
    this.overrides = { ...this.overrides, [id]: { ...this.overrides[id], ...patch } };
    this.#callbacks.onLayerChange?.(id, patch);
  }

  selectLabel(selection: LabelSelection | null): void {
    this.selectedLabel = selection;
    if (selection) this.#callbacks.onLabelSelected?.(selection);
  }

  /** A click in a slice view: the crosshair moves there, and the app hears of it. */
  clickAt(world: Vec3, withModifier: boolean): void {
    this.setCrosshair(world);
    this.selectLabelAt(world);
    this.hover = world;
    this.#callbacks.onPointClick?.(this.crosshair, { withModifier });
  }

  /** Keeps a measurement drawn in a view; one of no length is a slip of the hand, not kept. */
  addMeasurement(m: DrawnMeasurement): void {
    if (lengthMm(m) > 0) this.#step(() => (this.measurements = [...this.measurements, { ...m, id: this.#nextMeasurement++ } as Measurement]));
  }

  removeMeasurement(id: number): void {
    this.#step(() => (this.measurements = this.measurements.filter((m) => m.id !== id)));
  }

  clearMeasurements(): void {
    this.#step(() => (this.measurements = []));
  }

  /**
   * A discrete change (a click, not a drag) is one undo step at once: the state before it and
   * after it are recorded now, without waiting for the view to settle.
   */
  #step(change: () => void): void {
    this.recordView(this.snapshot());
    change();
    this.recordView(this.snapshot());
  }

  /** A region's statistics over the base image (the fixed image), in its stored values. */
  regionStatistics(region: Omit<Region, 'id'>): RegionStatistics | null {
    const base = this.base;
    if (!base) return null;
    const cached = this.#statistics.get(region);
    if (cached?.image === base.image) return cached.statistics;
    const statistics = regionStatistics({ id: base.id, name: layerName(base), grid: base.image.info.grid, pixels: base.image.pixels }, region.center, lengthMm(region));
    this.#statistics.set(region, { image: base.image, statistics });
    return statistics;
  }

  snapshot(): ViewSnapshot {
    return { overrides: this.overrides, windows: this.windows, compare: this.compare, layout: this.layout, framing: this.framing, measurements: this.measurements };
  }

  /** A settled state of the view: a change from the last one becomes a step to undo. */
  recordView(snapshot: ViewSnapshot): void {
    this.#history.record(snapshot);
    this.#syncHistory();
  }

  undo(): void {
    // A change that has not settled yet is the step to undo.
    this.#history.record(this.snapshot());
    const previous = this.#history.undo();
    if (previous) this.#restoreView(previous);
    this.#syncHistory();
  }

  redo(): void {
    const next = this.#history.redo();
    if (next) this.#restoreView(next);
    this.#syncHistory();
  }

  #syncHistory(): void {
    this.canUndo = this.#history.canUndo;
    this.canRedo = this.#history.canRedo;
  }

  #restoreView(s: ViewSnapshot): void {
    this.overrides = s.overrides;
    this.windows = s.windows;
    this.layout = s.layout;
    this.framing = s.framing;
    this.measurements = s.measurements;
    if (s.compare && this.compare && s.compare !== this.compare) {
      this.compare = s.compare;
      this.#callbacks.onCompareChange?.(s.compare);
    }
  }

  moveMarker(id: string, world: Vec3): void {
    this.#callbacks.onMarkerMove?.(id, world);
  }

  /** A click in a view selects the label under it, if any. */
  selectLabelAt(world: Vec3): void {
    const label = this.#readoutAt(world).label;
    if (label) this.selectLabel({ layerId: label.layerId, value: label.value, name: label.name });
  }

  #readoutAt(world: Vec3): Readout {
    const { base, labels, others } = this.#sampled;
    return readoutAt(world, base, labels, others);
  }
}
