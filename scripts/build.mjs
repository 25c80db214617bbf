// Builds everything that runs: the renderer bundle (Vite) and the Node/Electron entry points
// (esbuild). Dependencies stay external: itk-wasm and tfjs load their .wasm files relative
// to their own packages, and Electron must be the runtime's own module.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { rmSync } from 'node:fs';

const quiet = process.argv.includes('--quiet');
rmSync('dist/main', { recursive: true, force: true });

const nodeEntry = (entry, outfile, extra = {}) =>
  esbuild({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: quiet ? 'warning' : 'info',
    ...extra,
  });

await Promise.all([
  nodeEntry('main/cli/ximorph.ts', 'dist/main/cli.js'),
  nodeEntry('main/cli/job-thread/job-thread-entry.ts', 'dist/main/cli-job.js'),
  nodeEntry('main/engine/training/gradient-worker-entry.ts', 'dist/main/training-worker.js'),
  nodeEntry('main/engine/compute/kernel-pool/kernel-pool-worker.ts', 'dist/main/kernel-worker.js'),
  nodeEntry('main/worker/engine-worker.ts', 'dist/main/engine-worker.js'),
  nodeEntry('main/electron/main.ts', 'dist/main/electron-main.js'),
  // Sandboxed preloads cannot be ES modules and may require only 'electron': bundle the rest.
  nodeEntry('main/electron/preload.ts', 'dist/main/preload.cjs', { format: 'cjs', packages: undefined, external: ['electron'] }),
  viteBuild({ configFile: 'renderer/vite.config.ts', logLevel: quiet ? 'warn' : 'info' }),
]);
