// The engine worker's entry. Every client connection the host multiplexes onto this thread
// gets its own contract server; all of them share one engine session.

import { parentPort, workerData } from 'node:worker_threads';
import { serveContract } from '../../shared/rpc/server';
import { demultiplex } from '../../shared/rpc/multiplex';
import { framePortOf } from '../host/worker-frame-port';
import type { EngineWorkerData } from '../host/engine-host';
import { EngineSession } from './engine-session';
import { sessionHandlers } from './handlers/session-handlers';
import { imageHandlers } from './handlers/image-handlers';

if (!parentPort) throw new Error('engine-worker must run as a worker thread');

const session = new EngineSession(workerData as EngineWorkerData);
const handlers = { ...sessionHandlers(session), ...imageHandlers(session) };

demultiplex(framePortOf(parentPort), (port) => {
  const server = serveContract(port, handlers);
  return () => server.dispose();
});
