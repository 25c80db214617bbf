// Display windows: presets, the automatic window for MR and other uncalibrated images, and
// the left-drag gesture.

export interface WindowLevel {
  /** Width of the intensity range mapped from black to white. */
  readonly window: number;
  /** Centre of that range. */
  readonly level: number;
}

export interface IntensitySummary {
  readonly range: { readonly min: number; readonly max: number };
  readonly percentiles: { readonly p1: number; readonly p50: number; readonly p99: number };
}

export type WindowPresetId = 'ct-brain' | 'ct-lung' | 'ct-bone' | 'ct-abdomen' | 'mri-auto';

export interface WindowPreset {
  readonly id: WindowPresetId;
  readonly label: string;
  /** Fixed Hounsfield windows; absent for presets computed from the image. */
  readonly window?: WindowLevel;
}

export const WINDOW_PRESETS: readonly WindowPreset[] = [
  { id: 'ct-brain', label: 'CT brain (W80 L40)', window: { window: 80, level: 40 } },
  { id: 'ct-lung', label: 'CT lung (W1500 L-600)', window: { window: 1500, level: -600 } },
  { id: 'ct-bone', label: 'CT bone (W1800 L400)', window: { window: 1800, level: 400 } },
  { id: 'ct-abdomen', label: 'CT abdomen (W400 L50)', window: { window: 400, level: 50 } },
  { id: 'mri-auto', label: 'MRI auto (p1–p99)' },
];

const MIN_WINDOW = 1e-6;

/** p1..p99 of the nonzero voxels; the full range when those collapse (binary or constant images). */
export function autoWindow(image: IntensitySummary): WindowLevel {
  let lo = image.percentiles.p1;
  let hi = image.percentiles.p99;
  if (!(hi > lo)) {
    lo = image.range.min;
    hi = image.range.max;
  }
  if (!(hi > lo)) return { window: 1, level: lo };
  return { window: hi - lo, level: (hi + lo) / 2 };
}

export function presetWindow(id: WindowPresetId, image: IntensitySummary): WindowLevel {
  const preset = WINDOW_PRESETS.find((p) => p.id === id);
  if (!preset) throw new Error(`unknown window preset ${id}`);
  return preset.window ?? autoWindow(image);
}

/** The preset a window equals, if any: what the preset control shows. */
export function matchingPreset(wl: WindowLevel, image: IntensitySummary): WindowPresetId | null {
  for (const p of WINDOW_PRESETS) {
    const w = p.window ?? autoWindow(image);
    if (Math.abs(w.window - wl.window) < 1e-6 * Math.max(1, w.window) && Math.abs(w.level - wl.level) < 1e-6 * Math.max(1, Math.abs(w.level)))
      return p.id;
  }
  return null;
}

/**
 * Left-drag: right widens the window (less contrast), up lowers the level (brighter). One
 * pixel moves by `sensitivity` intensity units.
 */
export function dragWindowLevel(start: WindowLevel, dx: number, dy: number, sensitivity: number): WindowLevel {
  return {
    window: Math.max(MIN_WINDOW, start.window + dx * sensitivity),
    level: start.level + dy * sensitivity,
  };
}

/** Intensity units per dragged pixel: a 300 px drag spans the image's p1..p99 range. */
export function dragSensitivity(image: IntensitySummary): number {
  return Math.max(autoWindow(image).window, MIN_WINDOW) / 300;
}

/** The intensity interval [low, high] a window maps from black to white. */
export function windowRange(wl: WindowLevel): [number, number] {
  return [wl.level - wl.window / 2, wl.level + wl.window / 2];
}
