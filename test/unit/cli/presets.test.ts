// Presets on the command line: 2D images get the 2D preset unless --preset names another, and
// report.json records what ran.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { itkSlices, runCli, tempFolder } from './run-cli';

describe('ximorph register --preset', () => {
  const scratch = tempFolder();
  afterAll(() => scratch.cleanup());
  const fixed = path.join(itkSlices, 'BrainProtonDensitySliceBorder20.png');
  const moving = path.join(itkSlices, 'BrainProtonDensitySliceR10X13Y17.png');
  // The 2D preset's mark: more smoothing of the deformation than the defaults.
  const diffusionOf = (out: string) => JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')).parameters.optimization.diffusionWeight;

  it('gives 2D images the 2D preset, unless --preset names another', async () => {
    const automatic = path.join(scratch.dir, 'automatic');
    expect((await runCli(['register', '--fixed', fixed, '--moving', moving, '--out', automatic, '--json'])).code).toBe(0);
    expect(diffusionOf(automatic)).toBe(0.15);
    const named = path.join(scratch.dir, 'named');
    expect((await runCli(['register', '--fixed', fixed, '--moving', moving, '--out', named, '--preset', 'brain-mri', '--json'])).code).toBe(0);
    expect(diffusionOf(named)).toBe(0.1);
  });
});
