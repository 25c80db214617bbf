// Transform files: what we write, @itk-wasm/transform-io reads back to the same numbers in
// ITK's conventions, and the point maps of what we read agree with what we wrote.

import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readTransformNode, txtWriteTransformNode } from '@itk-wasm/transform-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTransformFile, writeTransformFile } from '../../../main/engine/io/index';
import type { ImageGrid } from '../../../shared/geometry/grid';
import type { AffineTransform, DisplacementFieldTransform, Transform } from '../../../shared/transforms/transform';
import { affineFromLinearAndTranslation, composeTransforms, linearPart, pointMap, translationPart } from '../../../shared/transforms/transform';
import { expectEngineError, maxAbsDifference, tempDir } from './helpers';

let out: ReturnType<typeof tempDir>;
beforeAll(() => {
  out = tempDir();
});
afterAll(() => out.cleanup());

const affine3d: AffineTransform = affineFromLinearAndTranslation([1.1, 0.1, 0, -0.05, 0.9, 0.05, 0.02, 0, 1], [5, -3, 2]);
const affine2d: AffineTransform = affineFromLinearAndTranslation([0.98, -0.17, 0.17, 0.98], [13, 17]);

const fieldGrid: ImageGrid = {
  size: [6, 7, 8],
  spacing: [2, 2.5, 3],
  origin: [-5, -6, -7],
  direction: [0.96, -0.28, 0, 0.28, 0.96, 0, 0, 0, 1],
};
const displacement: DisplacementFieldTransform = {
  kind: 'displacement',
  grid: fieldGrid,
  vectors: Float32Array.from({ length: 6 * 7 * 8 * 3 }, (_, i) => Math.sin(i * 0.37) * 2),
};

/** Points inside and around the field's grid. */
const points = Array.from({ length: 300 }, (_, i) => [Math.sin(i) * 9 + 2, Math.cos(i * 1.3) * 10 + 3, Math.sin(i * 0.7) * 12 + 4]);

function pointMapsAgree(a: Transform, b: Transform, pts = points): number {
  const f = pointMap(a);
  const g = pointMap(b);
  return Math.max(...pts.map((p) => maxAbsDifference(f(p), g(p))));
}

describe('affine transforms', () => {
  for (const ext of ['.txt', '.tfm', '.mat', '.h5']) {
    it(`round-trips through ${ext}, as ITK's AffineTransform [matrix row-major, translation] with centre 0`, async () => {
      const file = path.join(out.dir, `affine${ext}`);
      await writeTransformFile(file, affine3d);
      const raw = ext === '.tfm' ? undefined : await readTransformNode(file);
      if (raw) {
        expect(raw).toHaveLength(1);
        expect(raw[0].transformType.transformParameterization).toBe('Affine');
        expect([...raw[0].parameters]).toEqual([1.1, 0.1, 0, -0.05, 0.9, 0.05, 0.02, 0, 1, 5, -3, 2]);
        expect([...raw[0].fixedParameters]).toEqual([0, 0, 0]);
      }
      const back = await readTransformFile(file);
      expect(back).toEqual(affine3d);
    });
  }

  it("writes ITK's text format that ITK's reader takes back bit for bit, and as transform-io writes it", async () => {
    const awkward = affineFromLinearAndTranslation([1 / 3, -0, 1e-300, 2 / 7, 123456.789, -5e-17, 0.1 + 0.2, 1, -1 / 9], [Math.PI, -Math.E, 1e21]);
    const ours = path.join(out.dir, 'awkward.txt');
    await writeTransformFile(ours, awkward);
    const raw = await readTransformNode(ours);
    expect(raw).toHaveLength(1);
    expect(raw[0].transformType.transformParameterization).toBe('Affine');
    expect([...raw[0].parameters]).toEqual([...linearPart(awkward), ...translationPart(awkward)]);
    // transform-io's own writer gives the same header and the same numbers to its 16 digits.
    const theirs = path.join(out.dir, 'awkward-transform-io.txt');
    await txtWriteTransformNode(raw, theirs);
    const [ourLines, theirLines] = [ours, theirs].map((f) => readFileSync(f, 'utf8').trim().split('\n'));
    expect(ourLines.slice(0, 3)).toEqual(theirLines.slice(0, 3));
    expect(ourLines.slice(3).map((l) => l.split(' ')[0])).toEqual(theirLines.slice(3).map((l) => l.split(' ')[0]));
    const values = (line: string) => line.split(' ').slice(1).map(Number);
    for (const i of [3, 4]) values(ourLines[i]).forEach((v, k) => expect(v).toBeCloseTo(values(theirLines[i])[k], 10));
  });

  it('round-trips a 2D affine', async () => {
    const file = path.join(out.dir, 'affine2d.txt');
    await writeTransformFile(file, affine2d);
    expect(await readTransformFile(file)).toEqual(affine2d);
  });

  it("folds ITK's centre of rotation into the translation", async () => {
    const file = path.join(out.dir, 'centred.tfm');
    writeFileSync(
      file,
      ['#Insight Transform File V1.0', '#Transform 0', 'Transform: AffineTransform_double_2_2', 'Parameters: 0 -1 1 0 3 4', 'FixedParameters: 10 20', ''].join('\n'),
    );
    const t = await readTransformFile(file);
    // x ↦ A(x − c) + c + t: the centre maps to itself plus t.
    expect(pointMap(t)([10, 20])).toEqual([13, 24]);
    expect(pointMap(t)([11, 20])).toEqual([13, 25]);
  });

  it('reads rigid parameterizations as the affine they mean', async () => {
    const angle = 0.3;
    const file = (name: string) => path.join(out.dir, name);
    const header = (type: string, parameters: number[], fixed: number[]) =>
      ['#Insight Transform File V1.0', '#Transform 0', `Transform: ${type}`, `Parameters: ${parameters.join(' ')}`, `FixedParameters: ${fixed.join(' ')}`, ''].join('\n');
    writeFileSync(file('euler.txt'), header('Euler3DTransform_double_3_3', [0, 0, angle, 1, 2, 3], [4, 5, 6, 0]));
    writeFileSync(file('versor.txt'), header('VersorRigid3DTransform_double_3_3', [0, 0, Math.sin(angle / 2), 1, 2, 3], [4, 5, 6]));
    const euler = await readTransformFile(file('euler.txt'));
    const versor = await readTransformFile(file('versor.txt'));
    // Both rotate by 0.3 rad about z through (4, 5, 6), then translate by (1, 2, 3).
    const p = [7, 5, 6];
    const expected = [4 + 3 * Math.cos(angle) + 1, 5 + 3 * Math.sin(angle) + 2, 6 + 3];
    expect(maxAbsDifference(pointMap(euler)(p), expected)).toBeLessThan(1e-6);
    expect(maxAbsDifference(pointMap(versor)(p), expected)).toBeLessThan(1e-6);
  });
});

