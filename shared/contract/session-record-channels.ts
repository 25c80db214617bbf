// The session as a window or tab shows it, kept in the engine: a reload, or a second tab,
// finds the same images in the same parts, the finished jobs, the result on show, the
// landmarks and the view, instead of an empty workstation. The engine keeps the pixels and
// the results; the record only names them.

import { z } from 'zod';
import { emptySchema, noProgressSchema } from './common-schemas';
import { imageSourceSchema } from './image-channels';
import { landmarkSchema } from './inspection-channels';
import { registrationInputsSchema } from './registration-channels';
import { registrationOverridesSchema } from './registration-parameters';
import { compareViewSchema, imagePartSchema } from './workspace-channels';

/** What a finished job's card says of it: how long, on what, and how well. */
export const jobSummarySchema = z.object({
  seconds: z.number(),
  backend: z.string(),
  nccAfter: z.number().optional(),
  diceAfter: z.number().optional(),
  foldPercent: z.number().optional(),
});
export type JobSummary = z.infer<typeof jobSummarySchema>;

/** A finished job card: running jobs belong to the tab that runs them. */
export const recordedJobSchema = z.object({
  label: z.string(),
  inputs: registrationInputsSchema,
  /** The preset it ran with. */
  preset: z.string().optional(),
  status: z.enum(['done', 'failed', 'cancelled']),
  /** The engine's id of its result (done jobs). */
  jobId: z.string().nullable(),
  summary: jobSummarySchema.nullable(),
  error: z.string().nullable(),
  /** The folder its outputs were last written to (an export, or a saved workspace): it reopens from there. */
  exportedTo: z.string().optional(),
});
export type RecordedJob = z.infer<typeof recordedJobSchema>;

export const sessionRecordSchema = z.object({
  /** The engine's ids of the loaded images, in the image list's order. */
  images: z.array(z.object({ id: z.string(), source: imageSourceSchema, part: imagePartSchema.nullable() })),
  registration: z.object({
    preset: z.string(),
    overrides: registrationOverridesSchema,
    /** The user chose the preset (else the pair's dimension chooses it). */
    presetPicked: z.boolean().optional(),
  }),
  jobs: z.array(recordedJobSchema),
  /** The result on show. */
  shownJobId: z.string().nullable(),
  landmarks: z.array(landmarkSchema),
  compare: compareViewSchema.nullable(),
  /** The moving image moved by hand: the start of its next registration. */
  manualAlignment: z
    .object({ imageId: z.string(), translationMm: z.tuple([z.number(), z.number(), z.number()]), rotationDeg: z.tuple([z.number(), z.number(), z.number()]) })
    .nullable()
    .optional(),
});
export type SessionRecord = z.infer<typeof sessionRecordSchema>;

export const sessionRecordChannels = {
  /** The tab's state changed: the engine keeps the newest record, for whoever connects next. */
  'session.record': {
    request: z.object({ record: sessionRecordSchema }),
    progress: noProgressSchema,
    result: emptySchema,
  },
  /**
   * The kept record, with only the images the engine still holds; `heldJobIds` are the results
   * it still holds (it keeps the last few; older ones reopen from where they were exported).
   */
  'session.restore': {
    request: emptySchema,
    progress: noProgressSchema,
    result: z.object({ record: sessionRecordSchema.nullable(), heldJobIds: z.array(z.string()) }),
  },
} as const;
