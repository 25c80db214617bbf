// What to open when the UI starts: the files named on the command line, or the sample pair.

import path from 'node:path';
import type { ImageSource } from '../../shared/contract/index';

/** The best sample this machine has; the engine resolves it (see engine/samples). */
export const defaultSampleId = 'default';

export function sampleSources(sampleId = defaultSampleId): ImageSource[] {
  return ['fixed', 'moving', 'fixed-labels', 'moving-labels'].map((item) => ({ kind: 'sample', sampleId, item }));
}

export function startupSources(files: readonly string[], options: { sample?: boolean } = {}): ImageSource[] {
  const sources: ImageSource[] = files.map((file) => ({ kind: 'path', path: path.resolve(file) }));
  return options.sample ? [...sampleSources(), ...sources] : sources;
}
