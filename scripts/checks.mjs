// The static checks `npm test` runs first — each TypeScript project, both Svelte projects and
// ESLint — one per core (`npm run typecheck`: the same without ESLint). One after another they took 74 s on a 2-core machine, mostly
// single-threaded; side by side, about 40 s. Each check's output is printed whole when it ends,
// so that two checks' lines never interleave, and the run fails if any check failed.

import { spawn } from 'node:child_process';
import os from 'node:os';

const svelteCheck = (tsconfig) => ['svelte-check', '--tsconfig', tsconfig, '--threshold', 'error', '--fail-on-warnings'];

// Longest first, so that the last check to start is a short one.
const checks = [
  ['eslint', '.'],
  ['tsc', '-p', 'test'],
  svelteCheck('renderer/tsconfig.json'),
  svelteCheck('renderer/dev/tsconfig.json'),
  ['tsc', '-p', 'main'],
  ['tsc', '-p', 'shared'],
  // The committed WebAssembly kernels match their .wat sources.
  ['node', 'scripts/assemble-wasm.mjs', '--check'],
];

function run(command) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('npx', ['--no-install', ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const ok = code === 0;
      process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${command.join(' ')} (${seconds} s)\n`);
      if (!ok) process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
      resolve(ok ? null : `${command.join(' ')} exited with ${signal ?? code}`);
    });
  });
}

const selected = process.argv.includes('--types-only') ? checks.filter(([program]) => program !== 'eslint') : checks;
const parallel = Math.max(1, Math.min(Number(process.env.XIMORPH_CHECK_JOBS) || os.availableParallelism(), selected.length));
const queue = [...selected];
const failures = [];
await Promise.all(
  Array.from({ length: parallel }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const failure = await run(next);
      if (failure) failures.push(failure);
    }
  }),
);
if (failures.length > 0) {
  process.stderr.write(`checks: ${failures.length} failed: ${failures.join('; ')}\n`);
  process.exit(1);
}
