// Many client connections over one port: the engine worker serves every window and every
// browser tab through the single channel it shares with its host. Each frame names its
// connection; a closed connection's server is disposed, cancelling what it was running.

import { EngineError, serializeError } from '../contract/errors';
import type { MessagePortLike, WireMessage } from './wire';
import { wireMessageSchema } from './wire';
import { describeIssues } from './zod-issues';

export interface MultiplexFrame {
  connection: number;
  message?: WireMessage;
  closed?: true;
  /** For requests: the cancel-board slot the host raises if the client cancels. */
  slot?: number;
}

export interface FramePort {
  post(frame: MultiplexFrame): void;
  onFrame(listener: (frame: MultiplexFrame) => void): () => void;
}

/** Whether the host has raised a request's cancel flag; see cancel-board.ts. */
export type CancelProbe = (requestId: number) => (() => boolean) | undefined;

/**
 * Worker side: one virtual port per connection, handed to `serve` with a probe for its
 * requests' cancel flags; `serve` returns its disposer.
 */
export function demultiplex(port: FramePort, serve: (connection: MessagePortLike, probe: CancelProbe) => () => void, isRaised?: (slot: number) => boolean): () => void {
  const connections = new Map<number, { listeners: Set<(m: unknown) => void>; slots: Map<number, number>; dispose: () => void }>();

  const open = (id: number) => {
    const listeners = new Set<(m: unknown) => void>();
    const slots = new Map<number, number>();
    const virtualPort: MessagePortLike = {
      post: (message) => {
        if (message.kind === 'result' || message.kind === 'error') slots.delete(message.id);
        port.post({ connection: id, message });
      },
      onMessage: (listener) => {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
    };
    const entry = { listeners, slots, dispose: () => {} };
    connections.set(id, entry);
    const probe: CancelProbe = (requestId) => {
      const slot = slots.get(requestId);
      return slot === undefined || !isRaised ? undefined : () => isRaised(slot);
    };
    entry.dispose = serve(virtualPort, probe);
    return entry;
  };

  const stop = port.onFrame((frame) => {
    if (frame.closed) {
      connections.get(frame.connection)?.dispose();
      connections.delete(frame.connection);
      return;
    }
    const entry = connections.get(frame.connection) ?? open(frame.connection);
    const m = frame.message;
    if (m?.kind === 'request' && frame.slot !== undefined) entry.slots.set(m.id, frame.slot);
    for (const l of entry.listeners) l(frame.message);
  });

  return () => {
    stop();
    for (const c of connections.values()) c.dispose();
    connections.clear();
  };
}

/** Host side: attach a client's port as a new connection; returns the function that detaches it. */
export function createMultiplexer(port: FramePort) {
  let nextConnection = 1;
  const clients = new Map<number, MessagePortLike>();
  const stop = port.onFrame((frame) => {
    if (frame.message) clients.get(frame.connection)?.post(frame.message);
  });
  return {
    attach(client: MessagePortLike): { id: number; detach: () => void } {
      const id = nextConnection++;
      clients.set(id, client);
      // The host is the boundary the renderer's messages cross: check the envelope here, and
      // let clients only ask and cancel (answers and events come from the engine).
      const unsubscribe = client.onMessage((data) => {
        const parsed = wireMessageSchema.safeParse(data);
        const requestId = (data as { id?: unknown } | null)?.id;
        if (!parsed.success || (parsed.data.kind !== 'request' && parsed.data.kind !== 'cancel')) {
          if (typeof requestId === 'number') {
            const reason = parsed.success ? `clients may not send ${parsed.data.kind} messages` : describeIssues(parsed.error);
            client.post({ kind: 'error', id: requestId, error: serializeError(new EngineError('INVALID_MESSAGE', `invalid message: ${reason}`)) });
          }
          return;
        }
        port.post({ connection: id, message: parsed.data });
      });
      return {
        id,
        detach: () => {
          unsubscribe();
          clients.delete(id);
          port.post({ connection: id, closed: true });
        },
      };
    },
    /** Sends to one client directly: events that the host itself raises. */
    postTo(id: number, message: WireMessage) {
      clients.get(id)?.post(message);
    },
    clients: () => [...clients.keys()],
    dispose() {
      stop();
      for (const id of [...clients.keys()]) port.post({ connection: id, closed: true });
      clients.clear();
    },
  };
}
