// The exact `ximorph register …` line that reproduces a registration headless: the inputs'
// paths, the preset, and every override as --set group.key=value (lists as JSON).

import type { RegistrationOverrides } from '../../../shared/contract/index';

/** An input as the command line names it: a file or DICOM folder, and the choices it needs. */
export interface CommandImage {
  readonly path: string;
  /** The volume of a 4D file. */
  readonly volume?: number;
  /** The series of a DICOM folder that holds several. */
  readonly series?: string;
}

export interface CommandInputs {
  fixed: CommandImage;
  moving: CommandImage;
  fixedLabels?: CommandImage;
  movingLabels?: CommandImage;
  fixedMask?: CommandImage;
  movingMask?: CommandImage;
  out: string;
}

/** Each input's flag on the command line, in the order the line lists them. */
const inputFlags: [Exclude<keyof CommandInputs, 'out'>, string][] = [
  ['fixed', 'fixed'],
  ['moving', 'moving'],
  ['fixedLabels', 'fixed-labels'],
  ['movingLabels', 'moving-labels'],
  ['fixedMask', 'mask'],
  ['movingMask', 'moving-mask'],
];

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** group.key=value pairs for every override, in a stable order. */
export function overridesAsSettings(overrides: RegistrationOverrides): string[] {
  const settings: string[] = [];
  for (const [group, value] of Object.entries(overrides).sort(([a], [b]) => a.localeCompare(b))) {
    if (value === undefined) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, v] of Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
        if (v !== undefined) settings.push(`${group}.${key}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    } else settings.push(`${group}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return settings;
}

export function reproduceCommand(inputs: CommandInputs, overrides: RegistrationOverrides, preset?: string): string {
  const args = ['ximorph', 'register'];
  for (const [key, flag] of inputFlags) {
    const input = inputs[key];
    if (!input) continue;
    args.push(`--${flag}`, input.path);
    if (input.volume !== undefined) args.push(`--${flag}-volume`, String(input.volume));
    if (input.series !== undefined) args.push(`--${flag}-series`, input.series);
  }
  args.push('--out', inputs.out);
  if (preset) args.push('--preset', preset);
  for (const setting of overridesAsSettings(overrides)) args.push('--set', setting);
  return args.map(quote).join(' ');
}

/** The inverse of overridesAsSettings, for the CLI's --set flags. */
export function settingsAsOverrides(settings: readonly string[]): RegistrationOverrides {
  const overrides: Record<string, unknown> = {};
  for (const setting of settings) {
    const eq = setting.indexOf('=');
    if (eq < 0) throw new Error(`--set needs group.key=value, not "${setting}"`);
    if (/^\s*$/.test(setting.slice(0, eq))) throw new Error(`--set needs a parameter name before "=", not "${setting}"`);
    const key = setting.slice(0, eq);
    const raw = setting.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw; // Plain strings need no quotes: --set features.model=mind-ssc
    }
    const parts = key.split('.');
    if (parts.length > 2) throw new Error(`--set names a parameter as group.key, not "${key}"`);
    const [group, field] = parts;
    if (field === undefined) overrides[group] = value;
    else overrides[group] = { ...(overrides[group] as object | undefined), [field]: value };
  }
  return overrides as RegistrationOverrides;
}
