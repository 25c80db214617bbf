// One vtkImageSlice per slice layer, all cut by the view's shared world-space plane. Layers
// draw in order: each is pushed slightly toward the viewer (polygon offset), so coplanar
// slices never z-fight and later layers blend over earlier ones.

import vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData';
import type vtkPlane from '@kitware/vtk.js/Common/DataModel/Plane';
import vtkImageResliceMapper from '@kitware/vtk.js/Rendering/Core/ImageResliceMapper';
import vtkImageSlice from '@kitware/vtk.js/Rendering/Core/ImageSlice';
import { sameGrid } from '../../../../shared/geometry/grid';
import type { ScalarImage } from '../../../../shared/image/voxel-image';
import type { Quad } from '../compare-regions';
import type { CompositeSliceSpec, LabelSliceSpec, ScalarSliceSpec, SliceLayerSpec } from '../render-spec';
import type { VtkImageCache } from './image-data';
import { colorFunctionFrom, constantOpacity, opacityFunctionFrom, LABEL_TABLE_WIDTH, labelColorFunction, labelOpacityFunction } from './transfer-functions';
import { compositeShaderReplacement } from './composite-shaders';
import './shared-reslice-programs';

type Mapper = ReturnType<typeof vtkImageResliceMapper.newInstance>;
type Actor = ReturnType<typeof vtkImageSlice.newInstance>;
type PolyData = ReturnType<typeof vtkPolyData.newInstance>;

// Polygon offsets are a global switch in vtk.js; the viewer is its only user in the app.
vtkImageResliceMapper.setResolveCoincidentTopology(1);

/** A selected label is drawn filled at this opacity over an outlined or dimmed map. */
const HIGHLIGHT_ALPHA = 0.85;

export class SliceLayerActor {
  readonly actor: Actor = vtkImageSlice.newInstance();
  readonly #mapper: Mapper = vtkImageResliceMapper.newInstance();
  readonly #images: VtkImageCache;
  #spec: SliceLayerSpec;
  #region: PolyData | null = null;
  #hasRegionArea = true;
  /** What the current transfer functions were built from, to rebuild only on change. */
  #builtFrom: unknown[] = [];

  constructor(spec: SliceLayerSpec, order: number, plane: ReturnType<typeof vtkPlane.newInstance>, images: VtkImageCache) {
    this.#spec = spec;
    this.#images = images;
    this.#mapper.setSlicePlane(plane);
    this.actor.setMapper(this.#mapper);
    // Every layer composites in the opaque pass, in order, with blending: "over", not OIT.
    this.actor.setForceOpaque(true);
    if (spec.kind === 'composite') this.#initComposite(spec, images);
    else this.#mapper.setInputData(images.get(spec.image));
    this.update(spec, order);
  }

  get kind(): SliceLayerSpec['kind'] {
    return this.#spec.kind;
  }

  /** Whether the spec can be applied to this actor, or the layer needs a new one. */
  accepts(spec: SliceLayerSpec): boolean {
    const old = this.#spec;
    if (spec.kind !== old.kind) return false;
    if (spec.kind === 'composite' && old.kind === 'composite')
      return spec.mode === old.mode && spec.fixed === old.fixed && spec.moving === old.moving;
    const [next, current] = [(spec as ScalarSliceSpec | LabelSliceSpec).image, (old as ScalarSliceSpec | LabelSliceSpec).image];
    // New values on the same grid (a heatmap following the pointer) only swap the texture:
    // no new actor, property or transfer functions per update.
    return next === current || (spec.kind === 'scalar' && sameGrid(next.grid, current.grid));
  }

  images(): ScalarImage[] {
    const s = this.#spec;
    return s.kind === 'composite' ? [s.fixed, s.moving] : [s.image];
  }

  get regionSpec() {
    return this.#spec.kind === 'composite' ? null : this.#spec.region;
  }

  /** Applies a spec of the same kind and images; `order` is the layer's place from the bottom. */
  update(spec: SliceLayerSpec, order: number): void {
    const old = this.#spec;
    if (spec.kind === 'scalar' && old.kind === 'scalar' && spec.image !== old.image) this.#mapper.setInputData(this.#images.get(spec.image));
    this.#spec = spec;
    this.#mapper.setRelativeCoincidentTopologyPolygonOffsetParameters(0, -2 * order);
    // The bottom layer paints the background black where the plane leaves its image.
    this.#mapper.setBackgroundColor(0, 0, 0, order === 0 ? 1 : 0);
    if (spec.kind === 'scalar') this.#updateScalar(spec);
    else if (spec.kind === 'labels') this.#updateLabels(spec);
    else this.#updateComposite(spec);
    if (spec.kind !== 'composite' && !spec.region) this.setRegion(null);
    this.#updateVisibility();
  }

  /** Limits the layer to these quads of the plane (compare regions), or lifts the limit. */
  setRegion(quads: readonly Quad[] | null): void {
    if (!quads) {
      if (this.#region) {
        this.#mapper.setSlicePolyData(null as unknown as PolyData);
        this.#region.delete();
        this.#region = null;
      }
      this.#hasRegionArea = true;
      this.#updateVisibility();
      return;
    }
    this.#hasRegionArea = quads.length > 0;
    if (quads.length > 0) {
      const points = new Float32Array(quads.length * 12);
      const polys = new Uint32Array(quads.length * 8);
      quads.forEach((q, i) => {
        q.forEach((p, k) => points.set(p, i * 12 + k * 3));
        const a = i * 4;
        polys.set([3, a, a + 1, a + 2, 3, a, a + 2, a + 3], i * 8);
      });
      if (!this.#region) this.#region = vtkPolyData.newInstance();
      this.#region.getPoints().setData(points, 3);
      this.#region.getPolys().setData(polys);
      this.#region.modified();
      this.#mapper.setSlicePolyData(this.#region);
    }
    this.#updateVisibility();
  }

  delete(): void {
    const properties = this.actor.getProperties();
    this.actor.delete();
    this.#mapper.delete();
    this.#region?.delete();
    for (const p of properties) p.delete();
  }

  /**
   * A transparent layer still draws (every fragment discarded) so its texture stays on the
   * GPU: flicker and before/after then swap without an upload.
   */
  #updateVisibility(): void {
    this.actor.setVisibility(this.#hasRegionArea);
  }

  #rebuilt(...inputs: unknown[]): boolean {
    const same = inputs.length === this.#builtFrom.length && inputs.every((x, i) => x === this.#builtFrom[i]);
    this.#builtFrom = inputs;
    return !same;
  }

  #updateScalar(spec: ScalarSliceSpec): void {
    const property = this.actor.getProperty();
    if (this.#rebuilt(spec.colormap, spec.opacityPoints)) {
      const xs = spec.colormap.map((p) => p.x);
      property.setRGBTransferFunction(0, colorFunctionFrom(spec.colormap));
      property.setPiecewiseFunction(0, spec.opacityPoints ? opacityFunctionFrom(spec.opacityPoints) : constantOpacity([Math.min(...xs), Math.max(...xs)]));
    }
    if (spec.window) {
      property.setUseLookupTableScalarRange(false);
      property.setColorWindow(spec.window.window);
      property.setColorLevel(spec.window.level);
    } else property.setUseLookupTableScalarRange(true);
    property.setOpacity(spec.opacity);
    if (spec.interpolation === 'nearest') property.setInterpolationTypeToNearest();
    else property.setInterpolationTypeToLinear();
  }

