// What features say about an image: their principal components as colours on a slice.

import { z } from 'zod';
import { bytesSchema, noProgressSchema } from './common-schemas';

export const sliceAxisSchema = z.enum(['axial', 'coronal', 'sagittal']);

export const featureChannels = {
  'features.pcaSlice': {
    request: z.strictObject({
      imageId: z.string(),
      /** 'mind-ssc', 'intensity', or a model's name or folder. */
      model: z.string().min(1),
      axis: sliceAxisSchema,
      /** The slice along the axis on the features' grid; the middle one when absent. */
      index: z.int().nonnegative().optional(),
    }),
    progress: noProgressSchema,
    result: z.object({
      width: z.int().positive(),
      height: z.int().positive(),
      /** RGB bytes, row by row. */
      rgb: bytesSchema,
      index: z.int().nonnegative(),
      /** Slices along the axis. */
      slices: z.int().positive(),
      featurizer: z.string(),
    }),
  },
} as const;
