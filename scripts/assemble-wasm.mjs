// The engine's hand-written WebAssembly kernels: each `.wat` text below is assembled (wabt) into
// the `.wasm.ts` module beside it, which holds the binary as base64 so that every bundle and
// the unit tests load it the same way, with no file to find at run time. The generated modules
// are committed; `npm run checks` runs this with --check, which fails where one is stale.
//
//   node scripts/assemble-wasm.mjs [--check]

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import createWabt from 'wabt';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KERNELS = ['main/engine/inspection/attention-kernel.wat'];

const wabt = await createWabt();
const check = process.argv.includes('--check');
const stale = [];
for (const source of KERNELS) {
  const text = readFileSync(path.join(root, source), 'utf8');
  const module = wabt.parseWat(source, text, { simd: true });
  module.validate();
  const { buffer } = module.toBinary({});
  module.destroy();
  const target = path.join(root, source.replace(/\.wat$/, '.wasm.ts'));
  const generated =
    `// Generated from ${path.basename(source)} by scripts/assemble-wasm.mjs: edit the .wat and run it.\n` +
    `export const WASM_BASE64 =\n  '${Buffer.from(buffer).toString('base64')}';\n`;
  if (check) {
    if (!existsSync(target) || readFileSync(target, 'utf8') !== generated) stale.push(path.relative(root, target));
  } else writeFileSync(target, generated);
}
if (stale.length > 0) {
  process.stderr.write(`assemble-wasm: stale (run node scripts/assemble-wasm.mjs): ${stale.join(', ')}\n`);
  process.exit(1);
}
