// `ximorph [FILE...]` and `npm start`: the Electron app when its binary is here, otherwise
// browser mode — and we say which, and why.

import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from '../electron-binary';
import { checkStartupFiles, serve } from './serve';
import type { ServeOptions } from './serve';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Electron 45 fetches its binary on first use; try once, unless downloads are switched off. */
function tryInstallElectron(): string | null {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return null;
  let installer: string;
  try {
    installer = path.join(path.dirname(createRequire(import.meta.url).resolve('electron/package.json')), 'install.js');
  } catch {
    return null;
  }
  console.error("Electron's binary is missing; downloading it once…");
  const result = spawnSync(process.execPath, [installer], { encoding: 'utf8', timeout: 180_000 });
  if (result.status === 0) return findElectronBinary();
  const reason = `${result.stderr ?? ''}`.split('\n').find((line) => /error|failed/i.test(line))?.trim() ?? `exit status ${result.status}`;
  console.error(`The download failed: ${reason}`);
  return null;
}

export async function launch(options: ServeOptions): Promise<number> {
  checkStartupFiles(options.files);
  const electron = findElectronBinary() ?? tryInstallElectron();
  if (!electron) {
    console.error(
      "Electron's binary is not installed here (its download was skipped or failed), so XiMorph opens in browser mode instead.",
    );
    await serve(options);
    return 0;
  }
  const args = [appRoot, ...(options.sample ? ['--sample'] : []), ...(options.backend ? [`--backend=${options.backend}`] : []), ...options.files.map((f) => path.resolve(f))];
  const child = spawn(electron, args, { stdio: 'inherit' });
  return await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}
