// The self-contained build (scripts/build-portable.mjs), for machines with Node.js and no
// packages: it starts the wasm backend from the binaries beside it and trains; it holds no
// itk-wasm readers, and says so, rather than calling a good image corrupt.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
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
    const { stdout } = await run(process.execPath, [path.join(portable, 'cli.js'), 'train', '--synthetic', '--dims', '2', '--steps', '1', '--out', out, '--backend', 'wasm', '--json'], { env, timeout: 100_000 });
    const done = stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; backend?: string }).find((e) => e.event === 'done');
    expect(done?.backend).toMatch(/^wasm/);
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
