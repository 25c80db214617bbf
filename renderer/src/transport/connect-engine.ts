// The only place in the renderer that knows there are two transports. Inside Electron the
// preload has put a bridge on window; in a browser we talk WebSocket to the host that
// served this page. Everything else holds a ContractClient and cannot tell the difference.

import { createContractClient } from '../../../shared/rpc/client';
import type { ContractClient } from '../../../shared/rpc/client';
import type { MessagePortLike } from '../../../shared/rpc/wire';
import { bridgePort, findBridge } from './electron-bridge-port';
import { websocketPort } from './websocket-port';

export function connectEngine(): ContractClient {
  const bridge = findBridge();
  const port: MessagePortLike = bridge ? bridgePort(bridge) : websocketPort(new URL('./ws', window.location.href));
  return createContractClient(port);
}
