// Where the UI may write, over a real engine host and worker. The engine's rules hold for
// every client: nothing that is not a XiMorph workspace is replaced without the user's yes,
// and no system folder, device, pipe or socket is written. Electron's windows, in addition,
// write only where the user chose in a native dialog; the dialog is a stand-in here (Electron's
// binary cannot run on this machine), the policy and everything behind it are the app's own.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { EngineHost } from '../../../main/host/engine-host';
import type { RequestGate } from '../../../main/host/request-gate';
import { NativeSaveGrants, type ChooseSaveLocation } from '../../../main/host/save-grants';
import type { SavePurpose, Workspace } from '../../../shared/contract/index';
import { replaceChoiceOf } from '../../../shared/contract/index';
import { createContractClient, type ContractClient } from '../../../shared/rpc/client';
import { createInMemoryPair } from '../../../shared/rpc/in-memory-pair';
import { startHost } from './engine-fixture';

const data = '/usr/share/doc/insighttoolkit5-examples/examples/Data';
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ximorph-writes-'));
const script = '#!/bin/sh\necho "a user\'s own script"\n';
const workspace: Workspace = { format: 'ximorph-workspace', version: 1, images: [], registration: { preset: '2d', overrides: {} }, results: [], shownResult: null, view: {} };

const fileIn = (name: string, content?: string) => {
  const file = path.join(scratch, name);
  if (content !== undefined) writeFileSync(file, content);
  return file;
};
const failureOf = (request: Promise<unknown>) => request.then(() => null, (error: { code: string; message: string }) => error);

let host: EngineHost;
const connections: (() => void)[] = [];

/** A client connected as a window or tab is: through the host, with the host's gate for it. */
function connect(gate?: RequestGate): ContractClient {
  const [page, main] = createInMemoryPair();
  const connection = host.connect(main, gate);
  connections.push(() => connection.detach());
  return createContractClient(page);
}

/** A registration to export: two rat lung slices, the fast 2D preset. */
async function registerPair(client: ContractClient): Promise<string> {
  const load = async (file: string) => (await client.request('image.load', { source: { kind: 'path', path: path.join(data, file) } })).info.id;
  const inputs = { fixedId: await load('RatLungSlice1.mha'), movingId: await load('RatLungSlice2.mha') };
  return (await client.request('registration.run', { inputs, overrides: {}, preset: '2d' })).jobId;
}

/** Its job id: the session holds it for every client. */
let jobId: string;
beforeAll(async () => {
  host = startHost();
  jobId = await registerPair(connect());
});
afterAll(async () => {
  for (const detach of connections) detach();
  await host.dispose();
});

