// A kit to time registration on a lent GPU machine that has neither Node's packages nor the
// project's data: bench/gpu-register.ts bundled into one file, tfjs's .wasm binaries beside it,
// dawn.node (the `webgpu` package, kept external: it loads its binary by path), Node itself,
// and the prepared brain pair. Compressed files carry a .xz suffix. The GPU machine needs a
// Vulkan loader and libglvnd as well (Debian's libvulkan1 and libglvnd0, unpacked there).
//   node scripts/build-gpu-kit.mjs KIT   (then: node --import tsx bench/gpu-register.ts prepare KIT)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { bundleForNode, copyWasmBinaries } from './node-bundle.mjs';

const kit = process.argv[2] ?? '.device-kit';
mkdirSync(path.join(kit, 'node_modules/webgpu/dist/linux-x64'), { recursive: true });
await bundleForNode('bench/gpu-register.ts', path.join(kit, 'gpu-register.mjs'));
copyWasmBinaries(kit);
for (const file of ['index.js', 'package.json']) copyFileSync(path.join('node_modules/webgpu', file), path.join(kit, 'node_modules/webgpu', file));
const xz = (from, to) => {
  if (!existsSync(to)) execFileSync('sh', ['-c', `xz -T2 -9 -c '${from}' > '${to}'`]);
};
xz('node_modules/webgpu/dist/linux-x64/dawn.node', path.join(kit, 'dawn.node.xz'));
xz(process.execPath, path.join(kit, 'node.xz'));
