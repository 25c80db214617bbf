// The exact `ximorph register …` line that reproduces a registration headless: the inputs'
// paths, the preset, and every override as --set group.key=value (lists as JSON).

import type { RegistrationOverrides } from '../../../shared/contract/index';

export interface CommandInputs {
  fixed: string;
  moving: string;
  fixedLabels?: string;
  movingLabels?: string;
  mask?: string;
  out: string;
}

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
  const args = ['ximorph', 'register', '--fixed', inputs.fixed, '--moving', inputs.moving];
  if (inputs.fixedLabels) args.push('--fixed-labels', inputs.fixedLabels);
  if (inputs.movingLabels) args.push('--moving-labels', inputs.movingLabels);
  if (inputs.mask) args.push('--mask', inputs.mask);
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
    const key = setting.slice(0, eq);
    const raw = setting.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw; // Plain strings need no quotes: --set features.model=mind-ssc
    }
    const [group, field] = key.split('.');
    if (field === undefined) overrides[group] = value;
    else overrides[group] = { ...(overrides[group] as object | undefined), [field]: value };
  }
  return overrides as RegistrationOverrides;
}
