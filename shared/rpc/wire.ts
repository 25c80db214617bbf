// The envelope every transport carries. Payloads are validated separately against the
// channel's own schema by whichever side receives them.

import { z } from 'zod';
import { channelNames, eventNames, errorCodes } from '../contract/index';
import type { ChannelName, EventName } from '../contract/index';

const id = z.int().nonnegative();

export const serializedErrorSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  file: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const wireMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('request'), id, channel: z.enum(channelNames as [ChannelName, ...ChannelName[]]), payload: z.unknown() }),
  z.object({ kind: z.literal('progress'), id, progress: z.unknown() }),
  z.object({ kind: z.literal('result'), id, result: z.unknown() }),
  z.object({ kind: z.literal('error'), id, error: serializedErrorSchema }),
  z.object({ kind: z.literal('cancel'), id }),
  z.object({ kind: z.literal('event'), event: z.enum(eventNames as [EventName, ...EventName[]]), payload: z.unknown() }),
]);

export type WireMessage = z.infer<typeof wireMessageSchema>;

/** The least a transport must do: deliver messages both ways, in order. */
export interface MessagePortLike {
  post(message: WireMessage): void;
  onMessage(listener: (message: unknown) => void): () => void;
  /** Transports that can drop (a WebSocket) say so; pending requests then fail at once. */
  onClose?(listener: (reason: string) => void): () => void;
}

export function parseWireMessage(data: unknown): WireMessage {
  return wireMessageSchema.parse(data);
}
