// Finds Electron's binary without triggering its download: requiring the `electron` package
// would try to fetch the binary when it is missing, and that fails on machines without
// outside network access (installs there use ELECTRON_SKIP_BINARY_DOWNLOAD=1).

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export function findElectronBinary(): string | null {
  if (process.env.XIMORPH_ELECTRON && existsSync(process.env.XIMORPH_ELECTRON)) return process.env.XIMORPH_ELECTRON;
  let packageDir: string;
  try {
    packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}
