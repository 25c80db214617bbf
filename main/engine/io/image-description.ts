// The metadata that travels with every loaded image: where it came from, its grid, its
// intensities (range and robust percentiles for windowing), whether it is a label map and
// what its labels are called, and what the user should know about how it was read.

import type { ImageInfo, ImageRole, LabelEntry } from '../../../shared/contract/image-channels';
import type { ScalarImage } from '../../../shared/image/voxel-image';
import { componentTypeOf } from '../../../shared/image/voxel-image';
import { distinctValues, finiteRange, percentiles } from '../../../shared/image/statistics';
import type { FileRef } from './file-problems';
import { detectImageRole, maxLabelValues } from './image-role';
import { readLabelSidecars } from './label-tables';
import type { StoredPixelKind } from './pixel-kinds';

/** Everything in ImageInfo but the id, which whoever keeps the image assigns. */
export type ImageDescription = Omit<ImageInfo, 'id'>;

export interface LoadedImageFile {
  readonly image: ScalarImage;
  readonly info: ImageDescription;
}

export interface DescriptionInputs {
  readonly ref: FileRef;
  /** A path where there is one; a description otherwise. */
  readonly source: string;
  readonly format: string;
  readonly image: ScalarImage;
  readonly stored: StoredPixelKind;
  readonly nonFinite: number;
  readonly warnings: readonly string[];
  /** The caller's choice of role, which overrides detection. */
  readonly role?: ImageRole;
  /** The file itself says it holds labels (NIfTI intent "label"). */
  readonly declaredLabels?: boolean;
  /** Where to look for label-name sidecars; absent for images without a file of their own. */
  readonly sidecarsBeside?: string;
}

export async function describeImage(inputs: DescriptionInputs): Promise<ImageDescription> {
  const { image } = inputs;
  const pixels = image.pixels;
  const range = finiteRange(pixels);
  const [p1, p50, p99] = percentiles(pixels, [1, 50, 99], { ignoreZeros: true });
  const labels: LabelEntry[] | undefined = inputs.sidecarsBeside
    ? await readLabelSidecars(inputs.sidecarsBeside, () => distinctValues(pixels, maxLabelValues) ?? [])
    : undefined;
  const role =
    inputs.role ??
    detectImageRole(pixels, image.grid.size[0], { hasLabelNames: labels !== undefined, declaredLabels: inputs.declaredLabels ?? false });
  return {
    name: inputs.ref.name,
    source: inputs.source,
    format: inputs.format,
    grid: {
      size: [...image.grid.size],
      spacing: [...image.grid.spacing],
      origin: [...image.grid.origin],
      direction: [...image.grid.direction],
    },
    componentType: componentTypeOf(pixels),
    pixelType: inputs.stored.pixelType,
    components: inputs.stored.components,
    range: { min: range.min, max: range.max },
    percentiles: { p1, p50, p99 },
    role,
    ...(labels ? { labels } : {}),
    nonFinite: inputs.nonFinite,
    warnings: [...inputs.warnings],
  };
}
