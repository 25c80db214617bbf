// Builds everything that runs: the renderer bundle (Vite) and the Node/Electron entry points
// (esbuild). Dependencies stay external: itk-wasm and tfjs load their .wasm files relative
// to their own packages, and Electron must be the runtime's own module.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const quiet = process.argv.includes('--quiet');
rmSync('dist/main', { recursive: true, force: true });

// Packages bundled into our files all the same. zod is some 150 ES module files, which Node
// resolves, reads and compiles one by one at the start of every thread that validates messages
// (130 ms; bundled, 50 ms), and it loads nothing relative to its own folder.
const bundledPackages = new Set(['zod']);
const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
// tfjs's gradients without the rest of tfjs. backend.ts imports the '@tensorflow/tfjs' union
// package only for the gradients it registers (and that still works unbuilt, under tsx and
// vitest); built, the import is tfjs-core's own module that registers them, bundled with the ops
// it uses: 17 ms and 2 MiB at the start of every engine thread instead of 180 ms and 19 MiB
// (the union loads tfjs-layers, -converter, -data and the WebGL backend). A second copy of tfjs's
// ops is what the union itself carries: they reach the one engine, registries and Tensor class
// through tfjs's globals.
const tfjsGradients = createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs$/ }, () => ({ path: tfjsGradients }));
    build.onResolve({ filter: /^[^./]/ }, (args) => (bundledPackages.has(packageName(args.path)) ? undefined : { path: args.path, external: true }));
  },
};

const nodeEntry = (entry, outfile, extra = {}) =>
  esbuild({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    plugins: [externalPackages],
    sourcemap: 'linked',
    logLevel: quiet ? 'warning' : 'info',
    ...extra,
  });

await Promise.all([
  // The command line's entry loads ./ximorph.js, the rest of it, once it has started the job thread.
  nodeEntry('main/cli/cli.ts', 'dist/main/cli.js', { external: ['./ximorph.js'] }),
  nodeEntry('main/cli/ximorph.ts', 'dist/main/ximorph.js'),
  nodeEntry('main/cli/job-thread/job-thread-entry.ts', 'dist/main/cli-job.js'),
  nodeEntry('main/cli/job-thread/hdf5-thread-entry.ts', 'dist/main/cli-hdf5.js'),
  nodeEntry('main/engine/training/gradient-worker-entry.ts', 'dist/main/training-worker.js'),
  nodeEntry('main/engine/compute/kernel-pool/kernel-pool-worker.ts', 'dist/main/kernel-worker.js'),
  nodeEntry('main/worker/engine-worker.ts', 'dist/main/engine-worker.js'),
  nodeEntry('main/electron/main.ts', 'dist/main/electron-main.js'),
  // Sandboxed preloads cannot be ES modules and may require only 'electron': bundle the rest.
  nodeEntry('main/electron/preload.ts', 'dist/main/preload.cjs', { format: 'cjs', plugins: [], external: ['electron'] }),
  viteBuild({ configFile: 'renderer/vite.config.ts', logLevel: quiet ? 'warn' : 'info' }),
]);
