// `ximorph register --fixed F --moving M --out DIR [...]`: a registration, headless, with
// the same engine, outputs and report.json as the workstation. This side checks the command
// line and the output folder before any work, then runs the job on a job thread.

import path from 'node:path';
import type { RegistrationOverrides, RegistrationReport } from '../../../shared/contract/index';
import type { OutputItem } from '../../../shared/contract/index';
import { registrationOverridesSchema, defaultOutputItems, outputItems } from '../../../shared/contract/index';
import { describeIssues } from '../../../shared/rpc/zod-issues';
import { removeOwnStagingSync } from '../../engine/io/staging-names';
import { mergeOverrides, presetOverrides } from '../../engine/registration-job/registration-presets';
import { reproduceCommand, settingsAsOverrides } from '../../engine/registration-job/reproduce-command';
import { checkResultFolder } from '../../engine/result-folder/result-folder-transaction';
import { resultFileNames } from '../../engine/result-folder/result-files';
import { defaultParameters } from '../../engine/registration/parameters';
import type { CliImageInput } from '../job-thread/cli-jobs';
import { runInJobThread } from '../job-thread/run-job-thread';
import { progressPrinter } from '../progress-printer';
import { UsageError } from '../usage-error';

export interface RegisterOptions {
  fixed: CliImageInput;
  moving: CliImageInput;
  out: string;
  fixedLabels?: CliImageInput;
  movingLabels?: CliImageInput;
  fixedMask?: CliImageInput;
  movingMask?: CliImageInput;
  resolution?: number;
  iterations?: number;
  model?: string;
  backend?: string;
  /** Kernel threads; 0 is every core. */
  threads?: number;
  preset?: string;
  settings: string[];
  /** --outputs: 'default', 'all', or a comma-separated list of output names (which may include 'default'). */
  outputs?: string;
  json: boolean;
}

/** An output item's name on the command line: kebab-case, as the rest of the flags. */
const cliName = (item: OutputItem) => item.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const outputNames = outputItems.map(cliName);

/** The items --outputs names; report.json is always written (it is how a result folder is read back). */
export function outputItemsOf(value: string | undefined): OutputItem[] {
  if (value === undefined) return [...defaultOutputItems];
  const chosen = new Set<OutputItem>(['report']);
  for (const name of value.split(',').map((n) => n.trim()).filter(Boolean)) {
    if (name === 'all') outputItems.forEach((item) => chosen.add(item));
    else if (name === 'default') defaultOutputItems.forEach((item) => chosen.add(item));
    else {
      const item = outputItems.find((i) => cliName(i) === name);
      if (!item) throw new UsageError(`--outputs: no output is called "${name}"; choose from default, all, ${outputNames.join(', ')}`);
      chosen.add(item);
    }
  }
  return outputItems.filter((item) => chosen.has(item));
}

/** The flags' overrides, on top of --set, on top of the preset; checked against the schema. */
export function overridesFromOptions(o: Pick<RegisterOptions, 'preset' | 'settings' | 'resolution' | 'backend' | 'threads' | 'model' | 'iterations'>): RegistrationOverrides {
  let settings: RegistrationOverrides;
  try {
    settings = settingsAsOverrides(o.settings);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let preset: RegistrationOverrides;
  try {
    preset = presetOverrides(o.preset);
  } catch (error) {
    // A name on the command line that is no preset is a usage mistake (exit 2), not bad input.
    throw new UsageError(`--preset: ${(error as Error).message}`);
  }
  let overrides = mergeOverrides(preset, settings);
  const flags: RegistrationOverrides = {};
  if (o.resolution !== undefined) flags.resolutionMm = o.resolution;
  if (o.backend !== undefined) flags.backend = o.backend as RegistrationOverrides['backend'];
  if (o.threads !== undefined) flags.threads = o.threads;
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

const absolute = (input: CliImageInput | undefined) => input && { ...input, path: path.resolve(input.path) };

export async function register(o: RegisterOptions): Promise<number> {
  const overrides = overridesFromOptions(o);
  const items = outputItemsOf(o.outputs);
  const out = path.resolve(o.out);
  await checkResultFolder(out, resultFileNames);
  const inputs = {
    fixed: absolute(o.fixed)!,
    moving: absolute(o.moving)!,
    fixedLabels: absolute(o.fixedLabels),
    movingLabels: absolute(o.movingLabels),
    fixedMask: absolute(o.fixedMask),
    movingMask: absolute(o.movingMask),
  };
  const command = reproduceCommand({ ...inputs, out }, overrides, o.preset);
  const printer = progressPrinter(o.json);
  try {
    const { report, files } = await runInJobThread(
      'register',
      { ...inputs, overrides, preset: o.preset, out, items, command },
      // The job writes its set beside the result folder, in a staging folder named after this process.
      { onProgress: (p) => printer.progress(p), cleanup: () => removeOwnStagingSync(path.dirname(out)) },
    );
    printer.finish();
    printer.event('done', { report, files });
    if (!o.json) {
      printInputWarnings(report);
      printSummary(report, files);
    }
    return 0;
  } finally {
    printer.finish();
  }
}

/** What reading the inputs warned of, as `ximorph info` says it (each warning names its file). */
function printInputWarnings(report: RegistrationReport): void {
  for (const input of Object.values(report.inputs)) for (const warning of input.warnings ?? []) console.error(`warning: ${warning}`);
}

function printSummary(report: RegistrationReport, files: string[]): void {
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
