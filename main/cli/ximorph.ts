// The `ximorph` command line. Each subcommand is a module under commands/; this file only
// parses the command line, dispatches, and turns errors into one clear line and an exit
// status (see exit-codes.ts).

import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { EngineError } from '../../shared/contract/errors';
import { exitCodeFor, exitCodes } from './exit-codes';
import { UsageError } from './usage-error';
import { commands } from './command-table';

const help = `XiMorph — medical-image registration by coordinate attention

Usage:
  ximorph [FILE...] [--sample]           open the workstation (Electron, or browser mode without it)
  ximorph serve [FILE...] [--port N] [--no-open] [--sample]
                                         browser mode on 127.0.0.1 with a per-launch token
  ximorph info FILE... [--json]          size, spacing, origin, direction, pixel type, range
${commands.helpLines()}
Exit status: 0 ok, 1 failure, 2 usage error, 3 bad input, 130 cancelled.`;

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    console.log(help);
    return exitCodes.ok;
  }
  const command = first ? commands.find(first) : undefined;
  const args = command ? rest : argv;
  const spec = command ?? commands.launcher;
  const { values, positionals } = parseArgs({ args, options: spec.options, allowPositionals: true, strict: true } as ParseArgsConfig);
  return await spec.run(values as Record<string, string | boolean | string[] | undefined>, positionals);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      console.error(`ximorph: ${(error as Error).message}\nRun 'ximorph --help' for usage.`);
      process.exit(exitCodes.usage);
    }
    if (error instanceof EngineError) {
      console.error(`ximorph: ${error.message}`);
      process.exit(exitCodeFor(error.code));
    }
    console.error(`ximorph: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(exitCodes.failure);
  },
);
