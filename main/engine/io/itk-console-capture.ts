// itk-wasm's pipelines print. Their emscripten glue hard-wires `print` to console.log and
// `printErr` to console.error (passing our own print to the module factory is overwritten),
// and itk-wasm itself console.logs "Exception while running pipeline:" with ITK's internals
// when a pipeline throws. On the CLI that text lands on stdout, in the middle of `--json`
// output. So every itk-wasm call runs inside `captureItkOutput`: console.log/error/warn/info
// are wrapped once per thread (each worker thread has its own console), and what is printed
// from within the call's async context is kept with the call instead of printed. Output from
// anything else running at the same time passes through untouched. (h5wasm, which reads HDF5
// composites, writes to the real stderr instead; see itk-composite-h5.ts.)

import { AsyncLocalStorage } from 'node:async_hooks';

const capturing = new AsyncLocalStorage<string[]>();
const installed = Symbol.for('ximorph.itkConsoleCapture');

function installConsoleCapture(): void {
  const target = console as unknown as Record<PropertyKey, unknown>;
  if (target[installed]) return;
  target[installed] = true;
  for (const method of ['log', 'error', 'warn', 'info', 'debug'] as const) {
    const original = console[method];
    console[method] = function (...args: unknown[]) {
      const lines = capturing.getStore();
      if (!lines) return original.apply(this, args);
      lines.push(args.map((a) => (typeof a === 'string' ? a : String(a))).join(' '));
    };
  }
}

/** An itk-wasm call failed; `output` is what its pipeline printed (ITK's reasons are there). */
export class ItkPipelineFailure extends Error {
  constructor(
    readonly failure: unknown,
    readonly output: string,
  ) {
    super(failure instanceof Error ? failure.message : `itk-wasm pipeline failed (${String(failure)})`);
    this.name = 'ItkPipelineFailure';
  }
}

/**
 * Runs an itk-wasm call with its console output kept away from the terminal. On success the
 * output (ITK's chatter about files it read anyway) is dropped; on failure it travels in an
 * ItkPipelineFailure so that translateItkFailure can quote the reason.
 */
export async function captureItkOutput<T>(call: () => Promise<T>): Promise<T> {
  installConsoleCapture();
  const lines: string[] = [];
  try {
    return await capturing.run(lines, call);
  } catch (error) {
    throw new ItkPipelineFailure(error, lines.join('\n'));
  }
}
