// Where XiMorph keeps per-user state: recent files, generated samples. XIMORPH_HOME
// overrides both (tests use it so they never touch the user's real folders).

import os from 'node:os';
import path from 'node:path';

export interface AppDirectories {
  config: string;
  cache: string;
}

export function appDirectories(env: NodeJS.ProcessEnv = process.env): AppDirectories {
  if (env.XIMORPH_HOME) return { config: path.join(env.XIMORPH_HOME, 'config'), cache: path.join(env.XIMORPH_HOME, 'cache') };
  const home = os.homedir();
  if (process.platform === 'win32') {
    const appData = env.APPDATA ?? path.join(home, 'AppData', 'Roaming');
    const local = env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local');
    return { config: path.join(appData, 'XiMorph'), cache: path.join(local, 'XiMorph', 'Cache') };
  }
  if (process.platform === 'darwin') {
    const support = path.join(home, 'Library', 'Application Support', 'XiMorph');
    return { config: support, cache: path.join(home, 'Library', 'Caches', 'XiMorph') };
  }
  return {
    config: path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'ximorph'),
    cache: path.join(env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'ximorph'),
  };
}
