// Workspaces: a JSON file that reopens a session — the loaded files and the part each plays,
// the registration parameters, the results (as exported result folders) and the view.

import { z } from 'zod';
import { noProgressSchema, progressSchema } from './common-schemas';
import { imageRoleSchema } from './image-channels';
import { registrationOverridesSchema } from './registration-parameters';
import { registrationOutcomeSchema } from './registration-channels';
import { landmarkSchema } from './inspection-channels';
import { saveGrantSchema } from './save-location-channels';

/** Sources that can be found again later; dropped uploads cannot. */
export const savedSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().min(1) }),
  z.object({ kind: z.literal('dicomSeries'), folder: z.string().min(1), seriesUid: z.string().min(1) }),
  z.object({ kind: z.literal('sample'), sampleId: z.string().min(1), item: z.string().min(1) }),
]);

/** The part an image plays in a session. */
export const imagePartSchema = z.enum(['fixed', 'moving', 'fixedLabels', 'movingLabels', 'fixedMask', 'movingMask']);
export type ImagePart = z.infer<typeof imagePartSchema>;

/** How the viewer compares the pair: the overlay mode, its settings, and before or after. */
export const compareViewSchema = z
  .object({ mode: z.string(), blendOpacity: z.number(), tileMm: z.number(), curtain: z.number(), flickerHz: z.number(), showing: z.enum(['before', 'after']) })
  .partial();
export type CompareView = z.infer<typeof compareViewSchema>;

export const workspaceSchema = z.object({
  format: z.literal('ximorph-workspace'),
  version: z.literal(1),
  images: z.array(
    z.object({
      source: savedSourceSchema,
      name: z.string(),
      loadAs: imageRoleSchema.optional(),
      volumeIndex: z.int().nonnegative().optional(),
      part: imagePartSchema.nullable(),
    }),
  ),
  registration: z.object({ preset: z.string(), overrides: registrationOverridesSchema }),
  /** Result folders written by an export of every output; the shown one is `shownResult`. */
  results: z.array(z.object({ directory: z.string().min(1) })),
  shownResult: z.int().nonnegative().nullable(),
  /** Paired landmarks (fixed ↔ moving points, LPS mm). */
  landmarks: z.array(landmarkSchema).optional(),
  view: z.object({
    compare: compareViewSchema.optional(),
  }),
});
export type Workspace = z.infer<typeof workspaceSchema>;

/**
 * Where a workspace keeps its result folders: beside it, named after it (`study.json` keeps
 * them in `study.results/`). A grant for the workspace file covers the folders in there.
 */
export function resultsFolderOf(workspacePath: string): string {
  return `${workspacePath.replace(/\.json$/i, '')}.results`;
}

export const workspaceChannels = {
  'workspace.save': {
    request: z.object({
      /** A .json file. */
      path: z.string().min(1),
      workspace: workspaceSchema,
      /** The user said yes to replacing a file that is not a XiMorph workspace. */
      overwrite: z.boolean().optional(),
      grant: saveGrantSchema.optional(),
    }),
    progress: noProgressSchema,
    result: z.object({ path: z.string() }),
  },
  'workspace.open': {
    request: z.object({ path: z.string().min(1) }),
    progress: noProgressSchema,
    result: z.object({ path: z.string(), workspace: workspaceSchema }),
  },
  /** A result folder back as a registration the UI can show, export and reproduce. */
  'registration.open': {
    request: z.object({ directory: z.string().min(1) }),
    progress: progressSchema,
    result: registrationOutcomeSchema,
  },
} as const;
