// What the vtk.js facade draws, as plain data: the display plan resolves layers, compare
// settings and windows into these, and the facade turns them into actors. No vtk types here.

import type { ScalarImage, VectorImage } from '../../../shared/image/voxel-image';
import type { ColorPoint, OpacityPoint } from './colormaps';
import type { LabelTable } from './label-table';
import type { WindowLevel } from './window-level';

/** A part of the slice plane a layer is limited to (region-based compare modes). */
export type RegionSpec =
  | { readonly kind: 'checkerboard'; readonly tileMm: number }
  /** The layer shows right of `fraction` of the view's width. */
  | { readonly kind: 'curtain'; readonly fraction: number };

export interface ScalarSliceSpec {
  readonly kind: 'scalar';
  /** Stable per layer (and pane); the facade keeps one actor per key. */
  readonly key: string;
  readonly image: ScalarImage;
  readonly colormap: readonly ColorPoint[];
  /** Maps the window to the colormap's 0..1; null: the colormap's x are data values. */
  readonly window: WindowLevel | null;
  /** Opacity by data value (only with window null); null: uniform. */
  readonly opacityPoints: readonly OpacityPoint[] | null;
  readonly opacity: number;
  readonly interpolation: 'linear' | 'nearest';
  readonly region: RegionSpec | null;
}

export interface LabelSliceSpec {
  readonly kind: 'labels';
  readonly key: string;
  /** Display indices (see label-table.ts). */
  readonly image: ScalarImage<Uint8Array>;
  readonly table: LabelTable;
  readonly opacity: number;
  /** Outline width, or null to fill. */
  readonly outlineWidth: number | null;
  /** A display index drawn filled and opaque, for the selected label. */
  readonly highlight: number | null;
  readonly region: RegionSpec | null;
}

/** Fixed and moving composed per fragment on the GPU, each through its own window. */
export interface CompositeSliceSpec {
  readonly kind: 'composite';
  readonly key: string;
  readonly mode: 'fusion' | 'difference';
  readonly fixed: ScalarImage;
  readonly moving: ScalarImage;
  readonly fixedWindow: WindowLevel;
  readonly movingWindow: WindowLevel;
}

export type SliceLayerSpec = ScalarSliceSpec | LabelSliceSpec | CompositeSliceSpec;

/** A deformed-grid overlay, drawn over the slices as vector graphics (see deformed-grid.ts). */
export interface GridOverlaySpec {
  readonly key: string;
  readonly field: VectorImage;
  readonly spacingMm: number;
  readonly color: string;
  readonly opacity: number;
}

/** The 3D view renders one volume. */
export interface VolumeSpec {
  readonly key: string;
  readonly image: ScalarImage;
  readonly window: WindowLevel;
}
