// The viewer's colour and opacity functions, set at once, against the same functions built
// point by point as vtk.js's own API adds them.

import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction';
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction';
import { describe, expect, it } from 'vitest';
import { colorFunctionFrom, LABEL_TABLE_WIDTH, labelColorFunction, labelOpacityFunction, opacityFunctionFrom } from '../../../renderer/src/viewer/render/transfer-functions';
import type { LabelTable } from '../../../renderer/src/viewer/label-table';

const table = (n: number): LabelTable => {
  const colors = Array.from({ length: n }, (_, i) => [(i * 37) % 256 / 255, (i * 91) % 256 / 255, (i * 13) % 256 / 255] as const);
  return { values: colors.map((_, i) => (i === 0 ? 0 : 1000 + i)), colors, names: [], dropped: 0 };
};

const sampleColors = (f: ReturnType<typeof vtkColorTransferFunction.newInstance>) => {
  const out: number[][] = [];
  for (let x = -0.5; x <= LABEL_TABLE_WIDTH; x += 0.25) {
    const rgb = [0, 0, 0];
    f.getColor(x, rgb);
    out.push(rgb);
  }
  return out;
};
/** vtk.js's typings give getValue no argument. */
const opacityAt = (f: ReturnType<typeof vtkPiecewiseFunction.newInstance>, x: number) => (f as unknown as { getValue(x: number): number }).getValue(x);
const sampleOpacity = (f: ReturnType<typeof vtkPiecewiseFunction.newInstance>) => {
  const out: number[] = [];
  for (let x = -0.5; x <= LABEL_TABLE_WIDTH; x += 0.25) out.push(opacityAt(f, x));
  return out;
};

describe('transfer functions set at once', () => {
  it.each([3, 40, 256])('label colours and opacities for %i labels match vtk.js point by point', (n) => {
    const labels = table(n);
    const reference = vtkColorTransferFunction.newInstance();
    labels.colors.forEach((c, i) => reference.addRGBPoint(i, c[0], c[1], c[2]));
    if (n < LABEL_TABLE_WIDTH) reference.addRGBPoint(LABEL_TABLE_WIDTH - 1, 0, 0, 0);
    const made = labelColorFunction(labels);
    expect(made.getRange()).toEqual(reference.getRange());
    expect(sampleColors(made)).toEqual(sampleColors(reference));

    const opacity = vtkPiecewiseFunction.newInstance();
    opacity.addPoint(0, 0);
    for (let i = 1; i < n; i++) opacity.addPoint(i, i === 2 ? 0.85 : 0.5);
    opacity.addPoint(LABEL_TABLE_WIDTH - 1, 0);
    expect(sampleOpacity(labelOpacityFunction(labels, 0.5, 2, 0.85))).toEqual(sampleOpacity(opacity));
  });

  it('keeps one node per value, the last given, in order, as adding them one by one does', () => {
    const points = [
      { x: 5, rgb: [1, 0, 0] as const },
      { x: 0, rgb: [0, 0, 1] as const },
      { x: 5, rgb: [0, 1, 0] as const },
    ];
    const reference = vtkColorTransferFunction.newInstance();
    for (const p of points) reference.addRGBPoint(p.x, p.rgb[0], p.rgb[1], p.rgb[2]);
    const made = colorFunctionFrom(points);
    expect(made.getSize()).toBe(2);
    const at = (f: typeof made, x: number) => {
      const rgb = [0, 0, 0];
      f.getColor(x, rgb);
      return rgb;
    };
    expect(at(made, 5)).toEqual([0, 1, 0]);
    expect(at(made, 2.5)).toEqual(at(reference, 2.5));
    const alpha = opacityFunctionFrom([
      { x: 1, alpha: 0.2 },
      { x: -1, alpha: 0 },
      { x: 1, alpha: 0.9 },
    ]);
    expect(alpha.getSize()).toBe(2);
    expect(opacityAt(alpha, 1)).toBe(0.9);
    expect(opacityAt(alpha, 0)).toBeCloseTo(0.45, 12);
  });
});
