// The engine and the session: what runs, what to open at startup, files to browse.

import { z } from 'zod';
import { emptySchema, noProgressSchema } from './common-schemas';
import { imageSourceSchema } from './image-channels';

export const backendNameSchema = z.enum(['tensorflow-gpu', 'webgpu', 'tensorflow-cpu', 'wasm', 'cpu']);
export type BackendName = z.infer<typeof backendNameSchema>;

export const backendInfoSchema = z.object({
  name: backendNameSchema,
  /** Details worth reporting: SIMD, threads, the GPU's name. */
  detail: z.string(),
  /** What was tried before this one, and why it was not taken. */
  fallbacks: z.array(z.object({ name: backendNameSchema, reason: z.string() })),
});
export type BackendInfo = z.infer<typeof backendInfoSchema>;

export const sampleSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  items: z.array(z.object({ item: z.string(), title: z.string(), role: z.enum(['fixed', 'moving', 'fixedLabels', 'movingLabels']) })),
});
export type Sample = z.infer<typeof sampleSchema>;

export const fileEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  kind: z.enum(['file', 'directory']),
  size: z.number().optional(),
  /** Whether XiMorph can open it: an image file, or a folder to scan for DICOM. */
  openable: z.boolean(),
});
export type FileEntry = z.infer<typeof fileEntrySchema>;

export const sessionChannels = {
  'engine.describe': {
    request: emptySchema,
    progress: noProgressSchema,
    result: z.object({ version: z.string(), backend: backendInfoSchema, samples: z.array(sampleSchema) }),
  },
  'session.startup': {
    request: emptySchema,
    progress: noProgressSchema,
    result: z.object({
      /** Images named on the command line, to load when the UI opens, in order. */
      sources: z.array(imageSourceSchema),
      /** Where a user keeps files on the engine's machine: ~/Documents where it exists, else home. */
      documentsFolder: z.string(),
    }),
  },
  'files.list': {
    request: z.object({ directory: z.string().optional() }),
    progress: noProgressSchema,
    result: z.object({
      directory: z.string(),
      parent: z.string().nullable(),
      entries: z.array(fileEntrySchema),
      places: z.array(z.object({ title: z.string(), path: z.string() })),
    }),
  },
  'files.recent': {
    request: emptySchema,
    progress: noProgressSchema,
    result: z.object({ paths: z.array(z.string()) }),
  },
} as const;

export const sessionEvents = {
  /** The host asks the UI to open files: the Electron menu, a second launch, a drop on the dock. */
  'files.openRequested': z.object({ sources: z.array(imageSourceSchema) }),
} as const;
