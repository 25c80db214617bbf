// Where elastix's result sends a point (transformix -def), and the rotation of its affine stage:
// to score the peer on pairs whose true transform is known.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { measure } from './processes';

export async function transformPoint(dir: string, transform: string, point: readonly number[]): Promise<{ point: number[]; affineAngleDegrees: number }> {
  const out = path.join(dir, 'elastix-points');
  await mkdir(out, { recursive: true });
  const input = path.join(out, 'points.txt');
  await writeFile(input, `point\n1\n${point.join(' ')}\n`);
  await measure('transformix', ['-def', input, '-out', out, '-tp', transform]);
  const text = await readFile(path.join(out, 'outputpoints.txt'), 'utf8');
  const match = /OutputPoint = \[ ([^\]]+) \]/.exec(text);
  if (!match) throw new Error(`transformix wrote no output point:\n${text}`);
  // The affine stage's parameters are a00 a01 a10 a11 t0 t1 (2D).
  const affine = await readFile(path.join(path.dirname(transform), 'TransformParameters.0.txt'), 'utf8');
  const p = /\(TransformParameters ([^)]+)\)/.exec(affine)![1].trim().split(/\s+/).map(Number);
  const affineAngleDegrees = (Math.atan2(p[2] - p[1], p[0] + p[3]) * 180) / Math.PI;
  return { point: match[1].trim().split(/\s+/).map(Number), affineAngleDegrees };
}
