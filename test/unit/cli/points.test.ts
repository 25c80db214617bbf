// `ximorph points` and `ximorph match` as a user runs them, on an oblique, flipped 3 mm brain
// pair: points through a real result agree with an independent implementation (nibabel +
// scipy) in both directions; Slicer markups keep their coordinate system (RAS or LPS) and
// CSV keeps its other columns; bad point files get one line naming the file and the line.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempFolder } from './run-cli';

const mapIndependently = path.join(import.meta.dirname, 'independent', 'map_points.py');

/**
 * ch2bet at 3 mm on an oblique grid (15° about the vertical axis) with its first axis flipped,
 * and the same brain moved by a few mm and degrees on that grid; then points in the brain, in
 * LPS mm, as a CSV with a name column and a note column around the coordinates.
 */
function obliquePairWithPoints(dir: string) {
  execFileSync('/usr/bin/python3', [
    '-c',
    `import sys, csv, numpy as np, nibabel as nib
from scipy import ndimage
im = nib.load('/usr/share/mricron/templates/ch2bet.nii.gz')
data = ndimage.zoom(np.asanyarray(im.dataobj).astype(np.float32), 1 / 3, order=1)
t = np.radians(15)
rotation = np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
linear = rotation @ np.diag([-3.0, 3.0, 3.0])
affine = np.eye(4); affine[:3, :3] = linear
affine[:3, 3] = -linear @ (np.array(data.shape) - 1) / 2 + [4, -6, 10]
nib.save(nib.Nifti1Image(data, affine), sys.argv[1] + '/fixed.nii.gz')
moved = ndimage.shift(ndimage.rotate(data, 5, axes=(0, 1), reshape=False, order=1), (1.5, -1, 0.7), order=1)
nib.save(nib.Nifti1Image(moved.astype(np.float32), affine), sys.argv[1] + '/moving.nii.gz')
inside = ndimage.binary_erosion(data > 0.3 * data.max(), iterations=3)
idx = np.argwhere(inside)[::97][:40]
ras = (affine @ np.c_[idx, np.ones(len(idx))].T).T[:, :3]
with open(sys.argv[1] + '/points.csv', 'w', newline='') as f:
    w = csv.writer(f); w.writerow(['name', 'x', 'y', 'z', 'note'])
    for i, p in enumerate(ras): w.writerow([f'p{i}', -p[0], -p[1], p[2], 'voxel ' + ' '.join(map(str, idx[i]))])`,
    dir,
  ]);
  return { fixed: path.join(dir, 'fixed.nii.gz'), moving: path.join(dir, 'moving.nii.gz'), points: path.join(dir, 'points.csv') };
}

interface CsvTable {
  header: string[];
  rows: Record<string, string>[];
}

function readCsv(file: string): CsvTable {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const names = header.split(',');
  return { header: names, rows: lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v]))) };
}

const xyz = (r: Record<string, string>) => [Number(r.x), Number(r.y), Number(r.z)];
const largestDifference = (a: number[][], b: number[][]) => Math.max(...a.map((p, i) => Math.max(...p.map((v, k) => Math.abs(v - b[i][k])))));

