// A self-contained build of the command line for machines with Node.js but no npm packages
// (a lent GPU box, a cluster node): the CLI, its job thread and the gradient workers as single
// files with every package inside, and tfjs's .wasm binaries beside them. itk-wasm's reading
// pipelines are not included: such a build trains on synthetic data or prepared scans.
//   node scripts/build-portable.mjs → dist-portable/ (run with XIMORPH_TFJS_WASM_DIR=dist-portable)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const out = 'dist-portable';
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
const entry = (input, output) =>
  build({
    entryPoints: [input],
    outfile: path.join(out, output),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    // CommonJS packages inside an ES module bundle still call require() and read __dirname
    // (Emscripten's glue of the wasm backend does, to find its .wasm files).
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
    },
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    logLevel: 'warning',
  });
await Promise.all([
  entry('main/cli/ximorph.ts', 'cli.js'),
  entry('main/cli/job-thread/job-thread-entry.ts', 'cli-job.js'),
  entry('main/engine/training/gradient-worker-entry.ts', 'training-worker.js'),
]);
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'])
  copyFileSync(path.join('node_modules/@tensorflow/tfjs-backend-wasm/dist', file), path.join(out, file));
