// A procedural head phantom: nested ellipsoids for scalp, brain, white matter, ventricles
// and deep nuclei, with a fine texture so that local features exist everywhere. It needs no
// data package, so the sample pair works on any machine, offline.

import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorld, voxelCount } from '../../../shared/geometry/grid';
import type { LabelEntry } from '../../../shared/contract/image-channels';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { identityMatrix } from '../../../shared/math/matrix';

interface Ellipsoid {
  centre: [number, number, number];
  radii: [number, number, number];
  intensity: number;
  label: number;
}

// LPS millimetres: +x left, +y posterior, +z superior.
const structures: Ellipsoid[] = [
  { centre: [0, 0, 0], radii: [75, 92, 78], intensity: 0.35, label: 0 }, // scalp and skull
  { centre: [0, 0, 4], radii: [66, 82, 66], intensity: 0.05, label: 0 }, // CSF around the brain
  { centre: [-31, 0, 5], radii: [32, 76, 60], intensity: 0.55, label: 1 }, // right hemisphere cortex
  { centre: [31, 0, 5], radii: [32, 76, 60], intensity: 0.55, label: 2 },
  { centre: [-26, 0, 8], radii: [22, 60, 44], intensity: 0.85, label: 3 }, // right white matter
  { centre: [26, 0, 8], radii: [22, 60, 44], intensity: 0.85, label: 4 },
  { centre: [-9, -6, 12], radii: [6, 26, 9], intensity: 0.12, label: 5 }, // right lateral ventricle
  { centre: [9, -6, 12], radii: [6, 26, 9], intensity: 0.12, label: 6 },
  { centre: [-20, -4, -4], radii: [8, 12, 9], intensity: 0.65, label: 7 }, // right nucleus
  { centre: [20, -4, -4], radii: [8, 12, 9], intensity: 0.65, label: 8 },
  { centre: [0, 50, -42], radii: [40, 22, 18], intensity: 0.6, label: 9 }, // cerebellum
];

export const phantomLabels: LabelEntry[] = [
  { value: 1, name: 'Cortex_R', color: [230, 120, 90] },
  { value: 2, name: 'Cortex_L', color: [90, 150, 230] },
  { value: 3, name: 'WhiteMatter_R', color: [240, 200, 120] },
  { value: 4, name: 'WhiteMatter_L', color: [130, 210, 240] },
  { value: 5, name: 'Ventricle_R', color: [200, 60, 60] },
  { value: 6, name: 'Ventricle_L', color: [60, 90, 200] },
  { value: 7, name: 'Nucleus_R', color: [220, 220, 60] },
  { value: 8, name: 'Nucleus_L', color: [60, 220, 160] },
  { value: 9, name: 'Cerebellum', color: [180, 100, 220] },
];

function inside(e: Ellipsoid, p: number[]): boolean {
  let s = 0;
  for (let a = 0; a < 3; a++) s += ((p[a] - e.centre[a]) / e.radii[a]) ** 2;
  return s <= 1;
}

/** A smooth deterministic texture, ±1: sums of sines at a few centimetre scales. */
function texture(p: number[]): number {
  return (
    0.5 * Math.sin(p[0] * 0.21 + p[1] * 0.11) * Math.cos(p[2] * 0.17) +
    0.3 * Math.sin(p[1] * 0.33 - p[2] * 0.23 + 1.3) +
    0.2 * Math.cos(p[0] * 0.41 + p[2] * 0.37 - 0.7)
  );
}

export function headPhantom(spacingMm = 2): { image: ScalarImage<Float32Array>; labels: ScalarImage<Uint8Array> } {
  const size = [180, 216, 180].map((mm) => Math.round(mm / spacingMm));
  const grid: ImageGrid = {
    size,
    spacing: [spacingMm, spacingMm, spacingMm],
    origin: size.map((n) => (-(n - 1) * spacingMm) / 2),
    direction: identityMatrix(3),
  };
  const n = voxelCount(grid);
  const image = new Float32Array(n);
  const labels = new Uint8Array(n);
  const p: number[] = [];
  let i = 0;
  for (let z = 0; z < size[2]; z++)
    for (let y = 0; y < size[1]; y++)
      for (let x = 0; x < size[0]; x++, i++) {
        indexToWorld(grid, [x, y, z], p);
        let value = 0;
        let label = 0;
        for (const s of structures)
          if (inside(s, p)) {
            value = s.intensity;
            label = s.label;
          }
        if (value > 0.2) value *= 1 + 0.12 * texture(p);
        image[i] = 1000 * value;
        labels[i] = label;
      }
  return { image: { grid, pixels: image }, labels: { grid, pixels: labels } };
}
