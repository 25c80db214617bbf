// A self-contained build of the command line for machines with Node.js but no npm packages
// (a lent GPU box, a cluster node): the CLI, its job thread, the kernel and gradient workers as single
// files with every package inside, and tfjs's .wasm binaries beside them. itk-wasm's reading
// pipelines are not included: such a build trains on synthetic data or prepared scans.
//   node scripts/build-portable.mjs → dist-portable/ (run with XIMORPH_TFJS_WASM_DIR=dist-portable)
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { bundleForNode, copyWasmBinaries } from './node-bundle.mjs';

const out = 'dist-portable';
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
await Promise.all([
  bundleForNode('main/cli/cli.ts', path.join(out, 'cli.js'), ['./ximorph.js']),
  bundleForNode('main/cli/ximorph.ts', path.join(out, 'ximorph.js')),
  bundleForNode('main/cli/job-thread/job-thread-entry.ts', path.join(out, 'cli-job.js')),
  bundleForNode('main/engine/training/gradient-worker-entry.ts', path.join(out, 'training-worker.js')),
  bundleForNode('main/engine/compute/kernel-pool/kernel-pool-worker.ts', path.join(out, 'kernel-worker.js')),
]);
copyWasmBinaries(out);
