// The models a user can pick as the featurizer: those shipped with XiMorph (models/ in the
// installation) and the user's own, kept in the app's data folder. A model is named by its
// folder's name; `--model` and the UI accept a name from this list or any model folder's path.

import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../../../shared/contract/errors';
import { removeStalePartials, stagingName } from '../io/staging-names';
import type { ModelCard } from './model-files';
import { readModelFolder } from './model-files';

export interface ModelEntry {
  readonly name: string;
  readonly path: string;
  /** Shipped with XiMorph (read-only), or the user's. */
  readonly bundled: boolean;
  readonly dimension: 2 | 3;
  readonly channels: number;
  readonly resolutionMm: number;
  readonly card?: ModelCard;
}

/** The installation's root: the nearest folder above this module with XiMorph's package.json. */
function installationRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'models'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return '';
    dir = parent;
  }
}

export const bundledModelsFolder = (): string => path.join(installationRoot(), 'models');

const validName = /^[\w][\w.+-]*$/;

export class ModelRegistry {
  constructor(
    /** The user's models: the app's data folder's models/. */
    readonly userFolder: string,
    readonly bundledFolder: string = bundledModelsFolder(),
  ) {}

  async #entriesIn(folder: string, bundled: boolean): Promise<ModelEntry[]> {
    const names = await readdir(folder).catch(() => [] as string[]);
    const entries: ModelEntry[] = [];
    for (const name of names.sort()) {
      if (name.startsWith('.')) continue;
      const model = await readModelFolder(path.join(folder, name)).catch(() => undefined);
      if (model)
        entries.push({ name, path: model.folder, bundled, dimension: model.spec.dimension, channels: model.spec.channels, resolutionMm: model.resolutionMm, card: model.card });
    }
    return entries;
  }

  /** The user's models first: a user's model of a bundled one's name shadows it. */
  async list(): Promise<ModelEntry[]> {
    const user = await this.#entriesIn(this.userFolder, false);
    const bundled = (await this.#entriesIn(this.bundledFolder, true)).filter((b) => !user.some((u) => u.name === b.name));
    return [...user, ...bundled];
  }

  /** A model folder from a name in the list or a path; a clear error naming the choices otherwise. */
  async resolve(nameOrPath: string): Promise<string> {
    if (nameOrPath.includes('/') || nameOrPath.includes(path.sep) || existsSync(nameOrPath)) return path.resolve(nameOrPath);
    const entry = (await this.list()).find((e) => e.name === nameOrPath);
    if (entry) return entry.path;
    const names = (await this.list()).map((e) => e.name);
    throw new EngineError('NOT_FOUND', `no model named "${nameOrPath}"; ${names.length ? `the models are ${names.join(', ')}` : 'no models are installed'} (or give a model folder's path)`);
  }

  /** Copies a model folder into the user's models under `name` (checked first; whole or not at all). */
  async import(folder: string, name = path.basename(path.resolve(folder))): Promise<ModelEntry> {
    if (!validName.test(name)) throw new EngineError('BAD_INPUT', `"${name}" cannot name a model: use letters, digits, '.', '-', '_' or '+'`);
    const model = await readModelFolder(folder);
    const target = path.join(this.userFolder, name);
    await mkdir(this.userFolder, { recursive: true });
    await removeStalePartials(this.userFolder, name);
    const staging = path.join(this.userFolder, stagingName(name, 'partial'));
    // The model, not the run that made it: a training folder's checkpoint stays behind.
    await cp(model.folder, staging, { recursive: true, filter: (source) => path.relative(model.folder, source).split(path.sep)[0] !== 'training' });
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
    return { name, path: target, bundled: false, dimension: model.spec.dimension, channels: model.spec.channels, resolutionMm: model.resolutionMm, card: model.card };
  }

  async delete(name: string): Promise<void> {
    const entry = (await this.list()).find((e) => e.name === name);
    if (!entry) throw new EngineError('NOT_FOUND', `no model named "${name}"`);
    if (entry.bundled) throw new EngineError('FORBIDDEN', `"${name}" ships with XiMorph and cannot be deleted`);
    await rm(entry.path, { recursive: true, force: true });
  }
}
