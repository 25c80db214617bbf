// The subcommands. Each entry declares its options (for node:util parseArgs) and how to run.

import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error';
import { serve } from './commands/serve';
import { launch } from './commands/launch';
import { info } from './commands/info';
import { register } from './commands/register';
import { warp } from './commands/warp';
import { jacobian } from './commands/jacobian';

type Values = Record<string, string | boolean | string[] | undefined>;

export interface CommandSpec {
  name: string;
  help?: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Values, positionals: string[]): Promise<number>;
}

const port = (value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, not ${String(value)}`);
  return n;
};

const number = (name: string, value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, not ${String(value)}`);
  return n;
};

const required = (name: string, value: unknown): string => {
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
};

const launchOptions = {
  sample: { type: 'boolean' },
  backend: { type: 'string' },
  port: { type: 'string' },
  'no-open': { type: 'boolean' },
} as const;

const table: CommandSpec[] = [
  {
    name: 'serve',
    options: launchOptions,
    run: async (v, files) => {
      await serve({ files, port: port(v.port), open: !v['no-open'], sample: Boolean(v.sample), backend: v.backend as string | undefined });
      return 0;
    },
  },
  {
    name: 'info',
    options: { json: { type: 'boolean' } },
    run: async (v, files) => {
      if (files.length === 0) throw new UsageError('info needs at least one FILE');
      return await info(files, { json: Boolean(v.json) });
    },
  },
  {
    name: 'register',
    help: `register --fixed F --moving M --out DIR [--fixed-labels L] [--moving-labels L] [--mask M]
                 [--resolution MM] [--iterations N] [--model PATH] [--backend B] [--preset P]
                 [--set group.key=value]... [--json]
                                         register M to F; writes fields, transforms, warped images, report.json`,
    options: {
      fixed: { type: 'string' },
      moving: { type: 'string' },
      out: { type: 'string' },
      'fixed-labels': { type: 'string' },
      'moving-labels': { type: 'string' },
      mask: { type: 'string' },
      resolution: { type: 'string' },
      iterations: { type: 'string' },
      model: { type: 'string' },
      backend: { type: 'string' },
      preset: { type: 'string' },
      set: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    },
    run: (v) =>
      register({
        fixed: required('fixed', v.fixed),
        moving: required('moving', v.moving),
        out: required('out', v.out),
        fixedLabels: v['fixed-labels'] as string | undefined,
        movingLabels: v['moving-labels'] as string | undefined,
        mask: v.mask as string | undefined,
        resolution: number('resolution', v.resolution),
        iterations: v.iterations === undefined ? undefined : Math.round(number('iterations', v.iterations)!),
        model: v.model as string | undefined,
        backend: v.backend as string | undefined,
        preset: v.preset as string | undefined,
        settings: (v.set as string[] | undefined) ?? [],
        json: Boolean(v.json) || !process.stdout.isTTY,
      }),
  },
  {
    name: 'warp',
    help: `warp --transform DIR_OR_H5 --input I --reference F --out O [--labels] [--json]
                                         resample I onto F's grid through a saved transform`,
    options: { transform: { type: 'string' }, input: { type: 'string' }, reference: { type: 'string' }, out: { type: 'string' }, labels: { type: 'boolean' }, json: { type: 'boolean' } },
    run: (v) =>
      warp({
        transform: required('transform', v.transform),
        input: required('input', v.input),
        reference: required('reference', v.reference),
        out: required('out', v.out),
        labels: Boolean(v.labels),
        json: Boolean(v.json),
      }),
  },
  {
    name: 'jacobian',
    help: `jacobian --transform DIR_OR_H5 --out O [--reference F] [--json]
                                         det J of a saved transform, with its folds (det J ≤ 0)`,
    options: { transform: { type: 'string' }, out: { type: 'string' }, reference: { type: 'string' }, json: { type: 'boolean' } },
    run: (v) => jacobian({ transform: required('transform', v.transform), out: required('out', v.out), reference: v.reference as string | undefined, json: Boolean(v.json) }),
  },
];

export const commands = {
  find: (name: string) => table.find((c) => c.name === name),
  launcher: {
    name: '',
    options: launchOptions,
    run: (v: Values, files: string[]) =>
      launch({ files, port: port(v.port), open: !v['no-open'], sample: Boolean(v.sample), backend: v.backend as string | undefined }),
  } satisfies CommandSpec,
  helpLines: () => table.filter((c) => c.help).map((c) => `  ximorph ${c.help}`).join('\n'),
};
