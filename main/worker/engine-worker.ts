// The engine worker's entry. Every client connection the host multiplexes onto this thread
// gets its own contract server; all of them share one engine session.

import { parentPort, workerData } from 'node:worker_threads';
import { serveContract } from '../../shared/rpc/server';
import { demultiplex } from '../../shared/rpc/multiplex';
import { framePortOf } from '../worker-link/frame-port';
import type { EngineWorkerData } from '../worker-link/engine-worker-data';
import { EngineSession } from './engine-session';
import { CancelBoard } from '../../shared/rpc/cancel-board';
import { sessionHandlers } from './handlers/session-handlers';
import { imageHandlers } from './handlers/image-handlers';
import { registrationHandlers } from './handlers/registration-handlers';
import { workspaceHandlers } from './handlers/workspace-handlers';
import { uploadHandlers } from './handlers/upload-handlers';
import { trainingHandlers } from './handlers/training-handlers';
import { featureHandlers } from './handlers/feature-handlers';
import { inspectionHandlers } from './handlers/inspection-handlers';
import { sessionRecordHandlers } from './handlers/session-record-handlers';

if (!parentPort) throw new Error('engine-worker must run as a worker thread');

const data = workerData as EngineWorkerData;
const session = new EngineSession(data);
const cancelBoard = data.cancelBoard ? new CancelBoard(data.cancelBoard) : undefined;
const sharedHandlers = { ...sessionHandlers(session), ...registrationHandlers(session), ...workspaceHandlers(), ...trainingHandlers(session), ...featureHandlers(session), ...inspectionHandlers(session), ...sessionRecordHandlers(session) };

demultiplex(
  framePortOf(parentPort),
  (port, probe) => {
    // Uploads belong to the connection that sent them, and are removed when it closes.
    const owner = {};
    const handlers = { ...sharedHandlers, ...imageHandlers(session, owner), ...uploadHandlers(session, owner) };
    const server = serveContract(port, handlers, { probe, logUnexpected: (error) => console.error('engine:', error) });
    return () => {
      server.dispose();
      void session.uploads.discardAll(owner);
    };
  },
  cancelBoard && ((slot) => cancelBoard.isRaised(slot)),
);