describe('ximorph points and ximorph match', () => {
  const temp = tempFolder('ximorph-points-');
  const dir = temp.dir;
  let pair: ReturnType<typeof obliquePairWithPoints>;
  let result: string;
  let input: number[][];

  beforeAll(async () => {
    pair = obliquePairWithPoints(dir);
    input = readCsv(pair.points).rows.map(xyz);
    result = path.join(dir, 'result');
    const run = await runCli(['register', '--fixed', pair.fixed, '--moving', pair.moving, '--out', result, '--json'], { timeoutMs: 300_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  }, 320_000);

  afterAll(() => temp.cleanup());

  it('maps fixed points to T(x) as nibabel + scipy do, within 1e-3 mm, and keeps the other columns', async () => {
    const out = path.join(dir, 'forward.csv');
    const run = await runCli(['points', '--transform', result, '--points', pair.points, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Wrote 40 points in the moving image/);
    const table = readCsv(out);
    expect(table.header).toEqual(['name', 'x', 'y', 'z', 'note']);
    expect(table.rows.map((r) => r.name)).toEqual(readCsv(pair.points).rows.map((r) => r.name));
    expect(table.rows[0].note).toMatch(/^voxel/);
    const ours = table.rows.map(xyz);
    const theirs = JSON.parse(execFileSync('/usr/bin/python3', [mapIndependently, result, pair.points], { encoding: 'utf8' })) as number[][];
    const moved = Math.max(...ours.map((p, i) => Math.hypot(...p.map((v, k) => v - input[i][k]))));
    console.log(`forward: points moved up to ${moved.toFixed(2)} mm; largest difference from nibabel + scipy ${largestDifference(ours, theirs).toExponential(2)} mm`);
    expect(moved).toBeGreaterThan(2);
    expect(largestDifference(ours, theirs)).toBeLessThan(1e-3);
  });

  it('maps moving points back with --inverse as nibabel + scipy do, and round-trips', async () => {
    const out = path.join(dir, 'inverse.csv');
    const run = await runCli(['points', '--transform', result, '--points', pair.points, '--out', out, '--inverse']);
    expect(run.code).toBe(0);
    const ours = readCsv(out).rows.map(xyz);
    const theirs = JSON.parse(execFileSync('/usr/bin/python3', [mapIndependently, result, pair.points, '--inverse'], { encoding: 'utf8' })) as number[][];
    console.log(`inverse: largest difference from nibabel + scipy ${largestDifference(ours, theirs).toExponential(2)} mm`);
    expect(largestDifference(ours, theirs)).toBeLessThan(1e-3);
    // T⁻¹(T(x)) ≈ x: the two fields are inverses of each other.
    const back = path.join(dir, 'back.csv');
    expect((await runCli(['points', '--transform', result, '--points', path.join(dir, 'forward.csv'), '--out', back, '--inverse'])).code).toBe(0);
    const cycle = readCsv(back).rows.map(xyz);
    expect(Math.max(...cycle.map((p, i) => Math.hypot(...p.map((v, k) => v - input[i][k]))))).toBeLessThan(0.5);
  });

  it('reads the same T from transform.h5 as from the folder', async () => {
    const out = path.join(dir, 'through-h5.csv');
    expect((await runCli(['points', '--transform', path.join(result, 'transform.h5'), '--points', pair.points, '--out', out])).code).toBe(0);
    expect(largestDifference(readCsv(out).rows.map(xyz), readCsv(path.join(dir, 'forward.csv')).rows.map(xyz))).toBeLessThan(1e-3);
  });

  it('keeps Slicer markups in their own coordinate system, RAS or LPS, .mrk.json and .fcsv', async () => {
    const forward = readCsv(path.join(dir, 'forward.csv')).rows.map(xyz);
    const ras = (p: number[]) => [-p[0], -p[1], p[2]];
    const markup = (system: 'RAS' | 'LPS') => ({
      '@schema': 'https://raw.githubusercontent.com/slicer/slicer/master/Modules/Loadable/Markups/Resources/Schema/markups-schema-v1.0.3.json#',
      markups: [{ type: 'Fiducial', coordinateSystem: system, coordinateUnits: 'mm', controlPoints: input.map((p, i) => ({ id: String(i + 1), label: `F-${i + 1}`, position: system === 'RAS' ? ras(p) : p })) }],
    });
    for (const system of ['RAS', 'LPS'] as const) {
      const file = path.join(dir, `points-${system}.mrk.json`);
      writeFileSync(file, JSON.stringify(markup(system)));
      const out = path.join(dir, `forward-${system}.mrk.json`);
      expect((await runCli(['points', '--transform', result, '--points', file, '--out', out])).code).toBe(0);
      const written = JSON.parse(readFileSync(out, 'utf8')) as { markups: { coordinateSystem: string; controlPoints: { label: string; position: number[] }[] }[] };
      expect(written.markups[0].coordinateSystem).toBe(system);
      expect(written.markups[0].controlPoints.map((c) => c.label)).toEqual(input.map((_, i) => `F-${i + 1}`));
      const positions = written.markups[0].controlPoints.map((c) => (system === 'RAS' ? ras(c.position) : c.position));
      expect(largestDifference(positions, forward)).toBeLessThan(1e-3);
    }
    // Legacy .fcsv, RAS by its header.
    const fcsv = path.join(dir, 'points.fcsv');
    writeFileSync(
      fcsv,
      ['# Markups fiducial file version = 4.11', '# CoordinateSystem = RAS', '# columns = id,x,y,z,ow,ox,oy,oz,vis,sel,lock,label,desc,associatedNodeID', ...input.map((p, i) => `vtkMRMLMarkupsFiducialNode_${i},${ras(p).join(',')},0,0,0,1,1,1,0,F-${i + 1},,`)].join('\n') + '\n',
    );
    const outFcsv = path.join(dir, 'forward.fcsv');
    expect((await runCli(['points', '--transform', result, '--points', fcsv, '--out', outFcsv])).code).toBe(0);
    const text = readFileSync(outFcsv, 'utf8');
    expect(text).toMatch(/# CoordinateSystem = RAS/);
    const rows = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(largestDifference(rows.map((l) => ras(l.split(',').slice(1, 4).map(Number))), forward)).toBeLessThan(1e-3);
  });

  it('reads CSV in R, A, S too', async () => {
    const file = path.join(dir, 'points-ras.csv');
    writeFileSync(file, 'R,A,S\n' + input.map((p) => `${-p[0]},${-p[1]},${p[2]}`).join('\n') + '\n');
    const out = path.join(dir, 'forward-ras.csv');
    expect((await runCli(['points', '--transform', result, '--points', file, '--out', out])).code).toBe(0);
    const table = readCsv(out);
    expect(table.header).toEqual(['R', 'A', 'S']);
    const lps = table.rows.map((r) => [-Number(r.R), -Number(r.A), Number(r.S)]);
    expect(largestDifference(lps, readCsv(path.join(dir, 'forward.csv')).rows.map(xyz))).toBeLessThan(1e-3);
  });

  it('refuses bad point files in one line that names the file (and the line), writing nothing', async () => {
    const cases: [string, string, RegExp][] = [
      ['nan.csv', 'x,y,z\n1,2,3\n4,NaN,6\n', /nan\.csv: line 3: .*NaN.*not a finite number/],
      ['short.csv', 'x,y,z\n1,2,3\n4,5\n', /short\.csv: line 3/],
      ['empty.csv', '', /empty\.csv: .*(empty|no points)/i],
      ['no-header.csv', '1,2,3\n', /no-header\.csv: line 1/],
      ['outside.csv', 'x,y,z\n0,0,0\n900,900,900\n', /outside\.csv: point 2 .*outside/],
      ['broken.mrk.json', '{"markups": [', /broken\.mrk\.json: /],
    ];
    for (const [name, text, expected] of cases) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      const out = path.join(dir, `out-${name}`);
      const run = await runCli(['points', '--transform', result, '--points', file, '--out', out]);
      expect(run.code, name).toBe(3);
      const lines = run.stderr.trim().split('\n');
      expect(lines, name).toHaveLength(1);
      expect(lines[0], name).toMatch(expected);
      expect(run.stderr, name).not.toMatch(/\n\s+at /);
      expect(() => readFileSync(out), name).toThrow();
      const json = await runCli(['points', '--transform', result, '--points', file, '--out', out, '--json']);
      expect(json.code).toBe(3);
      const last = json.events.at(-1)!;
      expect(last.event).toBe('error');
      expect(last.error?.code).toBe('BAD_INPUT');
      expect(last.error?.file).toBe(file);
    }
  });

  it('refuses to warp a 2D image with the 3D transform, or take its det J there, in one line, writing nothing', async () => {
    const slice = '/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainProtonDensitySliceBorder20.png';
    const out = path.join(dir, 'mismatched.nii.gz');
    for (const args of [
      ['warp', '--transform', result, '--input', slice, '--reference', slice, '--out', out],
      ['warp', '--transform', result, '--input', slice, '--reference', pair.fixed, '--out', out],
      ['jacobian', '--transform', result, '--reference', slice, '--out', out],
    ]) {
      const run = await runCli(args);
      expect(run.code, args.join(' ')).toBe(3);
      expect(run.stderr.trim()).toBe('ximorph: transform.h5: a 3D transform cannot map the 2D image BrainProtonDensitySliceBorder20.png');
      expect(() => readFileSync(out)).toThrow();
    }
  });

  it('matches points by features alone, with confidence and spread, both ways', async () => {
    const out = path.join(dir, 'matched.csv');
    const run = await runCli(['match', '--fixed', pair.fixed, '--moving', pair.moving, '--points', pair.points, '--out', out, '--json'], { timeoutMs: 120_000 });
    expect(run.code).toBe(0);
    expect(run.events.at(-1)?.event).toBe('done');
    const table = readCsv(out);
    expect(table.header).toEqual(['name', 'x', 'y', 'z', 'note', 'confidence', 'spread_mm']);
    for (const r of table.rows) {
      expect(Number(r.confidence)).toBeGreaterThan(0);
      expect(Number(r.confidence)).toBeLessThanOrEqual(1);
      expect(Number(r.spread_mm)).toBeGreaterThanOrEqual(0);
    }
    // Matches lie in the moving image's field of view: never NaN, never far outside.
    for (const p of table.rows.map(xyz)) expect(p.every(Number.isFinite)).toBe(true);
    const reverse = path.join(dir, 'matched-reverse.csv');
    expect((await runCli(['match', '--fixed', pair.fixed, '--moving', pair.moving, '--points', pair.points, '--out', reverse, '--reverse'], { timeoutMs: 120_000 })).code).toBe(0);
    expect(readCsv(reverse).rows).toHaveLength(40);
  });
});
