// `ximorph serve [FILE...] [--port N] [--no-open] [--sample]`: browser mode.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../../../shared/contract/errors';
import { EngineHost } from '../../host/engine-host';
import { startupSources } from '../../host/startup-sources';
import { startBrowserServer } from '../../server/browser-server';

export interface ServeOptions {
  files: string[];
  port?: number;
  open: boolean;
  sample: boolean;
  backend?: string;
}

const rendererRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../renderer');

function openInBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`Could not start a browser (${opener}); open the URL above yourself.`));
  child.unref();
}

/** The files to open exist: a missing one is said at once, not after the workstation opened without it. */
export function checkStartupFiles(files: readonly string[]): void {
  for (const file of files) if (!existsSync(file)) throw new EngineError('NOT_FOUND', `${path.basename(file)}: the file does not exist`, { file });
}

export async function serve(options: ServeOptions): Promise<void> {
  checkStartupFiles(options.files);
  const host = new EngineHost({
    startupSources: startupSources(options.files, { sample: options.sample }),
    backend: options.backend,
    log: (line) => console.error(line),
  });
  const server = await startBrowserServer({ host, rendererRoot, port: options.port, log: (line) => console.error(line) });
  console.log(`Listening on ${server.url}`);
  if (options.open) openInBrowser(server.url);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await host.dispose();
}
