// The subcommands. Each entry declares its options (for node:util parseArgs) and how to run.

import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error';
import { serve } from './commands/serve';
import { launch } from './commands/launch';
import { info } from './commands/info';

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
];

export const commands = {
  find: (name: string) => table.find((c) => c.name === name),
  launcher: {
    name: '',
    options: launchOptions,
    run: (v: Values, files: string[]) =>
      launch({ files, port: port(v.port), open: !v['no-open'], sample: Boolean(v.sample), backend: v.backend as string | undefined }),
  } satisfies CommandSpec,
  helpLines: () => table.filter((c) => c.help).map((c) => `  ${c.help}`).join('\n'),
};
