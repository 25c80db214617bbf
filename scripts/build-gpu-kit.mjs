// A kit to time registration on a lent GPU machine that has neither Node's packages nor the
// project's data: bench/gpu-register.ts bundled into one file, tfjs's .wasm binaries beside it,
// dawn.node (the `webgpu` package, kept external: it loads its binary by path), the Vulkan
// loader, Node itself, and the prepared brain pair. Compressed files carry a .xz suffix.
//   node scripts/build-gpu-kit.mjs KIT   (then: node --import tsx bench/gpu-register.ts prepare KIT)
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const kit = process.argv[2] ?? '.device-kit';
mkdirSync(path.join(kit, 'node_modules/webgpu/dist/linux-x64'), { recursive: true });
await build({
  entryPoints: ['bench/gpu-register.ts'],
  outfile: path.join(kit, 'gpu-register.mjs'),
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
  external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu'],
  logLevel: 'warning',
});
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'])
  copyFileSync(path.join('node_modules/@tensorflow/tfjs-backend-wasm/dist', file), path.join(kit, file));
for (const file of ['index.js', 'package.json']) copyFileSync(path.join('node_modules/webgpu', file), path.join(kit, 'node_modules/webgpu', file));
const xz = (from, to) => {
  if (!existsSync(to)) execFileSync('sh', ['-c', `xz -T2 -9 -c '${from}' > '${to}'`]);
};
xz('node_modules/webgpu/dist/linux-x64/dawn.node', path.join(kit, 'dawn.node.xz'));
xz(process.execPath, path.join(kit, 'node.xz'));
if (existsSync('/usr/lib/chromium/libvulkan.so.1')) copyFileSync('/usr/lib/chromium/libvulkan.so.1', path.join(kit, 'libvulkan.so.1'));
