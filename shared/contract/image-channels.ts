// Loading and describing images.

import { z } from 'zod';
import { componentTypeSchema, emptySchema, gridSchema, noProgressSchema, pixelArraySchema, progressSchema } from './common-schemas';
import { uploadIdSchema } from './upload-channels';

/** Where an image comes from. Paths name files on the machine the engine runs on. */
export const imageSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().min(1) }),
  z.object({ kind: z.literal('dicomSeries'), folder: z.string().min(1), seriesUid: z.string().min(1) }),
  /**
   * Files the user dropped from the machine the UI runs on, sent by upload.begin and
   * upload.chunk. Loading removes the upload, unless the engine asks for a choice first.
   */
  z.object({
    kind: z.literal('upload'),
    uploadId: uploadIdSchema,
    /** Of uploaded DICOM files that hold several series: the one chosen. */
    seriesUid: z.string().min(1).optional(),
  }),
  z.object({ kind: z.literal('sample'), sampleId: z.string().min(1), item: z.string().min(1) }),
]);
export type ImageSource = z.infer<typeof imageSourceSchema>;

export const imageRoleSchema = z.enum(['intensity', 'labels']);
export type ImageRole = z.infer<typeof imageRoleSchema>;

export const labelEntrySchema = z.object({ value: z.int(), name: z.string(), color: z.array(z.number()).length(3).optional() });
export type LabelEntry = z.infer<typeof labelEntrySchema>;

export const imageInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** A path where there is one; a description otherwise (an upload, a sample). */
  source: z.string(),
  format: z.string(),
  grid: gridSchema,
  componentType: componentTypeSchema,
  /** Of the file as stored; images are always delivered as single-component scalars. */
  pixelType: z.string(),
  components: z.int().positive(),
  range: z.object({ min: z.number(), max: z.number() }),
  /** 1st, 50th and 99th percentiles over nonzero voxels: for windowing and normalization. */
  percentiles: z.object({ p1: z.number(), p50: z.number(), p99: z.number() }),
  role: imageRoleSchema,
  labels: z.array(labelEntrySchema).optional(),
  /** Voxels that were NaN or infinite in the file; shown as 0, and a registration should refuse them. */
  nonFinite: z.int().nonnegative(),
  warnings: z.array(z.string()),
});
export type ImageInfo = z.infer<typeof imageInfoSchema>;

export const loadedImageSchema = z.object({ info: imageInfoSchema, pixels: pixelArraySchema });
export type LoadedImage = z.infer<typeof loadedImageSchema>;

export const dicomSeriesSchema = z.object({
  seriesUid: z.string(),
  description: z.string(),
  modality: z.string(),
  files: z.int().positive(),
  size: z.array(z.int()).optional(),
});
export type DicomSeries = z.infer<typeof dicomSeriesSchema>;

export const imageChannels = {
  'image.load': {
    request: z.object({
      source: imageSourceSchema,
      /** Force a role; by default integer images with few values are taken as label maps. */
      role: imageRoleSchema.optional(),
      /** For 4D files: which volume to take. */
      volumeIndex: z.int().nonnegative().optional(),
    }),
    progress: progressSchema,
    result: loadedImageSchema,
  },
  'image.describe': {
    request: z.object({ path: z.string().min(1) }),
    progress: noProgressSchema,
    /** What the file holds, without loading it into the session. */
    result: z.object({ info: imageInfoSchema.omit({ id: true }) }),
  },
  'image.listDicomSeries': {
    request: z.object({ folder: z.string().min(1) }),
    progress: progressSchema,
    result: z.object({ folder: z.string(), series: z.array(dicomSeriesSchema) }),
  },
  /** An image the engine holds, again: a reloaded tab shows what it had without reading files. */
  'image.fetch': {
    request: z.object({ id: z.string() }),
    progress: noProgressSchema,
    result: loadedImageSchema,
  },
  'image.release': {
    request: z.object({ id: z.string() }),
    progress: noProgressSchema,
    result: emptySchema,
  },
} as const;
