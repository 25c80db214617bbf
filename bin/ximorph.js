#!/usr/bin/env node
// The `ximorph` command. The TypeScript sources are built into dist/ by `npm install`
// (the prepare script) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('ximorph: not built yet; run `npm run build` in the XiMorph folder.');
  process.exit(70);
}
await import(cli);
