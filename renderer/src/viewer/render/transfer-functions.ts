// Colour and opacity functions for the image property, from the viewer's colour maps and
// label tables.

import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction';
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction';
import type { ColorPoint, OpacityPoint } from '../colormaps';
import type { LabelTable } from '../label-table';

export type ColorFunction = ReturnType<typeof vtkColorTransferFunction.newInstance>;
export type OpacityFunction = ReturnType<typeof vtkPiecewiseFunction.newInstance>;

export function colorFunctionFrom(points: readonly ColorPoint[]): ColorFunction {
  const f = vtkColorTransferFunction.newInstance();
  for (const p of points) f.addRGBPoint(p.x, p.rgb[0], p.rgb[1], p.rgb[2]);
  return f;
}

export function opacityFunctionFrom(points: readonly OpacityPoint[]): OpacityFunction {
  const f = vtkPiecewiseFunction.newInstance();
  for (const p of points) f.addPoint(p.x, p.alpha);
  return f;
}

export function constantOpacity(range: readonly [number, number], alpha = 1): OpacityFunction {
  const f = vtkPiecewiseFunction.newInstance();
  f.addPoint(range[0], alpha);
  f.addPoint(range[1], alpha);
  return f;
}

/**
 * Label colours over display indices 0..255. Mappers sample these tables at 256 entries so
 * that entry i is exactly label index i (see LABEL_TABLE_WIDTH).
 */
export const LABEL_TABLE_WIDTH = 256;

export function labelColorFunction(table: LabelTable): ColorFunction {
  const f = vtkColorTransferFunction.newInstance();
  table.colors.forEach((c, i) => f.addRGBPoint(i, c[0], c[1], c[2]));
  if (table.colors.length < LABEL_TABLE_WIDTH) f.addRGBPoint(LABEL_TABLE_WIDTH - 1, 0, 0, 0);
  return f;
}

/** Opacity per display index: 0 for the background, `alpha` for labels, `highlightAlpha` for one. */
export function labelOpacityFunction(table: LabelTable, alpha: number, highlight: number | null, highlightAlpha: number): OpacityFunction {
  const f = vtkPiecewiseFunction.newInstance();
  f.addPoint(0, 0);
  for (let i = 1; i < table.values.length; i++) f.addPoint(i, i === highlight ? highlightAlpha : alpha);
  f.addPoint(LABEL_TABLE_WIDTH - 1, 0);
  return f;
}
