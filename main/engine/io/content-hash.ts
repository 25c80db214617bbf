// A file's SHA-256, read as a stream: cache keys that follow a file's content, not its name.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function contentHash(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
