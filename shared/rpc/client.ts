// The calling side of the contract. A request returns a promise, takes a cancellation token
// and streams progress to a callback; events are subscriptions. Everything received is
// validated against the contract before it reaches the caller.

import type { ChannelName, EventName, EventPayload, ProgressOf, RequestOf, ResultOf } from '../contract/index';
import { channels, events } from '../contract/index';
import { EngineError, deserializeError } from '../contract/errors';
import type { CancellationToken } from './cancellation';
import type { MessagePortLike } from './wire';
import { wireMessageSchema } from './wire';
import { describeIssues } from './zod-issues';

export interface RequestOptions<C extends ChannelName> {
  token?: CancellationToken;
  onProgress?: (progress: ProgressOf<C>) => void;
}

export interface ContractClient {
  request<C extends ChannelName>(channel: C, payload: RequestOf<C>, options?: RequestOptions<C>): Promise<ResultOf<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  dispose(): void;
}

interface Pending {
  channel: ChannelName;
  resolve(result: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: never) => void;
  release(): void;
}

export function createContractClient(port: MessagePortLike): ContractClient {
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(payload: never) => void>>();

  const settle = (id: number) => {
    const p = pending.get(id);
    pending.delete(id);
    p?.release();
    return p;
  };

  const unsubscribe = port.onMessage((data) => {
    const parsed = wireMessageSchema.safeParse(data);
    if (!parsed.success) return; // Nothing to answer to; a malformed message is dropped.
    const message = parsed.data;
    switch (message.kind) {
      case 'progress': {
        const p = pending.get(message.id);
        if (!p?.onProgress) return;
        const progress = channels[p.channel].progress.safeParse(message.progress);
        if (progress.success) p.onProgress(progress.data as never);
        return;
      }
      case 'result': {
        const p = settle(message.id);
        if (!p) return;
        const result = channels[p.channel].result.safeParse(message.result);
        if (result.success) p.resolve(result.data);
        else p.reject(new EngineError('INVALID_MESSAGE', `${p.channel} answered: ${describeIssues(result.error)}`));
        return;
      }
      case 'error':
        settle(message.id)?.reject(deserializeError(message.error));
        return;
      case 'event': {
        const payload = events[message.event].safeParse(message.payload);
        if (!payload.success) return;
        for (const l of listeners.get(message.event) ?? []) l(payload.data as never);
        return;
      }
      default:
        return;
    }
  });

  const stopClose = port.onClose?.((reason) => {
    for (const id of [...pending.keys()]) settle(id)?.reject(new EngineError('FAILED', `lost the connection to the engine: ${reason}`));
  });

  return {
    request(channel, payload, options = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const token = options.token;
        if (token?.isCancellationRequested) return reject(new EngineError('CANCELLED', 'cancelled'));
        const stopListening = token?.onCancellationRequested(() => port.post({ kind: 'cancel', id })) ?? (() => {});
        pending.set(id, {
          channel,
          resolve: resolve as (r: unknown) => void,
          reject,
          onProgress: options.onProgress as ((p: never) => void) | undefined,
          release: stopListening,
        });
        port.post({ kind: 'request', id, channel, payload });
      });
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: never) => void);
      return () => void set.delete(listener as (payload: never) => void);
    },
    dispose() {
      unsubscribe();
      stopClose?.();
      for (const id of [...pending.keys()]) settle(id)?.reject(new EngineError('FAILED', 'connection closed'));
    },
  };
}
