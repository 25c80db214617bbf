// One ES module file with every package inside, for machines with Node.js but no npm packages
// (scripts/build-portable.mjs, scripts/build-gpu-kit.mjs), and tfjs's .wasm binaries beside it.
import { build } from 'esbuild';
import { copyFileSync } from 'node:fs';
import path from 'node:path';

/** Bundles `entryPoint` into `outfile`; the optional native packages stay outside. */
export function bundleForNode(entryPoint, outfile, external = []) {
  return build({
    entryPoints: [entryPoint],
    outfile,
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
    // dawn.node (the webgpu package) is loaded by a path computed at run time: it cannot be inlined.
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu', ...external],
    logLevel: 'warning',
    // backend.ts imports tfjs's cpu backend for its side effect, which that package's
    // "sideEffects" list denies; the bundle registers it all the same through @tensorflow/tfjs.
    logOverride: { 'ignored-bare-import': 'silent' },
  });
}

/** The wasm backend's binaries, which it reads from XIMORPH_TFJS_WASM_DIR in such a build. */
export function copyWasmBinaries(folder) {
  for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'])
    copyFileSync(path.join('node_modules/@tensorflow/tfjs-backend-wasm/dist', file), path.join(folder, file));
}
