// The feature view: an image's features on one slice, their first three principal components
// as red, green and blue (features.pcaSlice). The engine keeps each image's feature map, so
// moving the slider only projects another slice; still, one request is in flight at a time,
// and the newest choice is asked for when it returns, so dragging never queues a backlog.

import type { ContractClient } from '../../../shared/rpc/client';
import type { RequestOf, ResultOf } from '../../../shared/contract/index';

export type SliceAxis = RequestOf<'features.pcaSlice'>['axis'];
export type FeatureSlice = ResultOf<'features.pcaSlice'> & { readonly axis: SliceAxis };

export class FeatureView {
  imageId = $state<string | null>(null);
  featurizer = $state('mind-ssc');
  axis = $state<SliceAxis>('axial');
  /** The slice along the axis; the middle one when null. */
  index = $state<number | null>(null);
  slice = $state.raw<FeatureSlice | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);

  readonly #client: ContractClient;
  #wanted: RequestOf<'features.pcaSlice'> | null = null;

  constructor(client: ContractClient) {
    this.#client = client;
  }

  /** Asks for the slice the current choices name (the latest, if several come while one computes). */
  show(): void {
    if (!this.imageId) return;
    this.#wanted = { imageId: this.imageId, model: this.featurizer, axis: this.axis, ...(this.index !== null ? { index: this.index } : {}) };
    if (!this.busy) void this.#fetch();
  }

  async #fetch(): Promise<void> {
    this.busy = true;
    while (this.#wanted) {
      const request = this.#wanted;
      this.#wanted = null;
      try {
        const result = await this.#client.request('features.pcaSlice', request);
        this.slice = { ...result, axis: request.axis };
        this.error = null;
      } catch (error) {
        this.error = (error as Error).message;
        this.slice = null;
      }
    }
    this.busy = false;
  }
}
