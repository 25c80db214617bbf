// Where XiMorph keeps per-user state: recent files (config), generated samples and training
// caches (cache), the user's own models (data). XIMORPH_HOME overrides all three (tests use it
// so they never touch the user's real folders).

import os from 'node:os';
import path from 'node:path';

export interface AppDirectories {
  config: string;
  cache: string;
  /** What the user made and keeps: trained models. */
  data: string;
}

export function appDirectories(env: NodeJS.ProcessEnv = process.env): AppDirectories {
  if (env.XIMORPH_HOME) return { config: path.join(env.XIMORPH_HOME, 'config'), cache: path.join(env.XIMORPH_HOME, 'cache'), data: path.join(env.XIMORPH_HOME, 'data') };
  const home = os.homedir();
  if (process.platform === 'win32') {
    const appData = env.APPDATA ?? path.join(home, 'AppData', 'Roaming');
    const local = env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local');
    return { config: path.join(appData, 'XiMorph'), cache: path.join(local, 'XiMorph', 'Cache'), data: path.join(appData, 'XiMorph', 'Data') };
  }
  if (process.platform === 'darwin') {
    const support = path.join(home, 'Library', 'Application Support', 'XiMorph');
    return { config: support, cache: path.join(home, 'Library', 'Caches', 'XiMorph'), data: path.join(support, 'Data') };
  }
  return {
    config: path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'ximorph'),
    cache: path.join(env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'ximorph'),
    data: path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'ximorph'),
  };
}