describe('displacement fields and composites', () => {
  it('a field in .h5 is a DisplacementFieldTransform with ITK fixed parameters (size, origin, spacing, direction), stored as float32 and read by ITK into its double transform unchanged', async () => {
    const file = path.join(out.dir, 'field.h5');
    await writeTransformFile(file, displacement);
    // ITK's own HDF5TransformIO (inside transform-io), reading as double as antsApplyTransforms does.
    const [raw] = await readTransformNode(file);
    expect(raw.transformType.parametersValueType).toBe('float64');
    expect(raw.transformType.transformParameterization).toBe('DisplacementField');
    expect([...raw.fixedParameters]).toEqual([...fieldGrid.size, ...fieldGrid.origin, ...fieldGrid.spacing, ...fieldGrid.direction]);
    expect(maxAbsDifference(raw.parameters as Float64Array, displacement.vectors)).toBe(0);
    const back = await readTransformFile(file);
    expect(back).toEqual(displacement);
  });

  it('a large field (over a million values, as 1 mm brains have 21 million) reads back unchanged, by ITK too', async () => {
    const grid: ImageGrid = { ...fieldGrid, size: [72, 72, 72] };
    const large: DisplacementFieldTransform = { kind: 'displacement', grid, vectors: Float32Array.from({ length: 72 ** 3 * 3 }, (_, i) => Math.sin(i * 0.37) * 2) };
    const file = path.join(out.dir, 'large-field.h5');
    await writeTransformFile(file, large);
    const [raw] = await readTransformNode(file);
    expect(maxAbsDifference(raw.parameters as Float64Array, large.vectors)).toBe(0);
    expect(await readTransformFile(file)).toEqual(large);
  });

  it('a composite in .h5 is stored in ITK queue order (applied last first) and reads back as the same map', async () => {
    const composite = composeTransforms(affine3d, displacement);
    const file = path.join(out.dir, 'composite.h5');
    await writeTransformFile(file, composite);
    // ITK's own reader (inside transform-io) accepts the file and sees one CompositeTransform.
    const raw = await readTransformNode(file);
    expect(raw.map((t) => t.transformType.transformParameterization)).toEqual(['Composite']);
    // The layout is ITK's: the composite first, then its queue, which is our sequence reversed
    // (ITK applies the last one first): [displacement, affine].
    const script = `import h5py, json; f = h5py.File(${JSON.stringify(file)}); g = f['TransformGroup']
print(json.dumps([[g[k]['TransformType'][0].decode(), [float(v) for v in g[k]['TransformParameters'][:12]] if 'TransformParameters' in g[k] else None, g[k]['TransformParameters'].dtype.str if 'TransformParameters' in g[k] else None] for k in sorted(g, key=int)]))`;
    const layout = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script]).toString());
    expect(layout.map((entry: unknown[]) => entry[0])).toEqual([
      'CompositeTransform_double_3_3',
      'DisplacementFieldTransform_float_3_3',
      'AffineTransform_double_3_3',
    ]);
    // The field in float32, the precision it is computed in; the affine in double.
    expect(layout.map((entry: unknown[]) => entry[2])).toEqual([null, '<f4', '<f8']);
    expect(layout[2][1]).toEqual([1.1, 0.1, 0, -0.05, 0.9, 0.05, 0.02, 0, 1, 5, -3, 2]);
    const back = await readTransformFile(file);
    expect(back.kind).toBe('composite');
    expect(pointMapsAgree(back, composite)).toBe(0);
    // And the order matters: the reverse composition maps points elsewhere.
    expect(pointMapsAgree(back, composeTransforms(displacement, affine3d))).toBeGreaterThan(0.1);
  });

  it('refuses a field in a format that holds affines only', async () => {
    await expectEngineError(writeTransformFile(path.join(out.dir, 'field.txt'), displacement), 'BAD_INPUT', 'field.txt', /holds affine transforms only; save displacement fields as \.h5/);
    await expectEngineError(writeTransformFile(path.join(out.dir, 'two.mat'), composeTransforms(affine3d, affine3d)), 'BAD_INPUT', 'two.mat', /holds one affine transform/);
  });

  it('says why an ITK CompositeTransform file cannot be read', async () => {
    const file = path.join(out.dir, 'itk-composite.txt');
    writeFileSync(
      file,
      [
        '#Insight Transform File V1.0',
        '#Transform 0',
        'Transform: CompositeTransform_double_3_3',
        '#Transform 1',
        'Transform: AffineTransform_double_3_3',
        'Parameters: 1 0 0 0 1 0 0 0 1 1 2 3',
        'FixedParameters: 0 0 0',
        '',
      ].join('\n'),
    );
    await expectEngineError(readTransformFile(file), 'UNSUPPORTED', 'itk-composite.txt', /CompositeTransform/);
  });

  it('names a missing or unknown transform file', async () => {
    await expectEngineError(readTransformFile(path.join(out.dir, 'missing.h5')), 'NOT_FOUND', 'missing.h5', /does not exist/);
    writeFileSync(path.join(out.dir, 'x.json'), '{}');
    await expectEngineError(readTransformFile(path.join(out.dir, 'x.json')), 'BAD_INPUT', 'x.json', /unknown transform file type "\.json"/);
    writeFileSync(path.join(out.dir, 'garbage.h5'), 'not hdf5 at all');
    await expectEngineError(readTransformFile(path.join(out.dir, 'garbage.h5')), 'BAD_INPUT', 'garbage.h5', /HDF5 transform/);
  });

  it('a truncated composite .h5: one line with the reason HDF5 gives, and its error stack printed nowhere', async () => {
    const file = path.join(out.dir, 'cut-composite.h5');
    await writeTransformFile(file, composeTransforms(displacement, affine3d));
    truncateSync(file, Math.floor(statSync(file).size / 2));
    // In a process of its own: HDF5 (h5wasm) would write its stack straight to file descriptor 2.
    const module = new URL('../../../main/engine/io/index.ts', import.meta.url).href;
    const code = `const { readTransformFile } = await import(${JSON.stringify(module)}); await readTransformFile(${JSON.stringify(file)}).catch((e) => console.log(e.code, e.message));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('BAD_INPUT cut-composite.h5: the HDF5 transform file is truncated or corrupt (HDF5: unable to synchronously open file)\n');
  });

  it('refuses NaN or infinite parameters, which map every point nowhere (warp gave an all-zero image)', async () => {
    const text = (parameters: string) => `#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_2_2\nParameters: ${parameters}\nFixedParameters: 0 0\n`;
    writeFileSync(path.join(out.dir, 'nan-affine.txt'), text('nan 0 0 1 0 0'));
    await expectEngineError(readTransformFile(path.join(out.dir, 'nan-affine.txt')), 'BAD_INPUT', 'nan-affine.txt', /parameter 1 of 6 is NaN; a transform needs finite numbers/);
    writeFileSync(path.join(out.dir, 'inf-affine.txt'), text('1 0 0 1 inf 0'));
    await expectEngineError(readTransformFile(path.join(out.dir, 'inf-affine.txt')), 'BAD_INPUT', 'inf-affine.txt', /parameter 5 of 6 is Infinity/);
    // A field on a grid with a NaN origin (its y, in ITK's fixed parameters: size, origin, spacing, direction), patched with h5py.
    const file = path.join(out.dir, 'nan-origin-field.h5');
    await writeTransformFile(file, displacement);
    execFileSync('/usr/bin/python3', ['-c', "import h5py, sys\nwith h5py.File(sys.argv[1], 'r+') as f: f['TransformGroup/0/TransformFixedParameters'][4] = float('nan')", file]);
    await expectEngineError(readTransformFile(file), 'BAD_INPUT', 'nan-origin-field.h5', /fixed parameters \(centre or grid\) hold NaN or infinite values/);
  });
});
