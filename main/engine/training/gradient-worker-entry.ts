// A gradient worker: one thread with its own tfjs backend and its own copy of the training
// data, computing the gradients of the examples it is sent (gradient-computers.ts). Built as
// its own entry (dist/main/training-worker.js).

import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '../../../shared/contract/errors';
import { selectComputeBackend, synchronousPreference } from '../compute/backend';
import { batchGradients } from './batch-gradients';
import type { GradientReply, GradientRequest, GradientWorkerData } from './gradient-computers';
import { trainingData } from './training-data';

if (!parentPort) throw new Error('the gradient worker must run as a worker thread');
const port = parentPort;
const setup = workerData as GradientWorkerData;
// The gradients are read back synchronously, so a WebGPU session's threads take the best
// backend that can (native TensorFlow, wasm).
const ready = selectComputeBackend(synchronousPreference(setup.backend)).then(() => trainingData(setup.recipe));

port.on('message', (request: GradientRequest) => {
  ready
    .then(async (data) => {
      const { losses, gradients } = await batchGradients(setup.spec, request.weights, data, request.seeds, setup.options);
      const reply: GradientReply = { id: request.id, losses, gradients };
      port.postMessage(reply, gradients.flat().map((g) => g.buffer as ArrayBuffer));
    })
    .catch((error: unknown) => port.postMessage({ id: request.id, error: serializeError(error) } satisfies GradientReply));
});
