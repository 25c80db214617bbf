// The command a workstation result offers under "Copy command" reproduces that result headless:
// every input (the moving mask too), every parameter, the same numbers in report.json.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../../main/host/engine-host';
import type { BrowserServer } from '../../../main/server/browser-server';
import type { ContractClient } from '../../../shared/rpc/client';
import type { RegistrationReport } from '../../../shared/contract/index';
import { connectOverWebSocket, startHost, startServer } from '../host/engine-fixture';
import { itkSlices, runCli, tempFolder } from './run-cli';

/** Splits a POSIX shell line as reproduceCommand quotes it: words, or '…' with '\'' inside. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) words.push(match[1] !== undefined ? match[1].replace(/'\\''/g, "'") : match[2]);
  return words;
}

describe('the copied command of a workstation result', () => {
  const scratch = tempFolder();
  let host: EngineHost;
  let server: BrowserServer;
  let client: ContractClient;
  const fixed = path.join(itkSlices, 'BrainProtonDensitySlice.png');
  const moving = path.join(itkSlices, 'BrainProtonDensitySliceR10X13Y17.png');
  const fixedMask = path.join(scratch.dir, 'fixed mask.png');
  const movingMask = path.join(scratch.dir, 'moving-mask.png');

  beforeAll(async () => {
    // Head masks, thresholded from the images themselves by an independent tool.
    execFileSync('/usr/bin/python3', [
      '-c',
      `import sys, numpy as np
from PIL import Image
for src, dst in zip(sys.argv[1::2], sys.argv[2::2]):
    a = np.asarray(Image.open(src).convert('L'))
    Image.fromarray(((a > 20) * 1).astype(np.uint8)).save(dst)`,
      fixed,
      fixedMask,
      moving,
      movingMask,
    ]);
    host = startHost();
    server = await startServer(host);
    client = connectOverWebSocket(server).client;
  });
  afterAll(async () => {
    client.dispose();
    await server.close();
    await host.dispose();
    scratch.cleanup();
  });

  it('names the moving mask, and reproduces the report headless', async () => {
    const load = async (file: string, role?: 'labels') => (await client.request('image.load', { source: { kind: 'path', path: file }, role })).info.id;
    const inputs = { fixedId: await load(fixed), movingId: await load(moving), fixedMaskId: await load(fixedMask, 'labels'), movingMaskId: await load(movingMask, 'labels') };
    const overrides = { optimization: { levels: [{ controlDownsample: 4, iterations: 20 }] } };
    const outcome = await client.request('registration.run', { inputs, overrides, preset: '2d' });
    const inWorkstation = path.join(scratch.dir, 'from-workstation');
    await client.request('registration.export', { jobId: outcome.jobId, directory: inWorkstation, items: ['affine', 'report'] });
    const { command } = await client.request('registration.command', { jobId: outcome.jobId });

    const words = shellWords(command);
    expect(words.slice(0, 2)).toEqual(['ximorph', 'register']);
    expect(words[words.indexOf('--mask') + 1]).toBe(fixedMask);
    expect(words[words.indexOf('--moving-mask') + 1]).toBe(movingMask);
    const headless = path.join(scratch.dir, 'from-command');
    const args = words.slice(1);
    args[args.indexOf('--out') + 1] = headless;
    const run = await runCli([...args, '--json']);
    expect(run.code, run.stdout.slice(-400)).toBe(0);

    const read = (folder: string) => JSON.parse(readFileSync(path.join(folder, 'report.json'), 'utf8')) as RegistrationReport;
    const [a, b] = [read(inWorkstation), read(headless)];
    expect(b.parameters).toEqual(a.parameters);
    expect(Object.keys(b.inputs).sort()).toEqual(['fixed', 'fixedMask', 'moving', 'movingMask']);
    expect(b.inputs).toEqual(a.inputs);
    expect(b.workingGrid).toEqual(a.workingGrid);
    for (const [i, v] of a.affine.entries()) expect(b.affine[i]).toBeCloseTo(v, 4);
    expect(b.metrics.nccAfter).toBeCloseTo(a.metrics.nccAfter, 3);
    expect(b.metrics.foldPercent).toBeCloseTo(a.metrics.foldPercent, 3);
  });
});
