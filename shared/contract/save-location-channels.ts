// Where the UI may save, and whether it may replace what is there.
//
// In Electron the host answers `files.chooseSaveLocation` with a native dialog, and gives the
// page a grant for the path the user chose: a random id the host remembers with that path.
// The host forwards a write (workspace.save, registration.export) only when it carries the
// grant of the path it names, so a script injected into the page can write only where the
// user just clicked. In browser mode there is no native dialog: the host answers that the
// page must ask the user itself, and the page, authorized by the per-launch token, is the
// user's agent. In both, the engine refuses to replace a file XiMorph did not write unless
// the request says the user confirmed it (a NEEDS_CHOICE error carrying `replaceChoice`).

import { z } from 'zod';
import { noProgressSchema } from './common-schemas';

export const savePurposeSchema = z.enum(['workspace', 'export', 'landmarks']);
export type SavePurpose = z.infer<typeof savePurposeSchema>;

/** The host's grant for a location chosen in a native dialog; the engine ignores it. */
export const saveGrantSchema = z.string().min(1).max(200);

export const saveLocationChannels = {
  'files.chooseSaveLocation': {
    request: z.object({
      /** A workspace file (a .json file, with its results folder beside it), an export folder, or a landmarks file. */
      purpose: savePurposeSchema,
      /** Where the dialog starts. */
      suggestedPath: z.string().optional(),
    }),
    progress: noProgressSchema,
    result: z.discriminatedUnion('outcome', [
      /** A native dialog asked, confirming any replacement itself. */
      z.object({ outcome: z.literal('chosen'), path: z.string().min(1), grant: saveGrantSchema }),
      z.object({ outcome: z.literal('cancelled') }),
      /** No native dialog here (browser mode): the page asks with its own. */
      z.object({ outcome: z.literal('askInPage') }),
    ]),
  },
  /**
   * Opens a folder just written to in the desktop's file manager: only the one the user chose
   * (the grant's), in Electron. In browser mode the folder is on the engine's machine, not the
   * user's: 'notHere', and the page shows its path instead.
   */
  'files.reveal': {
    request: z.object({ path: z.string().min(1), grant: saveGrantSchema }),
    progress: noProgressSchema,
    result: z.object({ outcome: z.enum(['shown', 'notHere']) }),
  },
} as const;

/** The details of the NEEDS_CHOICE error that asks before a write replaces a file XiMorph did not write. */
export const replaceChoiceSchema = z.object({
  replaceChoice: z.object({ path: z.string(), reason: z.string() }),
});
export type ReplaceChoice = z.infer<typeof replaceChoiceSchema>['replaceChoice'];

/** The replacement a NEEDS_CHOICE error asks about, if that is what it asks. */
export function replaceChoiceOf(error: { code?: string; details?: unknown }): ReplaceChoice | null {
  if (error.code !== 'NEEDS_CHOICE') return null;
  const parsed = replaceChoiceSchema.safeParse(error.details);
  return parsed.success ? parsed.data.replaceChoice : null;
}
