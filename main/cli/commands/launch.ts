// `ximorph [FILE...]` and `npm start`: the Electron app when its binary is here, otherwise
// browser mode — and we say which, and why.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from '../electron-binary';
import { serve } from './serve';
import type { ServeOptions } from './serve';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function launch(options: ServeOptions): Promise<number> {
  const electron = findElectronBinary();
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
