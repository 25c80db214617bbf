// The feature models the engine knows: those shipped with XiMorph and the user's own (trained
// here or imported). The featurizer choices of the Register panel and the feature view come
// from this list, so it is refreshed whenever it may have changed (a run ends, an import).

import type { ContractClient } from '../../../shared/rpc/client';
import type { ModelEntryData } from '../../../shared/contract/index';

export type ModelEntry = ModelEntryData;

/** The featurizers that need no model. */
export const trainingFreeFeaturizers = ['mind-ssc', 'intensity'] as const;

/** What a model card says, read defensively: cards are JSON written by any XiMorph version. */
export interface CardSummary {
  readonly lastDice: number | null;
  readonly steps: number | null;
  readonly data: string | null;
}

export function summarizeCard(card: Record<string, unknown> | undefined): CardSummary {
  const validation = Array.isArray(card?.validation) ? (card.validation as { dice?: unknown }[]) : [];
  const dice = validation.at(-1)?.dice;
  const training = (card?.training ?? {}) as { steps?: unknown; data?: unknown };
  return {
    lastDice: typeof dice === 'number' ? dice : null,
    steps: typeof training.steps === 'number' ? training.steps : null,
    data: typeof training.data === 'string' ? training.data : null,
  };
}

export class ModelRegistry {
  models = $state.raw<ModelEntry[]>([]);
  readonly #client: ContractClient;
  #latest = 0;

  constructor(client: ContractClient) {
    this.#client = client;
  }

  /** Reads the list again; answers can cross, so only the latest one is kept. */
  async refresh(): Promise<void> {
    const ticket = ++this.#latest;
    const { models } = await this.#client.request('models.list', {});
    if (ticket === this.#latest) this.models = models;
  }

  /** Featurizer names for images of this dimension: the training-free ones, then the models. */
  featurizersFor(dimension: number | undefined): string[] {
    const models = this.models.filter((m) => dimension === undefined || m.dimension === dimension).map((m) => m.name);
    return [...trainingFreeFeaturizers, ...models];
  }

  byName(name: string): ModelEntry | undefined {
    return this.models.find((m) => m.name === name);
  }

  async import(folder: string, name?: string): Promise<ModelEntry> {
    const { model } = await this.#client.request('models.import', { folder, ...(name ? { name } : {}) });
    await this.refresh();
    return model;
  }

  async delete(name: string): Promise<void> {
    await this.#client.request('models.delete', { name });
    await this.refresh();
  }
}
