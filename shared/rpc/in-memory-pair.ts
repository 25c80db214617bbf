// Two connected ports in one process, for tests and for running the engine in-process
// (the CLI). Every message goes through the binary codec, so what arrives is a copy,
// exactly as it would be across a real transport.

import { decodeBinaryMessage, encodeBinaryMessage } from './binary-codec';
import type { MessagePortLike, WireMessage } from './wire';

export function createInMemoryPair(): [MessagePortLike, MessagePortLike] {
  const listeners: [Set<(m: unknown) => void>, Set<(m: unknown) => void>] = [new Set(), new Set()];
  const port = (self: 0 | 1): MessagePortLike => ({
    post(message: WireMessage) {
      const frame = encodeBinaryMessage(message);
      // Deliver asynchronously, like every real transport does.
      void Promise.resolve().then(() => {
        const copy = decodeBinaryMessage(frame);
        for (const l of listeners[1 - self]) l(copy);
      });
    },
    onMessage(listener) {
      listeners[self].add(listener);
      return () => void listeners[self].delete(listener);
    },
  });
  return [port(0), port(1)];
}
