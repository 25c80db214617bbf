// A host's say over what a client may ask of the engine, before the worker sees it. The host
// is the boundary: in Electron it runs in the main process, out of reach of the page (a
// check in the preload or the renderer would be bypassed by a script injected there).

import type { ChannelName, RequestOf } from '../../shared/contract/index';
import { channels } from '../../shared/contract/index';
import type { SerializedError } from '../../shared/contract/errors';
import { EngineError, serializeError } from '../../shared/contract/errors';
import { describeIssues } from '../../shared/rpc/zod-issues';

/** The host's own answer to a request, in place of the engine's. */
export type GateAnswer = { kind: 'result'; result: unknown } | { kind: 'error'; error: SerializedError };

export interface RequestGate {
  /** Undefined lets the engine have the request; otherwise the answer the host gives instead. */
  screen(channel: ChannelName, payload: unknown): Promise<GateAnswer> | undefined;
}

export const refusal = (error: EngineError): Promise<GateAnswer> => Promise.resolve({ kind: 'error', error: serializeError(error) });

/** The request as its channel's schema reads it, or the INVALID_MESSAGE answer the engine would give. */
export function parseRequest<C extends ChannelName>(channel: C, payload: unknown): { request: RequestOf<C> } | { answer: Promise<GateAnswer> } {
  const parsed = channels[channel].request.safeParse(payload);
  if (parsed.success) return { request: parsed.data as RequestOf<C> };
  return { answer: refusal(new EngineError('INVALID_MESSAGE', `${channel}: ${describeIssues(parsed.error)}`)) };
}

/**
 * Browser mode's gate. There is no native dialog to show: the page asks where to save with its
 * own dialogs, and the page, holding the per-launch token, is the user's agent. What protects
 * files there is the engine's own rules (nothing replaced that XiMorph did not write without
 * the user's yes; no system folders or devices), not where the page may write.
 */
export const pageChoosesSaveLocations: RequestGate = {
  screen: (channel) => {
    if (channel === 'files.chooseSaveLocation') return Promise.resolve({ kind: 'result', result: { outcome: 'askInPage' } });
    if (channel === 'files.reveal') return Promise.resolve({ kind: 'result', result: { outcome: 'notHere' } });
    return undefined;
  },
};
