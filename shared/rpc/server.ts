// Serves the contract over one port: validates each request against its channel's schema,
// runs the handler with a cancellation token and a progress callback, and answers with a
// result or a serialized error. Transport-agnostic: the worker, tests and in-process use
// all go through this.

import type { ChannelName, EventName, EventPayload, ProgressOf, RequestOf, ResultOf } from '../contract/index';
import { channels, events } from '../contract/index';
import { EngineError, serializeError } from '../contract/errors';
import { CancellationTokenSource } from './cancellation';
import type { CancellationToken } from './cancellation';
import type { MessagePortLike } from './wire';
import { wireMessageSchema } from './wire';
import { describeIssues } from './zod-issues';

export interface HandlerContext<C extends ChannelName> {
  readonly token: CancellationToken;
  progress(update: ProgressOf<C>): void;
}

export type Handler<C extends ChannelName> = (request: RequestOf<C>, context: HandlerContext<C>) => Promise<ResultOf<C>>;

export type Handlers = { [C in ChannelName]?: Handler<C> };

export interface ContractServer {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  dispose(): void;
}

export interface ServeOptions {
  /** A second way to learn of a cancel, readable while the thread is busy (see cancel-board.ts). */
  probe?: (requestId: number) => (() => boolean) | undefined;
  /** Where an unexpected error (a bug, not bad input) is logged whole; the client gets its message only. */
  logUnexpected?: (error: unknown) => void;
}

/** A token that is cancelled when the source is, or when the probe says so. */
function probedToken(source: CancellationTokenSource, probe: (() => boolean) | undefined): CancellationToken {
  if (!probe) return source.token;
  return {
    get isCancellationRequested() {
      if (!source.token.isCancellationRequested && probe()) source.cancel();
      return source.token.isCancellationRequested;
    },
    onCancellationRequested: (listener) => source.token.onCancellationRequested(listener),
  };
}

export function serveContract(port: MessagePortLike, handlers: Handlers, options: ServeOptions = {}): ContractServer {
  const running = new Map<number, CancellationTokenSource>();

  const fail = (id: number, error: unknown) => {
    if (!(error instanceof EngineError)) options.logUnexpected?.(error);
    port.post({ kind: 'error', id, error: serializeError(error) });
  };

  const unsubscribe = port.onMessage((data) => {
    const parsed = wireMessageSchema.safeParse(data);
    if (!parsed.success) {
      const id = (data as { id?: unknown })?.id;
      if (typeof id === 'number') fail(id, new EngineError('INVALID_MESSAGE', `invalid message: ${describeIssues(parsed.error)}`));
      return;
    }
    const message = parsed.data;
    if (message.kind === 'cancel') {
      running.get(message.id)?.cancel();
      return;
    }
    if (message.kind !== 'request') return;
    void run(message.id, message.channel, message.payload);
  });

  async function run<C extends ChannelName>(id: number, channel: C, payload: unknown): Promise<void> {
    const handler = handlers[channel] as Handler<C> | undefined;
    if (!handler) return fail(id, new EngineError('UNSUPPORTED', `this engine does not serve ${channel}`));
    const request = channels[channel].request.safeParse(payload);
    if (!request.success) return fail(id, new EngineError('INVALID_MESSAGE', `${channel}: ${describeIssues(request.error)}`));
    const source = new CancellationTokenSource();
    running.set(id, source);
    try {
      const result = await handler(request.data as RequestOf<C>, {
        token: probedToken(source, options.probe?.(id)),
        progress: (update) => port.post({ kind: 'progress', id, progress: update }),
      });
      port.post({ kind: 'result', id, result });
    } catch (error) {
      fail(id, error);
    } finally {
      running.delete(id);
    }
  }

  return {
    emit(event, payload) {
      events[event].parse(payload);
      port.post({ kind: 'event', event, payload });
    },
    dispose() {
      unsubscribe();
      for (const s of running.values()) s.cancel();
      running.clear();
    },
  };
}