describe('the engine, for every client', () => {
  let client: ContractClient;
  beforeAll(() => {
    client = connect();
  });

  it('refuses to replace a file that is not a XiMorph workspace until the user says yes', async () => {
    const target = fileIn('settings.json', script);
    const refused = await failureOf(client.request('workspace.save', { path: target, workspace }));
    expect(refused).toMatchObject({ code: 'NEEDS_CHOICE' });
    expect(replaceChoiceOf(refused!)).toEqual({ path: target, reason: 'exists and is not a XiMorph workspace' });
    expect(readFileSync(target, 'utf8')).toBe(script);

    await client.request('workspace.save', { path: target, workspace, overwrite: true });
    expect(JSON.parse(readFileSync(target, 'utf8'))).toEqual(workspace);
  });

  it('replaces a XiMorph workspace without asking', async () => {
    const target = fileIn('previous.json', JSON.stringify({ ...workspace, registration: { preset: 'brain-mri', overrides: {} } }));
    await client.request('workspace.save', { path: target, workspace });
    expect(JSON.parse(readFileSync(target, 'utf8')).registration.preset).toBe('2d');
  });

  it('saves workspaces only as .json files, even when told to overwrite', async () => {
    const target = fileIn('run.sh', script);
    const refused = await failureOf(client.request('workspace.save', { path: target, workspace, overwrite: true }));
    expect(refused).toMatchObject({ code: 'BAD_INPUT', message: "run.sh: a workspace file's name must end in .json" });
    expect(readFileSync(target, 'utf8')).toBe(script);
  });

  it('refuses system folders, devices, pipes and sockets', async () => {
    const fifo = fileIn('pipe.json');
    execFileSync('mkfifo', [fifo]);
    const link = fileIn('null.json');
    symlinkSync('/dev/null', link);
    const socketPath = fileIn('socket.json');
    const socket = net.createServer().listen(socketPath);
    await new Promise((resolve) => socket.once('listening', resolve));
    const reasons: Record<string, RegExp> = {
      '/proc/self/study.json': /\/proc is a system folder/,
      '/sys/study.json': /\/sys is a system folder/,
      '/dev/study.json': /\/dev is a system folder/,
      [link]: /\/dev is a system folder/,
      [fifo]: /this is a named pipe \(FIFO\), not a place to save files/,
      [socketPath]: /this is a socket, not a place to save files/,
    };
    try {
      for (const [target, reason] of Object.entries(reasons)) {
        const refused = await failureOf(client.request('workspace.save', { path: target, workspace, overwrite: true }));
        expect(refused, target).toMatchObject({ code: 'BAD_INPUT' });
        expect(refused!.message, target).toMatch(reason);
      }
    } finally {
      socket.close();
    }
  });

  it('takes no relative path from a page: it would be the folder XiMorph was started in, not the user\'s', async () => {
    const before = new Set(readdirSync(process.cwd()));
    const message = (p: string) => `${p}: give the full path, from /; a relative path would be taken from the folder XiMorph was started in, not one you chose`;
    const cases: [Promise<unknown>, string][] = [
      [client.request('registration.export', { jobId, directory: 'relative/dir', items: ['report'] }), 'relative/dir'],
      [client.request('workspace.save', { path: 'relws.json', workspace }), 'relws.json'],
      [client.request('image.load', { source: { kind: 'path', path: './data/slice.png' } }), './data/slice.png'],
      [client.request('models.import', { folder: 'models/mine' }), 'models/mine'],
    ];
    for (const [request, relative] of cases) expect(await failureOf(request)).toMatchObject({ code: 'BAD_INPUT', message: message(relative) });
    expect(readdirSync(process.cwd()).filter((name) => !before.has(name))).toEqual([]);
    // A full path is taken as before.
    const folder = path.join(scratch, 'exported-in-full');
    await client.request('registration.export', { jobId, directory: folder, items: ['report'] });
    expect(existsSync(path.join(folder, 'report.json'))).toBe(true);
  });

  it('exports into no system folder, device or pipe', async () => {
    const fifo = fileIn('pipe-folder');
    execFileSync('mkfifo', [fifo]);
    for (const [directory, reason] of [
      ['/proc/self/result', /\/proc is a system folder/],
      ['/dev/result', /\/dev is a system folder/],
      [fifo, /this is a named pipe \(FIFO\)/],
    ] as const) {
      const refused = await failureOf(client.request('registration.export', { jobId, directory, items: ['affine'] }));
      expect(refused, directory).toMatchObject({ code: 'BAD_INPUT' });
      expect(refused!.message, directory).toMatch(reason);
    }
  });
});

