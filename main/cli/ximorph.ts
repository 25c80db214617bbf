// The `ximorph` command line, loaded by cli.ts. Each subcommand is a module under commands/;
// this file only parses the command line, dispatches, and turns errors into one clear line
// (or, in JSON mode, one JSON object on stdout) and an exit status (see exit-codes.ts). Nothing
// here, nor in commands/, computes: the work runs on a job thread (job-thread/), so that
// Ctrl-C is answered at once.

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { EngineError, serializeError } from '../../shared/contract/errors';
import { exitCodeFor, exitCodes } from './exit-codes';
import { UsageError } from './usage-error';
import type { CommandSpec, Reporting, Values } from './command-table';
import { commands } from './command-table';
import type { JobThread } from './job-thread/job-thread-start';
import { adoptJobThread, endJobThreads } from './job-thread/run-job-thread';
import packageJson from '../../package.json' with { type: 'json' };

const synopsis = (c: CommandSpec) => `ximorph ${c.name ? `${c.name} ` : ''}${c.synopsis}`;

const overallHelp = `XiMorph — medical-image registration by coordinate attention

Usage:
${commands.all.map((c) => `  ${synopsis(c)}`).join('\n')}

Run 'ximorph COMMAND --help' for a command's details, 'ximorph --version' for the version.
Exit status: 0 ok, 1 failure, 2 usage error, 3 bad input, 130 cancelled.`;

const commandHelp = (c: CommandSpec) => `Usage: ${synopsis(c)}\n\n${c.details}\n\nExit status: 0 ok, 1 failure, 2 usage error, 3 bad input, 130 cancelled.`;

function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || Boolean((error as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS'));
}

/** One line on stderr, or one JSON event on stdout, or both when piped; never a stack. */
function report(error: unknown, reporting: Reporting): number {
  const usage = isUsageError(error);
  const status = usage ? exitCodes.usage : error instanceof EngineError ? exitCodeFor(error.code) : exitCodes.failure;
  // Node's parser explains an ambiguous value ('--iterations -5') over three lines: one line here.
  const serialized = usage ? { code: 'USAGE', message: (error as Error).message.replaceAll(/\s*\n\s*/g, ' ') } : serializeError(error);
  if (!(error instanceof EngineError) && !usage && process.env.XIMORPH_DEBUG) console.error(error);
  if (reporting !== 'text') process.stdout.write(JSON.stringify({ event: 'error', error: serialized }) + '\n');
  if (reporting !== 'json') console.error(`ximorph: ${serialized.message}${usage ? " (run 'ximorph --help' for usage)" : ''}`);
  return status;
}

/**
 * `ximorph FILE...` opens files in the workstation: a first word that is no command and no file
 * (`ximorph regster --fixed …`) is a mistyped command, said before its options are read as the
 * workstation's.
 */
function checkNotMistypedCommand(first: string): void {
  if (/^[a-z][a-z0-9-]*$/i.test(first) && !existsSync(first)) throw new UsageError(`'${first}' is not a command, nor a file to open`);
}

/** An option that takes one value, given twice (`--fixed a --fixed b`), is a mistake: the parser would keep the last. */
function checkGivenOnce(tokens: NonNullable<ReturnType<typeof parseArgs>['tokens']>, options: CommandSpec['options']): void {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option' || options[token.name]?.multiple) continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once`);
    seen.add(token.name);
  }
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    console.log(overallHelp);
    return exitCodes.ok;
  }
  if (first === '--version' || first === '-V' || first === 'version') {
    console.log(`ximorph ${packageJson.version}`);
    return exitCodes.ok;
  }
  const command = first ? commands.find(first) : undefined;
  const spec = command ?? commands.launcher;
  const args = command ? rest : argv;
  let values: Values = {};
  try {
    if (!command && first !== undefined) checkNotMistypedCommand(first);
    const parsed = parseArgs({ args, options: spec.options, allowPositionals: true, strict: true, tokens: true } as ParseArgsConfig);
    values = parsed.values as Values;
    checkGivenOnce(parsed.tokens ?? [], spec.options);
    if (values.help) {
      console.log(commandHelp(spec));
      return exitCodes.ok;
    }
    if (!spec.takesFiles && parsed.positionals.length > 0) throw new UsageError(`${spec.name}: unexpected argument "${parsed.positionals[0]}" (every input is given with its option)`);
    return await spec.run(values, parsed.positionals);
  } catch (error) {
    return report(error, args.includes('--json') ? 'json' : spec.reporting(values));
  }
}

/** Runs one command line and exits with its status; `jobThread`, where cli.ts started one, does its work. */
export function runCommandLine(argv: string[], jobThread?: JobThread): void {
  if (jobThread) adoptJobThread(jobThread);
  const exit = async (code: number) => {
    await endJobThreads();
    process.exit(code);
  };
  main(argv).then(exit, (error: unknown) => exit(report(error, 'text')));
}
