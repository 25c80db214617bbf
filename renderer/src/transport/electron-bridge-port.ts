import type { MessagePortLike } from '../../../shared/rpc/wire';

/** What the preload exposes as window.ximorph; see main/electron/preload.ts. */
export interface ContractBridge {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): () => void;
}

export function findBridge(): ContractBridge | undefined {
  return (window as unknown as { ximorph?: ContractBridge }).ximorph;
}

export function bridgePort(bridge: ContractBridge): MessagePortLike {
  return { post: (message) => bridge.post(message), onMessage: (listener) => bridge.onMessage(listener) };
}
