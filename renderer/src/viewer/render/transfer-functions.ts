// Colour and opacity functions for the image property, from the viewer's colour maps and
// label tables.

import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction';
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction';
import type { ColorPoint, OpacityPoint } from '../colormaps';
import type { LabelTable } from '../label-table';

export type ColorFunction = ReturnType<typeof vtkColorTransferFunction.newInstance>;
export type OpacityFunction = ReturnType<typeof vtkPiecewiseFunction.newInstance>;

/**
 * The functions' nodes are set at once, one node per x (the last given wins, as adding them one
 * by one would). vtk.js sorts the nodes, and for colours serializes them all twice, on every
 * point added: a 256-entry label table was 25–30 ms of the task that showed a result, per
 * labels layer in each view.
 */
function setNodes<F>(f: F, nodes: readonly { x: number }[]): F {
  const unique = [...new Map(nodes.map((n) => [n.x, n])).values()].sort((a, b) => a.x - b.x);
  // setNodes is in vtk.js but not in its typings.
  (f as unknown as { setNodes(n: object[]): void }).setNodes(unique.map((n) => ({ ...n, midpoint: 0.5, sharpness: 0 })));
  return f;
}

const colorFunction = (nodes: readonly { x: number; r: number; g: number; b: number }[]): ColorFunction =>
  setNodes(vtkColorTransferFunction.newInstance(), nodes);

const opacityFunction = (nodes: readonly { x: number; y: number }[]): OpacityFunction => setNodes(vtkPiecewiseFunction.newInstance(), nodes);

export function colorFunctionFrom(points: readonly ColorPoint[]): ColorFunction {
  return colorFunction(points.map((p) => ({ x: p.x, r: p.rgb[0], g: p.rgb[1], b: p.rgb[2] })));
}

export function opacityFunctionFrom(points: readonly OpacityPoint[]): OpacityFunction {
  return opacityFunction(points.map((p) => ({ x: p.x, y: p.alpha })));
}

export function constantOpacity(range: readonly [number, number], alpha = 1): OpacityFunction {
  return opacityFunction([
    { x: range[0], y: alpha },
    { x: range[1], y: alpha },
  ]);
}

/**
 * Label colours over display indices 0..255. Mappers sample these tables at 256 entries so
 * that entry i is exactly label index i (see LABEL_TABLE_WIDTH).
 */
export const LABEL_TABLE_WIDTH = 256;

export function labelColorFunction(table: LabelTable): ColorFunction {
  const nodes = table.colors.map((c, x) => ({ x, r: c[0], g: c[1], b: c[2] }));
  if (table.colors.length < LABEL_TABLE_WIDTH) nodes.push({ x: LABEL_TABLE_WIDTH - 1, r: 0, g: 0, b: 0 });
  return colorFunction(nodes);
}

/** Opacity per display index: 0 for the background, `alpha` for labels, `highlightAlpha` for one. */
export function labelOpacityFunction(table: LabelTable, alpha: number, highlight: number | null, highlightAlpha: number): OpacityFunction {
  const nodes = [{ x: 0, y: 0 }];
  for (let i = 1; i < table.values.length; i++) nodes.push({ x: i, y: i === highlight ? highlightAlpha : alpha });
  nodes.push({ x: LABEL_TABLE_WIDTH - 1, y: 0 });
  return opacityFunction(nodes);
}
