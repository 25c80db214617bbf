// Finished registrations the session keeps, so that the user can export them, copy their
// command line, or judge them, after the job that made them has returned.

import { randomUUID } from 'node:crypto';
import type { RegistrationOverrides } from '../../shared/contract/index';
import { EngineError } from '../../shared/contract/errors';
import type { RegistrationResult } from '../engine/registration/result';
import type { Provenance } from '../engine/result-folder/registration-report';
import type { CommandInputs } from '../engine/registration-job/reproduce-command';

export interface StoredRegistration {
  readonly result: RegistrationResult;
  readonly seconds: number;
  readonly provenance: Omit<Provenance, 'command'>;
  readonly overrides: RegistrationOverrides;
  readonly preset?: string;
  readonly commandInputs: Omit<CommandInputs, 'out'>;
  lastExport?: string;
  /** The command a reopened result was made with, as its report.json names it. */
  readonly originalCommand?: string;
  /** The session images it registered (a result reopened from a folder has none). */
  readonly fixedImageId?: string;
  readonly movingImageId?: string;
  /** The session images made for its display (the warped image and labels), released with it. */
  imageIds: string[];
  /** Which of them is which, to show the result again. */
  shown?: { warpedMoving: string; warpedMovingLabels?: string };
}

/** Results are large (full-resolution fields); keep the most recent few. */
const kept = 2;

export class RegistrationStore {
  readonly #results = new Map<string, StoredRegistration>();
  readonly #onEvict: (entry: StoredRegistration) => void;

  constructor(onEvict: (entry: StoredRegistration) => void) {
    this.#onEvict = onEvict;
  }

  add(entry: StoredRegistration): string {
    const id = randomUUID();
    this.#results.set(id, entry);
    while (this.#results.size > kept) {
      const [oldest, evicted] = this.#results.entries().next().value!;
      this.#results.delete(oldest);
      this.#onEvict(evicted);
    }
    return id;
  }

  /** Lets go of a result and the images made for it; nothing if it is gone already. */
  release(id: string): void {
    const entry = this.#results.get(id);
    if (!entry) return;
    this.#results.delete(id);
    this.#onEvict(entry);
  }

  has(id: string): boolean {
    return this.#results.has(id);
  }

  get(id: string): StoredRegistration {
    const entry = this.#results.get(id);
    if (!entry) throw new EngineError('NOT_FOUND', 'that registration is no longer held by the engine (only the last few are kept); run it again');
    return entry;
  }
}
