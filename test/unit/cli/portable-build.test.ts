// The self-contained build (scripts/build-portable.mjs), for machines with Node.js and no
// packages: it starts the wasm backend from the binaries beside it and trains; it holds no
// itk-wasm readers, and says so, rather than calling a good image corrupt.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, tempFolder } from './run-cli';

const run = promisify(execFile);
const temp = tempFolder('ximorph-portable-');
const portable = path.join(repoRoot, 'dist-portable');
const env = { ...process.env, XIMORPH_TFJS_WASM_DIR: portable };

describe('the portable build', () => {
  beforeAll(async () => {
    await run(process.execPath, ['scripts/build-portable.mjs'], { cwd: repoRoot, timeout: 100_000 });
  }, 120_000);
  afterAll(() => temp.cleanup());

  it('trains a step on synthetic data on the wasm backend', async () => {
    const out = path.join(temp.dir, 'model');
    const { stdout } = await run(process.execPath, [path.join(portable, 'cli.js'), 'train', '--synthetic', '--dims', '2', '--steps', '1', '--edge', '32', '--out', out, '--backend', 'wasm', '--json'], { env, timeout: 100_000 });
    const done = stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; backend?: string }).find((e) => e.event === 'done');
    expect(done?.backend).toMatch(/^wasm/);
  });

  it('runs a kernel thread from its own file beside the CLI, with no packages', async () => {
    // The pool's handshake (kernel-pool.ts), done by hand against the built worker: a 2×2 image
    // sampled at its centre.
    const { port1, port2 } = new MessageChannel();
    const flags = new Int32Array(new SharedArrayBuffer(4));
    const posts = new Int32Array(new SharedArrayBuffer(4));
    const [idle, busy, starting] = [0, 1, 3];
    Atomics.store(flags, 0, starting);
    const worker = new Worker(path.join(portable, 'kernel-worker.js'), { workerData: { port: port2, flags, posts, index: 0 }, transferList: [port2] });
    const settled = async () => {
      for (let waited = 0; Atomics.load(flags, 0) !== idle && waited < 10_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    // A worker takes tasks once it has loaded and said so.
    await settled();
    expect(Atomics.load(flags, 0)).toBe(idle);
    const shared = (values: number[]) => {
      const array = new Float32Array(new SharedArrayBuffer(4 * values.length));
      array.set(values);
      return array;
    };
    const out = shared([0]);
    const task = { task: 'sample', image: shared([0, 1, 2, 3]), shape: { nx: 2, ny: 2, nz: 1, channels: 1, dimension: 2 }, padding: 'zeros', points: shared([0.5, 0.5]), out };
    // Post number 1: one chunk of one point, its number taken from a shared counter.
    port1.postMessage({ post: 1, task, deal: { count: 1, chunk: 1, next: new Int32Array(new SharedArrayBuffer(4)) } });
    Atomics.store(posts, 0, 1);
    Atomics.store(flags, 0, busy);
    Atomics.notify(flags, 0);
    await settled();
    expect(Atomics.load(flags, 0)).toBe(idle);
    expect(out[0]).toBe(1.5);
    await worker.terminate();
  });

  it('refuses an image format it has no reader for, in one line that says so', async () => {
    const png = '/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainProtonDensitySlice.png';
    const failed = await run(process.execPath, [path.join(portable, 'cli.js'), 'register', '--fixed', png, '--moving', png, '--out', path.join(temp.dir, 'r')], { env, timeout: 60_000 }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(3);
    expect(failed?.stderr.trim()).toBe("ximorph: BrainProtonDensitySlice.png: this installation cannot read PNG files (itk-wasm's reader png-read-image.wasm.zst is missing)");
  });
});
