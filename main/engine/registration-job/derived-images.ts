// Descriptions of images the engine makes itself (warped images, Jacobians), so that they
// travel and display like loaded ones.

import type { ImageInfo, LabelEntry } from '../../../shared/contract/index';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { componentTypeOf } from '../../../shared/image/voxel-image';
import { finiteRange, percentiles } from '../../../shared/image/statistics';

export function describeDerivedImage(
  name: string,
  source: string,
  image: ScalarImage,
  role: 'intensity' | 'labels',
  labels?: LabelEntry[],
): Omit<ImageInfo, 'id'> {
  const range = finiteRange(image.pixels);
  const [p1, p50, p99] = percentiles(image.pixels, [1, 50, 99], { ignoreZeros: true });
  return {
    name,
    source,
    format: 'computed',
    grid: { size: [...image.grid.size], spacing: [...image.grid.spacing], origin: [...image.grid.origin], direction: [...image.grid.direction] },
    componentType: componentTypeOf(image.pixels),
    pixelType: 'Scalar',
    components: 1,
    range: { min: range.min, max: range.max },
    percentiles: { p1, p50, p99 },
    role,
    ...(labels ? { labels } : {}),
    nonFinite: range.nonFinite,
    warnings: [],
  };
}
