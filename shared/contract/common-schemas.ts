// Schemas for the values that many channels share: grids, pixel arrays, progress.

import { z } from 'zod';
import { componentTypes, pixelArrayConstructors } from '../image/voxel-image';
import type { PixelArray } from '../image/voxel-image';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const gridSchema = z
  .object({
    size: z.array(z.int().positive()).min(2).max(3).readonly(),
    spacing: z.array(finite.refine((v) => v > 0, 'spacing must be positive')).readonly(),
    origin: z.array(finite).readonly(),
    direction: z.array(finite).readonly(),
  })
  .refine(
    (g) => g.spacing.length === g.size.length && g.origin.length === g.size.length && g.direction.length === g.size.length ** 2,
    'grid arrays must match its dimension',
  );

export const componentTypeSchema = z.enum(componentTypes);

const pixelArrayTypes = Object.values(pixelArrayConstructors);

/** Any typed array of pixels; typed as our PixelArray so that its buffer type stays open. */
export const pixelArraySchema = z.custom<PixelArray>(
  (value) => pixelArrayTypes.some((C) => value instanceof C),
  'expected a typed array of pixels',
);

export const float32ArraySchema = z.custom<Float32Array>((value) => value instanceof Float32Array, 'expected a Float32Array');

export const bytesSchema = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected bytes');

/** Streamed by every long job: what it is doing, how far along, and how it is going. */
export const progressSchema = z.object({
  stage: z.string(),
  fraction: z.number().min(0).max(1),
  message: z.string().optional(),
  iteration: z.int().nonnegative().optional(),
  elapsedSeconds: z.number().nonnegative().optional(),
  etaSeconds: z.number().nonnegative().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
});
export type Progress = z.infer<typeof progressSchema>;

/** Channels that finish at once declare that they stream nothing. */
export const noProgressSchema = z.never();

export const emptySchema = z.object({}).strict();
