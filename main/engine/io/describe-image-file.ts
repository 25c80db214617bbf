// What `ximorph info` and the "describe" channel show about a file: its full description,
// which needs the pixels (range, percentiles, role), so the file is read once, entirely.

import type { JobContext } from '../job-context';
import { silentJob } from '../job-context';
import type { ImageDescription } from './image-description';
import type { ReadImageOptions } from './read-image-file';
import { readImageFile } from './read-image-file';

export async function describeImageFile(filePath: string, options: ReadImageOptions = {}, context: JobContext = silentJob): Promise<ImageDescription> {
  return (await readImageFile(filePath, options, context)).info;
}
