// The recent-files list, most recent first, persisted as JSON in the config folder.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { writeAtomically } from '../io/atomic-write';
import { silentJob } from '../job-context';

const limit = 15;

export class RecentFiles {
  readonly #file: string;

  constructor(configDirectory: string) {
    this.#file = path.join(configDirectory, 'recent-files.json');
  }

  async list(): Promise<string[]> {
    try {
      const data: unknown = JSON.parse(await fs.readFile(this.#file, 'utf8'));
      return Array.isArray(data) ? data.filter((p): p is string => typeof p === 'string') : [];
    } catch {
      return []; // Missing or unreadable: start afresh rather than fail the app.
    }
  }

  async add(filePath: string): Promise<void> {
    const absolute = path.resolve(filePath);
    const paths = [absolute, ...(await this.list()).filter((p) => p !== absolute)].slice(0, limit);
    await fs.mkdir(path.dirname(this.#file), { recursive: true });
    await writeAtomically(this.#file, silentJob, (staging) => writeFile(staging, JSON.stringify(paths, null, 2)));
  }
}
