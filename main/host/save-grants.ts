// Electron's rule for writes: the page writes only where the user chose in a native dialog.
// The page asks for a location (files.chooseSaveLocation); the host shows the dialog and
// answers with the chosen path and a grant, a random id it keeps with that path. A write
// reaches the engine only if it carries the grant of the path it names:
//   - a workspace grant covers workspace.save of its file, and registration.export into a
//     folder directly inside the file's results folder (`study.json` → `study.results/JOB`),
//     where the workspace keeps the result it shows;
//   - an export grant covers registration.export into its folder;
//   - a landmarks grant covers landmarks.write of its file;
//   - an export grant also lets files.reveal open its folder in the file manager.
// Each choice replaces the grant of the previous choice of the same purpose, so a script
// injected into the page can write only where the user last clicked, and only through the
// window (connection) that asked. The dialog itself is injected: Electron's in the app,
// a stand-in in tests, which exercise this very policy over a real host and worker.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ChannelName, SavePurpose } from '../../shared/contract/index';
import { resultsFolderOf } from '../../shared/contract/index';
import { EngineError, serializeError } from '../../shared/contract/errors';
import type { GateAnswer, RequestGate } from './request-gate';
import { parseRequest, refusal } from './request-gate';

/** Shows a native dialog; resolves to the chosen path, or null when the user cancels. */
export type ChooseSaveLocation = (purpose: SavePurpose, suggestedPath: string | undefined) => Promise<string | null>;

/** Opens a folder in the desktop's file manager. */
export type RevealFolder = (folder: string) => Promise<void>;

interface Grant {
  readonly id: string;
  readonly path: string;
}

const forbidden = (target: string) =>
  refusal(
    new EngineError('FORBIDDEN', `${target}: XiMorph writes only where you chose in its Save or Export dialog; choose the location again`, { file: target }),
  );

export class NativeSaveGrants implements RequestGate {
  readonly #choose: ChooseSaveLocation;
  readonly #reveal: RevealFolder;
  readonly #latest = new Map<SavePurpose, Grant>();
  #dialogOpen = false;

  constructor(choose: ChooseSaveLocation, reveal: RevealFolder = async () => {}) {
    this.#choose = choose;
    this.#reveal = reveal;
  }

  screen(channel: ChannelName, payload: unknown): Promise<GateAnswer> | undefined {
    if (channel === 'files.chooseSaveLocation') {
      const parsed = parseRequest(channel, payload);
      return 'answer' in parsed ? parsed.answer : this.#chooseLocation(parsed.request.purpose, parsed.request.suggestedPath);
    }
    if (channel === 'workspace.save') {
      const parsed = parseRequest(channel, payload);
      if ('answer' in parsed) return parsed.answer;
      const target = path.resolve(parsed.request.path);
      return this.#granted('workspace', parsed.request.grant)?.path === target ? undefined : forbidden(target);
    }
    if (channel === 'registration.export') {
      const parsed = parseRequest(channel, payload);
      if ('answer' in parsed) return parsed.answer;
      const target = path.resolve(parsed.request.directory);
      const exportFolder = this.#granted('export', parsed.request.grant)?.path;
      const workspace = this.#granted('workspace', parsed.request.grant)?.path;
      const besideWorkspace = workspace !== undefined && path.dirname(target) === path.resolve(resultsFolderOf(workspace));
      return exportFolder === target || besideWorkspace ? undefined : forbidden(target);
    }
    if (channel === 'files.reveal') {
      // Only the folder of the latest export the user chose: the page cannot open other
      // places (or files: a file manager would run them) through it.
      const parsed = parseRequest(channel, payload);
      if ('answer' in parsed) return parsed.answer;
      const target = path.resolve(parsed.request.path);
      if (this.#granted('export', parsed.request.grant)?.path !== target) return forbidden(target);
      return this.#reveal(target).then(
        (): GateAnswer => ({ kind: 'result', result: { outcome: 'shown' } }),
        (error: Error): GateAnswer => ({ kind: 'error', error: serializeError(new EngineError('FAILED', `could not open ${target}: ${error.message}`)) }),
      );
    }
    if (channel === 'landmarks.write') {
      const parsed = parseRequest(channel, payload);
      if ('answer' in parsed) return parsed.answer;
      const target = path.resolve(parsed.request.path);
      return this.#granted('landmarks', parsed.request.grant)?.path === target ? undefined : forbidden(target);
    }
    return undefined;
  }

  /** The latest grant for `purpose`, if `id` is it. */
  #granted(purpose: SavePurpose, id: string | undefined): Grant | undefined {
    const grant = this.#latest.get(purpose);
    return grant && id !== undefined && grant.id === id ? grant : undefined;
  }

  async #chooseLocation(purpose: SavePurpose, suggestedPath: string | undefined): Promise<GateAnswer> {
    // One dialog at a time: a page cannot stack dialogs to hurry the user into one.
    if (this.#dialogOpen) return { kind: 'result', result: { outcome: 'cancelled' } };
    this.#dialogOpen = true;
    try {
      const chosen = await this.#choose(purpose, suggestedPath);
      if (chosen === null) return { kind: 'result', result: { outcome: 'cancelled' } };
      const grant: Grant = { id: randomBytes(32).toString('base64url'), path: path.resolve(chosen) };
      this.#latest.set(purpose, grant);
      return { kind: 'result', result: { outcome: 'chosen', path: grant.path, grant: grant.id } };
    } catch (error) {
      return { kind: 'error', error: serializeError(new EngineError('FAILED', `could not show the dialog: ${(error as Error).message}`)) };
    } finally {
      this.#dialogOpen = false;
    }
  }
}
