// ITK's text transform format (.txt, .tfm) for one affine transform, written here rather than
// by transform-io's pipeline: the same five lines, without loading and running a wasm module
// (60 ms of every registration's outputs for affine.txt). Numbers are JavaScript's shortest
// round-trip form (and -0 as such), so ITK's reader gets back exactly the doubles written.
// Anything else (a composite, float32 parameters) goes through transform-io.

import type { Transform as ItkTransform } from 'itk-wasm';

/** The file's text, or null where transform-io should write it. */
export function itkAffineText(list: readonly ItkTransform[]): string | null {
  if (list.length !== 1) return null;
  const [t] = list;
  const type = t.transformType;
  if (type.transformParameterization !== 'Affine' || type.parametersValueType !== 'float64' || type.inputDimension !== type.outputDimension) return null;
  const d = type.inputDimension;
  const numbers = (values: ArrayLike<number>) => Array.from(values, (v) => (Object.is(v, -0) ? '-0' : String(v))).join(' ');
  return [
    '#Insight Transform File V1.0',
    '#Transform 0',
    `Transform: AffineTransform_double_${d}_${d}`,
    `Parameters: ${numbers(t.parameters as Float64Array)}`,
    `FixedParameters: ${numbers(t.fixedParameters as Float64Array)}`,
    '',
  ].join('\n');
}
