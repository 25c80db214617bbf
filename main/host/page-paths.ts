// Paths from a page (a window, a browser tab) are the user's, typed or picked: a relative one
// would be read against the engine's working folder — the folder XiMorph was started in, its
// install folder, say — which the user never sees. An export typed as "results/run1" was written
// there, and said "Wrote 6 files to results/run1". So a page names every file and folder in
// full; the command line, whose relative paths are the user's own working folder's, does not
// come through here. (A suggestion for a save dialog is no path read or written, and passes.)

import type { ChannelName, RequestOf } from '../../shared/contract/index';
import { EngineError } from '../../shared/contract/errors';
import type { GateAnswer } from './request-gate';
import { parseRequest, refusal } from './request-gate';

type PathsOf = { [C in ChannelName]?: (request: RequestOf<C>) => (string | undefined)[] };

/** The paths each channel's request names, by channel. */
const pathsOf: PathsOf = {
  'image.load': ({ source }) => [source.kind === 'path' ? source.path : source.kind === 'dicomSeries' ? source.folder : undefined],
  'image.describe': (r) => [r.path],
  'image.listDicomSeries': (r) => [r.folder],
  'landmarks.read': (r) => [r.path],
  'landmarks.write': (r) => [r.path],
  'registration.export': (r) => [r.directory],
  'registration.open': (r) => [r.directory],
  'workspace.save': (r) => [r.path],
  'workspace.open': (r) => [r.path],
  'files.list': (r) => [r.directory],
  'training.run': (r) => [r.out, r.data.kind === 'folder' ? r.data.folder : undefined, r.data.kind === 'folder' ? r.data.synthetic?.atlas : undefined, r.validation?.image, r.validation?.labels],
  'models.import': (r) => [r.folder],
};

/** A path in full: from the root (/…), a drive (C:\…) or a network share (\\server\…). */
export function isFullPath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/** The refusal of a request from a page that names a file or folder by a relative path; undefined if it names none. */
export function relativePathRefusal(channel: ChannelName, payload: unknown): Promise<GateAnswer> | undefined {
  const paths = pathsOf[channel] as ((request: unknown) => (string | undefined)[]) | undefined;
  if (!paths) return undefined;
  const parsed = parseRequest(channel, payload);
  if ('answer' in parsed) return undefined; // the engine says what is wrong with it
  const relative = paths(parsed.request).find((p) => p !== undefined && p !== '' && !isFullPath(p));
  if (relative === undefined) return undefined;
  return refusal(
    new EngineError('BAD_INPUT', `${relative}: give the full path, from /; a relative path would be taken from the folder XiMorph was started in, not one you chose`, { file: relative }),
  );
}
