// The viewer's public inputs: the layers to show (bottom to top) and how to compare a fixed
// image with a moving one. Plain data; the app builds these from what the engine returns.

import type { LoadedImage } from '../../../shared/contract/image-channels';
import type { ScalarImage, VectorImage } from '../../../shared/image/voxel-image';
import type { ColormapName, HeatmapScale } from './colormaps';
import type { WindowLevel } from './window-level';

export type LayerKind = 'image' | 'labels' | 'jacobian' | 'displacement' | 'grid' | 'heatmap';

interface LayerCommon {
  /** Unique among the layers; compare settings and events refer to layers by it. */
  readonly id: string;
  /** Shown in readouts and lists; defaults to the image's name or the kind. */
  readonly name?: string;
  /** Default true. */
  readonly visible?: boolean;
  /** 0..1; defaults per kind (see DEFAULT_OPACITY). */
  readonly opacity?: number;
}

export interface ImageLayer extends LayerCommon {
  readonly kind: 'image';
  readonly image: LoadedImage;
  /** Default 'gray'. */
  readonly colormap?: ColormapName;
  /** Initial window; default p1..p99 of the image ("MRI auto"). The user may change it. */
  readonly window?: WindowLevel;
  /** Default 'linear'. */
  readonly interpolation?: 'linear' | 'nearest';
}

export interface LabelLayer extends LayerCommon {
  readonly kind: 'labels';
  /** Integer labels; names and colours from image.info.labels where present. */
  readonly image: LoadedImage;
  /** Draw each label's outline instead of filling it. */
  readonly outline?: boolean;
  /** Outline width in screen-sized texels, 1..5 (default 1). */
  readonly outlineWidth?: number;
}

/** det J of x ↦ x + u(x), colour-mapped, folds (det J ≤ 0) in yellow. */
export interface JacobianLayer extends LayerCommon {
  readonly kind: 'jacobian';
  /** Displacement in world mm, D interleaved components, usually on the fixed grid. */
  readonly field: VectorImage;
}

/** |u(x)| colour-mapped. */
export interface DisplacementLayer extends LayerCommon {
  readonly kind: 'displacement';
  readonly field: VectorImage;
  readonly window?: WindowLevel;
}

/** A regular grid in each slice plane, drawn deformed by x ↦ x + u(x). */
export interface GridLayer extends LayerCommon {
  readonly kind: 'grid';
  readonly field: VectorImage;
  /** Line spacing in mm (default 5). */
  readonly spacingMm?: number;
  /** CSS colour (default a light cyan). */
  readonly color?: string;
}

/**
 * A similarity map on its own grid (e.g. where a point's features match in this image):
 * 0..255, 255 the best match. Low values are transparent, so the anatomy shows through.
 */
export interface HeatmapLayer extends LayerCommon {
  readonly kind: 'heatmap';
  /** A new object for new values: the facade swaps the texture of a same-grid map in place. */
  readonly values: ScalarImage<Uint8Array>;
  /** Default 'hot'. */
  readonly colormap?: ColormapName;
  /** Default 'log': everything from 1/255 of the peak shows. */
  readonly scale?: HeatmapScale;
}

export type ViewerLayer = ImageLayer | LabelLayer | JacobianLayer | DisplacementLayer | GridLayer | HeatmapLayer;

export const DEFAULT_OPACITY: Record<LayerKind, number> = {
  image: 1,
  labels: 0.5,
  jacobian: 0.6,
  displacement: 0.6,
  grid: 1,
  heatmap: 0.7,
};

export type CompareMode = 'blend' | 'side-by-side' | 'checkerboard' | 'difference' | 'flicker' | 'fusion' | 'curtain';

export const COMPARE_MODES: readonly { id: CompareMode; label: string }[] = [
  { id: 'blend', label: 'Blend' },
  { id: 'side-by-side', label: 'Side by side' },
  { id: 'checkerboard', label: 'Checkerboard' },
  { id: 'difference', label: 'Difference' },
  { id: 'flicker', label: 'Flicker' },
  { id: 'fusion', label: 'Magenta/Green fusion' },
  { id: 'curtain', label: 'Curtain' },
];

/**
 * Comparing the fixed image with a moving one. `after` and `before` name the layers that
 * belong to each state (the warped moving image, warped labels, the field's overlays...);
 * key "b" switches which set shows. The first image layer of the showing set is "the
 * moving image" the compare mode composes with the fixed image.
 */
export interface CompareSettings {
  readonly fixedLayerId: string;
  readonly after: readonly string[];
  readonly before?: readonly string[];
  readonly showing: 'before' | 'after';
  readonly mode: CompareMode;
  /** Blend: the moving image's opacity, 0..1. */
  readonly blendOpacity: number;
  /** Checkerboard tile side in mm. */
  readonly tileMm: number;
  /** Curtain: the split's position as a fraction of the view width, 0..1. */
  readonly curtain: number;
  /** Flicker: image swaps per second. */
  readonly flickerHz: number;
}

export const DEFAULT_COMPARE: Omit<CompareSettings, 'fixedLayerId' | 'after'> = {
  showing: 'after',
  mode: 'blend',
  blendOpacity: 0.5,
  tileMm: 20,
  curtain: 0.5,
  flickerHz: 2,
};

export function layerName(layer: ViewerLayer): string {
  if (layer.name) return layer.name;
  return 'image' in layer ? layer.image.info.name : layer.kind;
}

export function isVisible(layer: ViewerLayer): boolean {
  return layer.visible !== false;
}

export function layerOpacity(layer: ViewerLayer): number {
  return Math.min(1, Math.max(0, layer.opacity ?? DEFAULT_OPACITY[layer.kind]));
}

/** A label the user picked, from a list or a view. */
export interface LabelSelection {
  readonly layerId: string;
  readonly value: number;
  readonly name?: string;
}
