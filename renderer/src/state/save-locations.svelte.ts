// Where to save, and whether to replace what is there. The host is asked first: Electron's
// shows a native dialog and answers with the chosen path and a grant, without which it lets
// this page write nowhere; browser mode's answers that the page must ask, and the in-page
// dialogs do. Whoever asked, the engine replaces a file XiMorph did not write only with the
// user's yes, which `withConsentToReplace` asks for.

import type { SavePurpose } from '../../../shared/contract/index';
import { replaceChoiceOf } from '../../../shared/contract/index';
import type { ContractClient } from '../../../shared/rpc/client';

/** A place to save, as the user chose it. */
export interface SaveLocation {
  readonly path: string;
  /** The host's grant for the path, where a native dialog chose it (Electron). */
  readonly grant?: string;
  /** The dialog already asked about replacing what is there (native dialogs do). */
  readonly replaceConfirmed: boolean;
}

export interface ReplaceQuestion {
  readonly text: string;
  answer(replace: boolean): void;
}

export class SaveLocations {
  /** The question on show: replace a file that XiMorph did not write? */
  question = $state.raw<ReplaceQuestion | null>(null);
  readonly #client: ContractClient;

  constructor(client: ContractClient) {
    this.#client = client;
  }

  /** The host's native dialog: the location chosen, null if cancelled, 'inPage' where the page must ask itself. */
  async choose(purpose: SavePurpose, suggestedPath?: string): Promise<SaveLocation | null | 'inPage'> {
    const answer = await this.#client.request('files.chooseSaveLocation', { purpose, suggestedPath });
    if (answer.outcome === 'askInPage') return 'inPage';
    return answer.outcome === 'chosen' ? { path: answer.path, grant: answer.grant, replaceConfirmed: true } : null;
  }

  /**
   * Runs `write`; where the engine asks before replacing a file XiMorph did not write, asks the
   * user and, on yes, writes again saying so. Resolves to null when they keep the file.
   */
  async withConsentToReplace<T>(location: SaveLocation, write: (overwrite: boolean) => Promise<T>): Promise<T | null> {
    try {
      return await write(location.replaceConfirmed);
    } catch (error) {
      const choice = replaceChoiceOf(error as { code?: string; details?: unknown });
      if (!choice) throw error;
      return (await this.#ask(`${choice.path} ${choice.reason}. Replace it?`)) ? write(true) : null;
    }
  }

  #ask(text: string): Promise<boolean> {
    return new Promise((resolve) => {
      this.question = {
        text,
        answer: (replace) => {
          this.question = null;
          resolve(replace);
        },
      };
    });
  }
}
