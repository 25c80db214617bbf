// The `ximorph` command line's entry (dist/main/cli.js). It looks only at the command's name,
// starts the job thread at once when the command has one (job-thread-start.ts says why), and
// then loads the command line itself (ximorph.ts, a separate bundle loaded on demand).

import { JobThread, jobThreadCommands } from './job-thread/job-thread-start';

const argv = process.argv.slice(2);
const wantsHelp = argv.some((a) => a === '--help' || a === '-h');
const jobThread = jobThreadCommands.has(argv[0] ?? '') && !wantsHelp ? new JobThread() : undefined;
const { runCommandLine } = await import('./ximorph.js');
runCommandLine(argv, jobThread);
