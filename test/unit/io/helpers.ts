// Shared by the IO tests: the real data on these machines, the fixtures written by nibabel,
// pydicom and PIL (an independent reader reports what they hold), and error assertions.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { EngineError } from '../../../shared/contract/errors';
import type { ErrorCode } from '../../../shared/contract/errors';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { nifti1Offsets } from '../../../main/engine/io/nifti-header';

export const templates = '/usr/share/mricron/templates';
export const itkData = '/usr/share/doc/insighttoolkit5-examples/examples/Data';
export const pydicomFiles = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
export const nibabelData = '/usr/lib/python3/dist-packages/nibabel/tests/data';

/** Debian's Python, which has nibabel, pydicom, scipy and PIL (the one on PATH may not). */
export const python3 = '/usr/bin/python3';

export function runPython(code: string, args: string[] = []): string {
  return execFileSync(python3, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

export function pythonJson<T>(code: string, args: string[] = []): T {
  return JSON.parse(runPython(code, args)) as T;
}

export interface Fixtures {
  readonly dir: string;
  /** What nibabel and pydicom say about the fixtures and about real files. */
  readonly report: Record<string, unknown> & {
    series: { oblique: { seriesUid: string; normal: number[]; orientation: number[]; firstPosition: number[] } };
  };
  file(name: string): string;
  cleanup(): void;
}

export function makeFixtures(): Fixtures {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ximorph-io-test-'));
  const script = fileURLToPath(new URL('./fixtures/make_fixtures.py', import.meta.url));
  const report = JSON.parse(execFileSync(python3, [script, dir], { encoding: 'utf8' }));
  return { dir, report, file: (name) => path.join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function tempDir(prefix = 'ximorph-io-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Awaits a rejection and checks it is the EngineError users should see. */
export async function expectEngineError(promise: Promise<unknown>, code: ErrorCode, fileName: string, reason: RegExp): Promise<EngineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the call to fail').toBeInstanceOf(EngineError);
  const engineError = error as EngineError;
  expect(engineError.code).toBe(code);
  expect(engineError.message.startsWith(`${fileName}: `), engineError.message).toBe(true);
  expect(engineError.message).toMatch(reason);
  expect(engineError.message).not.toContain('\n');
  return engineError;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** A NIfTI affine (RAS) applied to a voxel index, in ITK's LPS world. */
export function nibabelWorldLps(affine: number[][], index: readonly number[]): number[] {
  const ras = [0, 1, 2].map((r) => affine[r][0] * index[0] + affine[r][1] * index[1] + affine[r][2] * index[2] + affine[r][3]);
  return [-ras[0], -ras[1], ras[2]];
}

/** An oblique, anisotropic 3D grid: what writers must keep exactly. */
const c = Math.cos(0.4);
const s = Math.sin(0.4);
export const obliqueGrid: ImageGrid = {
  size: [9, 7, 5],
  spacing: [1.5, 2, 2.5],
  origin: [10, -20, 30],
  direction: [c, -s, 0, s * 0.8, c * 0.8, -0.6, s * 0.6, c * 0.6, 0.8],
};

/** Bytes of a NIfTI-1 header's float fields ITK computes in its own arithmetic: pixdim, the quaternion, offsets and sform. */
const computedFloats = [...Array.from({ length: 8 }, (_, i) => nifti1Offsets.pixdim + 4 * i), ...Array.from({ length: 6 }, (_, i) => nifti1Offsets.quatern + 4 * i), ...Array.from({ length: 12 }, (_, i) => nifti1Offsets.srow + 4 * i)];

/**
 * Two NIfTI-1 headers agree: every byte the same but the floats ITK computes, which agree as
 * numbers, exactly or (`exact` false: oblique grids) to float32's precision.
 */
export function expectNiftiHeadersAgree(ours: Uint8Array, itk: Uint8Array, exact: boolean): void {
  expect(ours.length).toBe(itk.length);
  const floats = new Set(computedFloats.flatMap((o) => [o, o + 1, o + 2, o + 3]));
  const differing = [...ours.keys()].filter((i) => !floats.has(i) && ours[i] !== itk[i]);
  expect(differing).toEqual([]);
  const a = new DataView(ours.buffer, ours.byteOffset);
  const b = new DataView(itk.buffer, itk.byteOffset);
  // As numbers: ITK's arithmetic leaves some zeros as −0, which every reader takes as 0.
  for (const offset of computedFloats) {
    const x = a.getFloat32(offset, true);
    const y = b.getFloat32(offset, true);
    const tolerance = exact ? 0 : 4e-7 * Math.max(1, Math.abs(y));
    expect(Math.abs(x - y), `the float at byte ${offset}: ${x} against ITK's ${y}`).toBeLessThanOrEqual(tolerance);
  }
}