  #updateLabels(spec: LabelSliceSpec): void {
    const property = this.actor.getProperty();
    const outlined = spec.outlineWidth !== null;
    // Filled: every label at the layer's opacity. Outlined: outlines at the layer's opacity
    // and no fill, but the selected label filled in either case.
    const fill = outlined ? 0 : spec.highlight !== null ? 0.5 : 1;
    if (this.#rebuilt(spec.table, fill, spec.highlight)) {
      this.#mapper.setColorTextureWidth(LABEL_TABLE_WIDTH);
      this.#mapper.setOpacityTextureWidth(LABEL_TABLE_WIDTH);
      property.setRGBTransferFunction(0, labelColorFunction(spec.table));
      property.setPiecewiseFunction(0, labelOpacityFunction(spec.table, fill, spec.highlight, HIGHLIGHT_ALPHA));
    }
    property.setUseLookupTableScalarRange(true);
    property.setInterpolationTypeToNearest();
    property.setUseLabelOutline(outlined);
    if (outlined) {
      property.setLabelOutlineThickness(spec.outlineWidth!);
      property.setLabelOutlineOpacity(spec.opacity);
      property.setOpacity(1);
    } else property.setOpacity(spec.opacity);
  }

  #initComposite(spec: CompositeSliceSpec, images: VtkImageCache): void {
    this.#mapper.setInputData(images.get(spec.fixed));
    this.#mapper.addInputData(images.get(spec.moving));
    const [fixedMap, movingMap] = spec.mode === 'fusion' ? (['green', 'magenta'] as const) : (['gray', 'gray'] as const);
    const ramps = { green: [0, 1, 0], magenta: [1, 0, 1], gray: [1, 1, 1] } as const;
    [fixedMap, movingMap].forEach((name, input) => {
      const property = this.actor.getProperty(input);
      const c = ramps[name];
      property.setRGBTransferFunction(0, colorFunctionFrom([{ x: 0, rgb: [0, 0, 0] }, { x: 1, rgb: c }]));
      property.setPiecewiseFunction(0, constantOpacity([0, 1]));
      property.setIndependentComponents(true);
      property.setComponentWeight(0, 1);
      property.setUseLookupTableScalarRange(false);
      property.setInterpolationTypeToLinear();
    });
    (this.#mapper as unknown as { setViewSpecificProperties(p: object): void }).setViewSpecificProperties({
      OpenGL: { ShaderReplacements: [compositeShaderReplacement(spec.mode)] },
    });
  }

  #updateComposite(spec: CompositeSliceSpec): void {
    [spec.fixedWindow, spec.movingWindow].forEach((wl, input) => {
      const property = this.actor.getProperty(input);
      property.setColorWindow(wl.window);
      property.setColorLevel(wl.level);
    });
  }
}
