// The `ximorph` command line's entry (dist/main/cli.js). It looks only at the command's name,
// starts the job thread at once when the command has one (job-thread-start.ts says why), then
// loads the command line itself (ximorph.ts, a separate bundle loaded on demand).

import nodeModule from 'node:module';
import path from 'node:path';
import { appDirectories } from '../engine/session/app-directories';
import { JobThread, jobThreadCommands } from './job-thread/job-thread-start';

// V8 keeps what it compiled of our bundles, tfjs and itk-wasm's JavaScript on disk, and later
// runs start from it: `ximorph info` on a PNG 0.90× its time, 0.92× its CPU (farm-bench -n 10).
// In the user's own cache folder, not a shared temporary one another account could fill;
// NODE_COMPILE_CACHE moves it (empty counts as unset, not as the working folder). Threads inherit
// it through the environment. It never fails a command: where it cannot be kept, nothing changes.
// (Node 22.1 and later; @types/node 20 does not know it yet.)
const { enableCompileCache } = nodeModule as { enableCompileCache?: (directory: string) => { directory?: string } };
const cache = enableCompileCache?.(process.env.NODE_COMPILE_CACHE || path.join(appDirectories().cache, 'compiled-code'));
if (cache?.directory) process.env.NODE_COMPILE_CACHE = cache.directory;

const argv = process.argv.slice(2);
const wantsHelp = argv.some((a) => a === '--help' || a === '-h');
const jobThread = jobThreadCommands.has(argv[0] ?? '') && !wantsHelp ? new JobThread() : undefined;
const { runCommandLine } = await import('./ximorph.js');
runCommandLine(argv, jobThread);
