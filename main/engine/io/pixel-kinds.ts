// Images arrive as single-component scalars. Files store other kinds of pixels too: RGB(A)
// images, many of which are grayscale saved in colour (the ITK example PNGs are), and
// vector images such as displacement fields. We unpack the first kind when it is honest
// gray, and refuse the others with a reason.

import { EngineError } from '../../../shared/contract/errors';
import type { PixelArray } from '../../../shared/image/voxel-image';
import type { FileRef } from './file-problems';

export interface StoredPixelKind {
  readonly pixelType: string;
  readonly components: number;
}

const colourTypes = new Set(['RGB', 'RGBA']);

/** Refuses, before any pixel is read, pixel kinds that are neither scalar nor colour. */
export function checkPixelKind(ref: FileRef, kind: StoredPixelKind): void {
  if (kind.components === 1 || colourTypes.has(kind.pixelType)) return;
  if (kind.pixelType === 'Complex')
    throw new EngineError('UNSUPPORTED', `${ref.name}: the image holds complex numbers; XiMorph loads real-valued scalar images (save the magnitude)`, { file: ref.path });
  throw new EngineError(
    'UNSUPPORTED',
    `${ref.name}: each voxel holds ${kind.components} values (${kind.pixelType} pixels, for example a displacement field), not one intensity; XiMorph loads scalar images`,
    { file: ref.path, details: { pixelType: kind.pixelType, components: kind.components } },
  );
}

/** Whether the first three channels agree at every voxel. */
function channelsAreEqual(pixels: PixelArray, components: number): boolean {
  for (let i = 0; i < pixels.length; i += components) if (pixels[i] !== pixels[i + 1] || pixels[i] !== pixels[i + 2]) return false;
  return true;
}

function firstChannel(pixels: PixelArray, components: number): PixelArray {
  const Constructor = pixels.constructor as new (n: number) => PixelArray;
  const out = new Constructor(pixels.length / components);
  for (let i = 0, j = 0; j < out.length; i += components, j++) out[j] = pixels[i];
  return out;
}

/** A scalar array from a colour one whose channels are all equal, with a warning saying so. */
export function grayFromColour(ref: FileRef, kind: StoredPixelKind, pixels: PixelArray): { pixels: PixelArray; warning?: string } {
  if (kind.components === 1) return { pixels };
  if (!channelsAreEqual(pixels, kind.components))
    throw new EngineError('UNSUPPORTED', `${ref.name}: colour images are not supported (convert it to grayscale first)`, {
      file: ref.path,
      details: { pixelType: kind.pixelType, components: kind.components },
    });
  const alpha = kind.components === 4 ? ' (its alpha channel is ignored)' : '';
  return {
    pixels: firstChannel(pixels, kind.components),
    warning: `${ref.name}: stored as ${kind.pixelType} with equal channels; loaded as a grayscale image${alpha}`,
  };
}
