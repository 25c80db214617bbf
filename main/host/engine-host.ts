// Owns the engine worker and connects clients to it. Electron's main process and the
// browser-mode server both hold one EngineHost; neither does engine work on its own thread.
// If the worker dies (out of memory in a huge job, say), the host answers its pending
// requests with an error, starts a fresh worker and keeps serving.

import { Worker } from 'node:worker_threads';
import type { EventName, EventPayload } from '../../shared/contract/index';
import { events } from '../../shared/contract/index';
import { EngineError, serializeError } from '../../shared/contract/errors';
import { createMultiplexer } from '../../shared/rpc/multiplex';
import type { FramePort, MultiplexFrame } from '../../shared/rpc/multiplex';
import type { MessagePortLike } from '../../shared/rpc/wire';
import { framePortOf } from '../worker-link/frame-port';
import type { EngineWorkerData } from '../worker-link/engine-worker-data';
import { CancelBoard } from '../../shared/rpc/cancel-board';
import type { GateAnswer, RequestGate } from './request-gate';
import { pageChoosesSaveLocations } from './request-gate';
import { relativePathRefusal } from './page-paths';

export interface EngineHostOptions extends EngineWorkerData {
  workerUrl?: URL;
  log?: (line: string) => void;
}

export interface ClientConnection {
  readonly id: number;
  detach(): void;
}

export class EngineHost {
  readonly #options: EngineHostOptions;
  #worker!: Worker;
  #frames!: FramePort;
  readonly #multiplexer: ReturnType<typeof createMultiplexer>;
  readonly #cancelBoard = new CancelBoard();
  /** The requests in flight: connection → request id → its cancel-board slot. */
  readonly #slots = new Map<number, Map<number, number>>();
  readonly #relay = new Set<(frame: MultiplexFrame) => void>();
  readonly #gates = new Map<number, RequestGate>();
  #disposed = false;

  constructor(options: EngineHostOptions) {
    this.#options = options;
    // The multiplexer talks to a stable frame port; the worker behind it may be replaced.
    const stablePort: FramePort = {
      post: (frame) => {
        const m = frame.message;
        if (m?.kind === 'request') {
          const answer = relativePathRefusal(m.channel, m.payload) ?? this.#gates.get(frame.connection)?.screen(m.channel, m.payload);
          if (answer) return this.#answerHere(frame.connection, m.id, answer);
          frame = { ...frame, slot: this.#slotFor(frame.connection, m.id) };
        }
        if (m?.kind === 'cancel') {
          const slot = this.#slots.get(frame.connection)?.get(m.id);
          if (slot !== undefined) this.#cancelBoard.raise(slot);
        }
        if (frame.closed) {
          // A window or tab that goes away cancels what it was running.
          for (const slot of this.#slots.get(frame.connection)?.values() ?? []) this.#cancelBoard.raise(slot);
          this.#slots.delete(frame.connection);
        }
        this.#frames.post(frame);
      },
      onFrame: (listener) => {
        this.#relay.add(listener);
        return () => void this.#relay.delete(listener);
      },
    };
    this.#startWorker();
    this.#multiplexer = createMultiplexer(stablePort);
  }

  #slotFor(connection: number, requestId: number): number {
    let map = this.#slots.get(connection);
    if (!map) this.#slots.set(connection, (map = new Map()));
    const slot = this.#cancelBoard.allocate();
    map.set(requestId, slot);
    return slot;
  }

  #startWorker(): void {
    const url = this.#options.workerUrl ?? new URL('./engine-worker.js', import.meta.url);
    const data: EngineWorkerData = { startupSources: this.#options.startupSources, backend: this.#options.backend, cancelBoard: this.#cancelBoard.buffer };
    const worker = new Worker(url, { workerData: data });
    this.#worker = worker;
    this.#frames = framePortOf(worker);
    this.#frames.onFrame((frame) => {
      const m = frame.message;
      if (m && (m.kind === 'result' || m.kind === 'error')) this.#slots.get(frame.connection)?.delete(m.id);
      for (const relay of this.#relay) relay(frame);
    });
    worker.on('error', (error) => this.#options.log?.(`engine worker failed: ${error.stack ?? error.message}`));
    worker.on('exit', (code) => {
      if (this.#disposed) return;
      this.#options.log?.(`engine worker exited (code ${code}); starting a new one`);
      this.#failPending(`the engine stopped unexpectedly (exit code ${code}); it has been restarted — please retry`);
      this.#startWorker();
    });
  }

  #failPending(message: string): void {
    const error = serializeError(new EngineError('FAILED', message));
    for (const [connection, requests] of this.#slots)
      for (const id of requests.keys()) this.#multiplexer.postTo(connection, { kind: 'error', id, error });
    this.#slots.clear();
  }

  /** A request the gate answered: the worker never sees it. */
  #answerHere(connection: number, id: number, answer: Promise<GateAnswer>): void {
    void answer
      .catch((error: unknown): GateAnswer => ({ kind: 'error', error: serializeError(error) }))
      .then((a) => this.#multiplexer.postTo(connection, a.kind === 'result' ? { kind: 'result', id, result: a.result } : { kind: 'error', id, error: a.error }));
  }

  /**
   * Attach a client (a window, a browser tab, a test). Detach when it goes away. The gate
   * screens its requests: by default the page chooses save locations itself (browser mode);
   * Electron's windows get NativeSaveGrants (save-grants.ts).
   */
  connect(client: MessagePortLike, gate: RequestGate = pageChoosesSaveLocations): ClientConnection {
    const { id, detach } = this.#multiplexer.attach(client);
    this.#gates.set(id, gate);
    return {
      id,
      detach: () => {
        this.#gates.delete(id);
        detach();
      },
    };
  }

  /** Raise an event from the host itself, e.g. a file chosen in Electron's native menu. */
  notify<E extends EventName>(connectionId: number, event: E, payload: EventPayload<E>): void {
    events[event].parse(payload);
    this.#multiplexer.postTo(connectionId, { kind: 'event', event, payload });
  }

  connectionIds(): number[] {
    return this.#multiplexer.clients();
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#multiplexer.dispose();
    await this.#worker.terminate();
  }
}
