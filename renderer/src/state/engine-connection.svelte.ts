// The live connection to the engine and what it told us about itself.

import type { ContractClient } from '../../../shared/rpc/client';
import type { BackendInfo, ResultOf, Sample } from '../../../shared/contract/index';

export class EngineConnection {
  readonly client: ContractClient;
  status = $state<'connecting' | 'ready' | 'lost'>('connecting');
  version = $state('');
  backend = $state.raw<BackendInfo | null>(null);
  samples = $state.raw<Sample[]>([]);
  problem = $state('');

  constructor(client: ContractClient) {
    this.client = client;
  }

  async start(): Promise<ResultOf<'session.startup'>> {
    try {
      const description = await this.client.request('engine.describe', {});
      this.version = description.version;
      this.backend = description.backend;
      this.samples = description.samples;
      this.status = 'ready';
      return await this.client.request('session.startup', {});
    } catch (error) {
      this.status = 'lost';
      this.problem = (error as Error).message;
      throw error;
    }
  }
}