describe('Electron: writes only where the user chose in a native dialog', () => {
  const asked: { purpose: SavePurpose; suggestedPath: string | undefined }[] = [];
  /** What the stand-in dialog answers next; null is Cancel. */
  const answers: (string | null)[] = [];
  const chooser: ChooseSaveLocation = async (purpose, suggestedPath) => {
    asked.push({ purpose, suggestedPath });
    return answers.shift() ?? null;
  };
  /** The folders the stand-in file manager was asked to show. */
  const revealed: string[] = [];
  let window: ContractClient;
  beforeAll(() => {
    window = connect(new NativeSaveGrants(chooser, async (folder) => void revealed.push(folder)));
  });

  const choose = async (purpose: SavePurpose, answer: string | null, suggestedPath?: string) => {
    answers.push(answer);
    const chosen = await window.request('files.chooseSaveLocation', { purpose, suggestedPath });
    expect(asked.at(-1)).toEqual({ purpose, suggestedPath });
    return chosen;
  };
  const grantOf = async (purpose: SavePurpose, target: string) => {
    const chosen = await choose(purpose, target);
    if (chosen.outcome !== 'chosen') throw new Error('the stand-in dialog chose nothing');
    expect(chosen.path).toBe(target);
    return chosen.grant;
  };

  it('answers a choice with its path and a grant, and a cancelled dialog with cancelled', async () => {
    expect(await choose('workspace', null, '/suggested/study.json')).toEqual({ outcome: 'cancelled' });
    const chosen = await choose('export', path.join(scratch, 'chosen'));
    expect(chosen).toMatchObject({ outcome: 'chosen', path: path.join(scratch, 'chosen') });
    expect((chosen as { grant: string }).grant.length).toBeGreaterThanOrEqual(40);
  });

  it('answers FORBIDDEN itself to a write without a grant: the worker never sees it', async () => {
    const target = fileIn('ungranted.json');
    const refused = await failureOf(window.request('workspace.save', { path: target, workspace }));
    expect(refused).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('only where you chose') });
    expect(existsSync(target)).toBe(false);
    // The engine would answer NOT_FOUND for a job it does not hold; the host answers first.
    const folder = fileIn('ungranted-export');
    expect(await failureOf(window.request('registration.export', { jobId: 'no-such-job', directory: folder, items: ['affine'] }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(existsSync(folder)).toBe(false);
  });

  it('lets a granted workspace, and the result exported into its results folder, through', async () => {
    const target = fileIn('study.json', script);
    const grant = await grantOf('workspace', target);
    const resultFolder = path.join(scratch, 'study.results', jobId);
    const { files } = await window.request('registration.export', { jobId, directory: resultFolder, items: ['affine', 'report'], grant });
    expect(files.map((f) => path.basename(f))).toEqual(['affine.txt', 'report.json']);
    // The native dialog confirmed the replacement; the page says so.
    await window.request('workspace.save', { path: target, workspace: { ...workspace, results: [{ directory: resultFolder }], shownResult: 0 }, grant, overwrite: true });
    expect(JSON.parse(readFileSync(target, 'utf8')).results).toEqual([{ directory: resultFolder }]);
  });

  it('lets a granted export folder through, and shows it in the file manager; no other place', async () => {
    const folder = path.join(scratch, 'export');
    const grant = await grantOf('export', folder);
    await window.request('registration.export', { jobId, directory: folder, items: ['affine'], grant });
    expect(existsSync(path.join(folder, 'affine.txt'))).toBe(true);
    expect(await window.request('files.reveal', { path: folder, grant })).toEqual({ outcome: 'shown' });
    expect(revealed).toEqual([folder]);
    for (const elsewhere of ['/usr/bin', path.join(folder, 'affine.txt'), path.dirname(folder)])
      expect(await failureOf(window.request('files.reveal', { path: elsewhere, grant })), elsewhere).toMatchObject({ code: 'FORBIDDEN' });
    expect(await failureOf(window.request('files.reveal', { path: folder, grant: 'x'.repeat(43) }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(revealed).toEqual([folder]);
  });

  it('refuses forged grants, grants for another path, purpose or window, and grants replaced by a newer choice', async () => {
    const study = fileIn('granted.json');
    const grant = await grantOf('workspace', study);
    const exportGrant = await grantOf('export', path.join(scratch, 'export-granted'));
    const other = connect(new NativeSaveGrants(chooser));
    const refusals = {
      forged: window.request('workspace.save', { path: study, workspace, grant: 'x'.repeat(43) }),
      'another file': window.request('workspace.save', { path: fileIn('other.json'), workspace, grant }),
      'an export grant for a workspace': window.request('workspace.save', { path: study, workspace, grant: exportGrant }),
      'another export folder': window.request('registration.export', { jobId, directory: fileIn('export-other'), items: ['affine'], grant: exportGrant }),
      'out of the results folder': window.request('registration.export', { jobId, directory: path.join(scratch, 'granted.results', '..', 'escaped'), items: ['affine'], grant }),
      'deeper in the results folder': window.request('registration.export', { jobId, directory: path.join(scratch, 'granted.results', 'a', 'b'), items: ['affine'], grant }),
      'another window': other.request('workspace.save', { path: study, workspace, grant }),
    };
    for (const [what, request] of Object.entries(refusals)) expect(await failureOf(request), what).toMatchObject({ code: 'FORBIDDEN' });

    await grantOf('workspace', fileIn('newer.json'));
    expect(await failureOf(window.request('workspace.save', { path: study, workspace, grant }))).toMatchObject({ code: 'FORBIDDEN' });
    for (const never of [study, fileIn('other.json'), fileIn('escaped'), fileIn('export-other')]) expect(existsSync(never), never).toBe(false);
  });

  it('still asks before replacing a file that is not a workspace when the page does not say the dialog confirmed it', async () => {
    const target = fileIn('notes.json', script);
    const grant = await grantOf('workspace', target);
    expect(await failureOf(window.request('workspace.save', { path: target, workspace, grant }))).toMatchObject({ code: 'NEEDS_CHOICE' });
    expect(readFileSync(target, 'utf8')).toBe(script);
  });
});

describe('browser mode', () => {
  it('tells the page to ask for save locations itself', async () => {
    expect(await connect().request('files.chooseSaveLocation', { purpose: 'workspace' })).toEqual({ outcome: 'askInPage' });
  });
});
