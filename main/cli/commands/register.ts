// `ximorph register --fixed F --moving M --out DIR [...]`: a registration, headless, with
// the same engine, outputs and report.json as the workstation.

import path from 'node:path';
import type { RegistrationOverrides } from '../../../shared/contract/index';
import { registrationOverridesSchema, defaultOutputItems } from '../../../shared/contract/index';
import { describeIssues } from '../../../shared/rpc/zod-issues';
import { readImageFile } from '../../engine/io/index';
import type { JobImage, RegistrationJobInputs } from '../../engine/registration-job/run-registration-job';
import { runRegistrationJob } from '../../engine/registration-job/run-registration-job';
import { mergeOverrides, presetOverrides } from '../../engine/registration-job/registration-presets';
import { reproduceCommand, settingsAsOverrides } from '../../engine/registration-job/reproduce-command';
import { buildRegistrationReport } from '../../engine/result-folder/registration-report';
import { writeRegistrationOutputs } from '../../engine/result-folder/write-result-folder';
import { defaultParameters } from '../../engine/registration/parameters';
import { cliJob } from '../cli-job';
import { progressPrinter } from '../progress-printer';
import { UsageError } from '../usage-error';

export interface RegisterOptions {
  fixed: string;
  moving: string;
  out: string;
  fixedLabels?: string;
  movingLabels?: string;
  mask?: string;
  resolution?: number;
  iterations?: number;
  model?: string;
  backend?: string;
  preset?: string;
  settings: string[];
  json: boolean;
}

/** The flags' overrides, on top of the preset, on top of --set. */
export function overridesFromOptions(o: RegisterOptions): RegistrationOverrides {
  let overrides = mergeOverrides(presetOverrides(o.preset), settingsAsOverrides(o.settings));
  const flags: RegistrationOverrides = {};
  if (o.resolution !== undefined) flags.resolutionMm = o.resolution;
  if (o.backend !== undefined) flags.backend = o.backend as RegistrationOverrides['backend'];
  if (o.model !== undefined) flags.features = { model: o.model };
  overrides = mergeOverrides(overrides, flags);
  if (o.iterations !== undefined) {
    // --iterations N: N Adam iterations at every optimization level.
    const levels = (overrides.optimization?.levels ?? defaultParameters.optimization.levels).map((l) => ({ ...l, iterations: o.iterations! }));
    overrides = mergeOverrides(overrides, { optimization: { levels } });
  }
  const parsed = registrationOverridesSchema.safeParse(overrides);
  if (!parsed.success) throw new UsageError(`invalid parameters: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

async function load(file: string | undefined, role: 'labels' | 'intensity'): Promise<JobImage | undefined> {
  return file ? readImageFile(file, { role }) : undefined;
}

export async function register(o: RegisterOptions): Promise<number> {
  const overrides = overridesFromOptions(o);
  const printer = progressPrinter(o.json);
  const job = cliJob(printer);
  try {
    const inputs: RegistrationJobInputs = {
      fixed: (await load(o.fixed, 'intensity'))!,
      moving: (await load(o.moving, 'intensity'))!,
      fixedLabels: await load(o.fixedLabels, 'labels'),
      movingLabels: await load(o.movingLabels, 'labels'),
      fixedMask: await load(o.mask, 'labels'),
    };
    const { result, seconds, provenance } = await runRegistrationJob(inputs, overrides, job.context);
    const command = reproduceCommand(
      { fixed: path.resolve(o.fixed), moving: path.resolve(o.moving), fixedLabels: o.fixedLabels && path.resolve(o.fixedLabels), movingLabels: o.movingLabels && path.resolve(o.movingLabels), mask: o.mask && path.resolve(o.mask), out: path.resolve(o.out) },
      overrides,
    );
    const started = performance.now();
    let report;
    const files = await writeRegistrationOutputs(
      result,
      defaultOutputItems,
      o.out,
      (outputs) => (report = buildRegistrationReport(result, { ...provenance, command }, outputs, seconds + (performance.now() - started) / 1000)),
      job.context,
    );
    job.dispose();
    printer.event('done', { report, files });
    if (!o.json) printSummary(report!, files);
    return 0;
  } finally {
    job.dispose();
  }
}

function printSummary(report: NonNullable<ReturnType<typeof buildRegistrationReport>>, files: string[]): void {
  const m = report.metrics;
  const lines = [
    `Registered in ${report.totalSeconds.toFixed(1)} s on ${report.backend.name} (${report.backend.detail}), peak RSS ${report.peakRssMb.toFixed(0)} MB`,
    `  NCC ${m.nccBefore.toFixed(3)} → ${m.nccAffine.toFixed(3)} (affine) → ${m.nccAfter.toFixed(3)}`,
    `  folds ${m.foldPercent.toFixed(4)} %, SD log J ${m.logJacobianSd.toFixed(3)}, inverse consistency ${m.inverseConsistency.meanMm.toFixed(3)} mm (max ${m.inverseConsistency.maxMm.toFixed(2)})`,
  ];
  if (m.diceBefore && m.diceAfter) lines.push(`  mean Dice ${m.diceBefore.mean.toFixed(3)} → ${m.diceAfter.mean.toFixed(3)} over ${Object.keys(m.diceAfter.perLabel).length} labels`);
  lines.push(`  wrote ${files.length} files to ${path.dirname(files[0] ?? '.')}`);
  console.log(lines.join('\n'));
}
