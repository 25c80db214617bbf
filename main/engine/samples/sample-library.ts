// Sample data for first-time users. No sample is registered yet; the generated brain pair
// comes with the synthetic-pair generator.
import type { ImageSource } from '../../../shared/contract/index';
import { EngineError } from '../../../shared/contract/errors';
import type { LoadableImageSource } from '../io/index';
import type { JobContext } from '../job-context';

export async function resolveSampleSource(
  source: Extract<ImageSource, { kind: 'sample' }>,
  _cacheDirectory: string,
  _context: JobContext,
): Promise<LoadableImageSource> {
  throw new EngineError('NOT_FOUND', `sample ${source.sampleId} is not available in this build`);
}
