// The command line as a user meets it: it says its version, every command has its own --help, mistakes in the
// command line are exit 2 with one line, absurd parameters are refused before any work, and
// 4D files and DICOM folders can be named with the choices they need.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commands } from '../../../main/cli/command-table';
import { jobThreadCommands } from '../../../main/cli/job-thread/job-thread-start';
import { itkSlices, runCli, tempFolder, ximorphBin } from './run-cli';

const nibabelData = '/usr/lib/python3/dist-packages/nibabel/tests/data';
const pydicomFiles = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const fixed = path.join(itkSlices, 'BrainProtonDensitySlice.png');

describe('ximorph command line', () => {
  const scratch = tempFolder();
  afterAll(() => scratch.cleanup());

  it('says its version, the one report.json records', async () => {
    const packageVersion = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) expect(await runCli([flag])).toMatchObject({ code: 0, stdout: `ximorph ${packageVersion}\n` });
  });

  it("keeps V8's compiled code in the user's cache folder, or where NODE_COMPILE_CACHE says", () => {
    const slice = path.join(itkSlices, 'BrainProtonDensitySlice.png');
    const home = path.join(scratch.dir, 'compile-cache-home');
    const { NODE_COMPILE_CACHE: _, ...environment } = process.env;
    const run = (env: Record<string, string> = {}, args = ['info', slice]) => execFileSync(process.execPath, [ximorphBin, ...args], { env: { ...environment, XIMORPH_HOME: home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const cached = (folder: string) => (existsSync(folder) ? readdirSync(folder, { recursive: true }).length : 0);
    // The job thread's modules too: `--version` starts none, `info` one (its bundle, tfjs, the
    // packages left outside it and the pipeline's Emscripten module): 17 files against 31–34.
    const mainThreadOnly = path.join(scratch.dir, 'compile-cache-version');
    run({ NODE_COMPILE_CACHE: mainThreadOnly }, ['--version']);
    const elsewhere = path.join(scratch.dir, 'compile-cache-elsewhere');
    run({ NODE_COMPILE_CACHE: elsewhere });
    expect(cached(elsewhere)).toBeGreaterThan(cached(mainThreadOnly) + 10);
    expect(cached(path.join(home, 'cache', 'compiled-code'))).toBe(0);
    run();
    expect(cached(path.join(home, 'cache', 'compiled-code'))).toBeGreaterThan(cached(mainThreadOnly) + 10);
  });

  it('starts a job thread early only for commands that exist', () => {
    const names = new Set(commands.all.map((c) => c.name));
    for (const name of jobThreadCommands) expect(names.has(name), name).toBe(true);
  });

  it('gives every command its own --help', async () => {
    for (const command of ['serve', 'info', 'register', 'warp', 'jacobian']) {
      const run = await runCli([command, '--help']);
      expect(run.code, command).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: ximorph ${command} `));
      expect(run.stdout).toMatch(/Exit status: 0 ok, 1 failure, 2 usage error, 3 bad input, 130 cancelled/);
    }
    const overall = await runCli(['--help']);
    expect(overall.stdout).toMatch(/ximorph register --fixed F --moving M --out DIR/);
    expect(overall.stdout).toMatch(/--moving-mask M/);
  });

  it('refuses a mistake in the command line with exit 2 and one line, before any work', async () => {
    const out = path.join(scratch.dir, 'never');
    const register = ['register', '--fixed', fixed, '--moving', fixed, '--out', out];
    const cases: [string[], RegExp][] = [
      [['info', '--bogus', fixed], /Unknown option '--bogus'/],
      [['frobnicate'], /^'frobnicate' is not a command, nor a file to open$/],
      [['regster', '--fixed', fixed], /^'regster' is not a command, nor a file to open$/],
      [[...register, '--iterations', '-5'], /^Option '--iterations' argument is ambiguous\. .*'--iterations=-XYZ'\.$/],
      [[...register, '--preset', 'nope'], /^--preset: unknown preset "nope"; known presets: brain-mri, /],
      [[...register, '--fixed', fixed], /^--fixed is given more than once$/],
      [[...register, 'stray.nii.gz'], /^register: unexpected argument "stray\.nii\.gz" \(every input is given with its option\)$/],
      [[...register, '--set', 'optimization.foo=1'], /optimization: Unrecognized key: "foo"/],
      [[...register, '--set', 'optimization.learningRate.x=1'], /--set names a parameter as group.key/],
      [[...register, '--set', 'noequals'], /--set needs group.key=value/],
      [[...register, '--iterations', '1e12'], /iterations: Too big/],
      [[...register, '--iterations', '2.5'], /^--iterations must be a whole number above 0, not 2\.5$/],
      [[...register, '--resolution', '5000'], /resolutionMm: Too big/],
      [[...register, '--resolution', 'fine'], /--resolution must be a positive number/],
      [[...register, '--outputs', 'default,fields'], /--outputs: no output is called "fields"; choose from default, all, warped-moving, /],
      [['register', '--fixed', fixed, '--out', out], /--moving is required/],
      [['register', '--fixed', fixed, '--moving-volume', '1', '--out', out], /--moving-volume needs --moving|--moving is required/],
    ];
    for (const [args, reason] of cases) {
      for (const json of [false, true]) {
        const run = await runCli(json ? [...args, '--json'] : args);
        expect(run.code, args.join(' ')).toBe(2);
        if (json) {
          expect(run.stderr).toBe('');
          const event = JSON.parse(run.stdout);
          expect(event).toEqual({ event: 'error', error: { code: 'USAGE', message: expect.stringMatching(reason) } });
        } else if (args[0] === 'info') {
          expect(run.stdout).toBe('');
          expect(run.stderr.trim().split('\n')).toHaveLength(1);
          expect(run.stderr).toMatch(reason);
        }
      }
    }
  });

  it('names the file, and its role, of an input the registration refuses: a constant image, an empty mask, a 3D image against a 2D one, labels that are not whole numbers', async () => {
    const zeros = path.join(scratch.dir, 'zeros.nii.gz');
    const volume = path.join(scratch.dir, 'volume.nii.gz');
    const fractional = path.join(scratch.dir, 'fractional.nii.gz');
    execFileSync('/usr/bin/python3', [
      '-c',
      `import sys, numpy as np, nibabel as nib
nib.save(nib.Nifti1Image(np.zeros((64, 64), np.float32), np.eye(4)), sys.argv[1])
nib.save(nib.Nifti1Image(np.random.default_rng(1).random((16, 16, 16)).astype(np.float32), np.eye(4)), sys.argv[2])
nib.save(nib.Nifti1Image(np.full((64, 64), 0.25, np.float32), np.eye(4)), sys.argv[3])`,
      zeros,
      volume,
      fractional,
    ]);
    const out = path.join(scratch.dir, 'refused');
    const cases: [string[], string, string][] = [
      [['--moving', zeros], zeros, 'zeros.nii.gz (the moving image): is constant (every voxel is 0); there is nothing to align'],
      [['--moving', fixed, '--mask', zeros], zeros, 'zeros.nii.gz (the fixed mask): is empty (no voxel is nonzero); it leaves no region in which to compare the images'],
      [['--moving', volume], volume, 'volume.nii.gz (the moving image): is 3D but the fixed image is 2D; both images must have the same dimension'],
      [
        ['--moving', fixed, '--fixed-labels', fractional, '--moving-labels', fractional],
        fractional,
        'fractional.nii.gz (the fixed labels): holds values that are not whole numbers (such as 0.25); a label map numbers its regions 1, 2, 3, … — is this an intensity image?',
      ],
    ];
    for (const [args, file, message] of cases) {
      const run = await runCli(['register', '--fixed', fixed, ...args, '--out', out]);
      expect(run.code, message).toBe(3);
      expect(run.stderr).toBe(`ximorph: ${message}\n`);
      const json = await runCli(['register', '--fixed', fixed, ...args, '--out', out, '--json']);
      expect(json.events.at(-1)).toEqual({ event: 'error', error: { code: 'BAD_INPUT', message, file } });
      expect(existsSync(out)).toBe(false);
    }
  });

  it('says a file to open in the workstation, or a transform to apply, is missing, before any work', async () => {
    const out = path.join(scratch.dir, 'never.nii.gz');
    for (const args of [['serve', '--no-open', 'nosuch.nii.gz'], [fixed, 'nosuch.nii.gz'], ['warp', '--transform', 'nosuch.nii.gz', '--input', fixed, '--reference', fixed, '--out', out]]) {
      const run = await runCli(args);
      expect(run.code, args.join(' ')).toBe(3);
      expect(run.stderr).toBe('ximorph: nosuch.nii.gz: the file does not exist\n');
    }
    expect(existsSync(out)).toBe(false);
  });

  it("records what reading an input warned of in report.json, as info says it", async () => {
    const file = path.join(scratch.dir, 'forms-disagree.nii.gz');
    execFileSync('/usr/bin/python3', [
      '-c',
      `import sys, numpy as np, nibabel as nib
data = np.random.default_rng(2).random((24, 24, 24)).astype(np.float32)
image = nib.Nifti1Image(data, np.eye(4))
shifted = np.eye(4); shifted[0, 3] = 20
image.set_qform(shifted, code=1); image.set_sform(np.eye(4), code=2)
nib.save(image, sys.argv[1])`,
      file,
    ]);
    const info = await runCli(['info', '--json', file]);
    const warnings = JSON.parse(info.stdout).warnings as string[];
    expect(warnings.some((w) => /disagrees with its sform/.test(w))).toBe(true);
    const out = path.join(scratch.dir, 'warned');
    const run = await runCli(['register', '--fixed', file, '--moving', file, '--out', out, '--iterations', '2', '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.inputs.fixed.warnings).toEqual(warnings);
    expect(report.inputs.moving.warnings).toEqual(warnings);
  });

  it('warns of an intensity image given as labels, and shows one progress fraction that only grows, to 1', async () => {
    const out = path.join(scratch.dir, 'intensity-labels');
    const moving = path.join(itkSlices, 'BrainProtonDensitySliceShifted13x17y.png');
    const run = await runCli(['register', '--fixed', fixed, '--moving', moving, '--fixed-labels', fixed, '--moving-labels', moving, '--iterations', '5', '--out', out, '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.inputs.fixedLabels.warnings).toContain(
      'BrainProtonDensitySlice.png (fixed labels): looks like an intensity image, not a label map (it is not piecewise constant); Dice counts each of its values as a region',
    );
    expect(report.inputs.fixed.warnings ?? []).not.toContainEqual(expect.stringMatching(/intensity image/));
    const fractions = run.events.filter((e) => e.event === 'progress').map((e) => e.fraction as number);
    expect(fractions.length).toBeGreaterThan(20);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i], `progress event ${i}`).toBeGreaterThanOrEqual(fractions[i - 1]);
    expect(fractions.at(-1)).toBeGreaterThan(0.95);
    expect(run.events.at(-1)?.event).toBe('done');
  });

  it('loads one volume of a 4D file, and says which flag chooses it', async () => {
    const file = path.join(nibabelData, 'example4d.nii.gz');
    const unchosen = await runCli(['info', file]);
    expect(unchosen.code).toBe(3);
    expect(unchosen.stderr).toBe('ximorph: example4d.nii.gz: the file holds 2 volumes; choose one with --volume N (0 to 1)\n');
    const chosen = await runCli(['info', '--json', '--volume', '1', file]);
    expect(chosen.code).toBe(0);
    expect(JSON.parse(chosen.stdout).grid.size).toEqual([128, 96, 24]);
    const register = await runCli(['register', '--fixed', file, '--fixed-volume', '5', '--moving', file, '--moving-volume', '0', '--out', path.join(scratch.dir, 'r4d'), '--json']);
    expect(register.code).toBe(3);
    expect(register.events.at(-1)?.error?.message).toMatch(/volume 5 does not exist \(the file holds volumes 0 to 1\)/);
    // A 2D or 3D file is its own volume 0; another volume of it is a mistake to say, not to ignore.
    const flat = await runCli(['register', '--fixed', fixed, '--moving', fixed, '--moving-volume', '1', '--out', path.join(scratch.dir, 'r2d')]);
    expect(flat.code).toBe(3);
    expect(flat.stderr).toBe('ximorph: BrainProtonDensitySlice.png: volume 1 does not exist (the image is 2D, a single volume: volume 0)\n');
  });

  it('reads a DICOM folder, and names the series to choose from when it holds several', async () => {
    const folder = path.join(scratch.dir, 'one series');
    mkdirSync(folder);
    for (const name of ['0.dcm', '1.dcm']) copyFileSync(path.join(nibabelData, name), path.join(folder, name));
    const one = await runCli(['info', '--json', folder]);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ format: 'DICOM series', grid: { size: [256, 256, 2] } });

    const several = await runCli(['info', pydicomFiles]);
    expect(several.code).toBe(3);
    expect(several.stderr).toMatch(/^ximorph: test_files: holds \d+ DICOM series; choose one with --series UID: [\d.]+/);
    // The series of CT_small.dcm, as pydicom reads it.
    const uid = execFileSync('/usr/bin/python3', ['-c', 'import sys, pydicom; print(pydicom.dcmread(sys.argv[1]).SeriesInstanceUID)', path.join(pydicomFiles, 'CT_small.dcm')], { encoding: 'utf8' }).trim();
    const chosen = await runCli(['info', '--json', '--series', uid, pydicomFiles]);
    expect(chosen.code, chosen.stdout).toBe(0);
    expect(JSON.parse(chosen.stdout)).toMatchObject({ format: 'DICOM series', grid: { size: [128, 128, 1] } });
  });
});
