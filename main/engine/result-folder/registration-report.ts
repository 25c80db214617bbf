// report.json: everything needed to trust a result and to reproduce it — every parameter,
// the software version, the featurizer, the backend, time and memory per stage, and the
// metrics — validated against the contract's schema before it is written or sent.

import type { ImageGrid } from '../../../shared/geometry/grid';
import type { RegistrationReport } from '../../../shared/contract/index';
import { registrationReportSchema } from '../../../shared/contract/index';
import type { RegistrationResult } from '../registration/result';
import type { DiceScores } from '../registration/outputs/metrics';
import packageJson from '../../../package.json' with { type: 'json' };

export interface Provenance {
  /** Each input by role (fixed, moving, fixedLabels, movingLabels, masks): where from, on which grid. */
  readonly inputs: Record<string, { source: string; grid: ImageGrid }>;
  /** The `ximorph register …` line that reproduces the result headless. */
  readonly command: string;
}

export const conventions =
  'World coordinates are ITK LPS millimetres. A transform maps a fixed-image point to the moving-image point ' +
  '(warped(x) = moving(T(x))). T(x) = A(x + u(x)): u (forward_field) is the deformable part on the fixed grid, ' +
  'in mm, applied first; A (affine.txt) is applied after. T⁻¹(y) = A⁻¹(y) + v(A⁻¹(y)) with v (inverse_field), also ' +
  'on the fixed grid. transform.h5 is the ITK CompositeTransform of T (queue [A, u]: ITK applies the last first), ' +
  'as antsApplyTransforms and Slicer expect; jacobian is det J of T on the fixed grid.';

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

function diceRecord(d: DiceScores | undefined) {
  if (!d) return undefined;
  return { mean: round(d.mean), perLabel: Object.fromEntries(Object.entries(d.perLabel).map(([k, v]) => [k, round(v)])) };
}

export function buildRegistrationReport(
  result: RegistrationResult,
  provenance: Provenance,
  outputs: { file: string; description: string }[],
  totalSeconds: number,
): RegistrationReport {
  const m = result.metrics;
  const stages = Object.entries(result.timings).map(([name, seconds]) => ({
    name,
    seconds: round(seconds, 3),
    peakRssMb: result.memory[name] ? round(result.memory[name].peakRssMiB, 1) : undefined,
  }));
  const report: RegistrationReport = {
    software: { name: 'XiMorph', version: packageJson.version },
    createdAt: new Date().toISOString(),
    backend: { name: result.backend.name, detail: result.backend.detail, fallbacks: result.backend.fallbacks.map((f) => ({ ...f })) },
    kernelThreads: result.kernelThreads,
    featurizer: result.featurizer,
    parameters: result.parameters,
    inputs: provenance.inputs,
    workingGrid: result.workingGrid,
    affine: [...result.affine.matrix],
    metrics: {
      nccBefore: round(m.nccBefore),
      nccAffine: round(m.nccAffine),
      nccAfter: round(m.nccAfter),
      foldPercent: round(m.foldPercent, 5),
      logJacobianSd: round(m.logJacobianSd),
      inverseConsistency: { meanMm: round(m.inverseConsistency.meanMm), p95Mm: round(m.inverseConsistency.p95Mm), maxMm: round(m.inverseConsistency.maxMm) },
      diceBefore: diceRecord(m.diceBefore),
      diceAfter: diceRecord(m.diceAfter),
    },
    stages,
    totalSeconds: round(totalSeconds, 3),
    // The process's own high-water mark covers loading and writing too, which the stages do not.
    peakRssMb: round(Math.max(process.resourceUsage().maxRSS / 1024, ...Object.values(result.memory).map((s) => s.peakRssMiB)), 1),
    outputs,
    conventions,
    command: provenance.command,
  };
  return registrationReportSchema.parse(report);
}
