// Packaging: electron-builder makes an AppImage and a .deb from the built app, each with its
// fuses flipped, and each starts the workstation. Packaging needs Electron's prebuilt binary
// (taken here from node_modules/electron/dist, so that Electron is not downloaded again) and
// electron-builder's AppImage and deb tools, which it downloads from GitHub on first use. Where
// Electron's binary is absent (installs with ELECTRON_SKIP_BINARY_DOWNLOAD=1, on machines with
// no outside network access) nothing can be packaged, and the check is reported skipped.

import { chromium, expect, test } from '@playwright/test';
import { getCurrentFuseWire, FuseV1Options } from '@electron/fuses';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findElectronBinary } from '../../main/cli/electron-binary';

const binary = findElectronBinary();
/** A fuse wire stores each fuse as the character '0' (off) or '1' (on). */
const [off, on] = ['0'.charCodeAt(0), '1'.charCodeAt(0)];

test.skip(!binary, "Electron's binary is not installed here (ELECTRON_SKIP_BINARY_DOWNLOAD): electron-builder has no Electron to package");
test.skip(process.platform !== 'linux', 'AppImage and .deb are Linux packages');
test.skip(!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY, 'no display to start the packaged app on');

/** Starts a packaged executable and waits until its window shows a ready engine. */
async function expectItStarts(executable: string, env: Record<string, string> = {}): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'ximorph-packaged-'));
  const port = 9300 + Math.floor(Math.random() * 500);
  // The inspector fuse is off, so Playwright's Electron launcher (which needs --inspect) cannot
  // attach; the window is reached over Chromium's DevTools protocol instead.
  const app = spawn(executable, ['--no-sandbox', `--remote-debugging-port=${port}`, '--sample'], {
    env: { ...process.env, XIMORPH_HOME: home, ...env },
    stdio: 'ignore',
  });
  try {
    await expect.poll(() => fetch(`http://127.0.0.1:${port}/json/version`).then((r) => r.ok, () => false), { timeout: 60_000 }).toBe(true);
    const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
    const appPage = () => browser.contexts().flatMap((c) => c.pages()).find((p) => p.url().startsWith('app://ximorph/'));
    await expect.poll(() => Boolean(appPage()), { timeout: 60_000 }).toBe(true);
    await expect(appPage()!.getByTestId('engine-status')).toHaveText('Engine ready', { timeout: 120_000 });
    await browser.close();
  } finally {
    app.kill('SIGTERM');
    rmSync(home, { recursive: true, force: true });
  }
}

test('electron-builder makes an AppImage and a .deb, with the fuses flipped, that start', async () => {
  test.setTimeout(1_200_000);
  const out = mkdtempSync(path.join(os.tmpdir(), 'ximorph-release-'));
  execFileSync(
    path.resolve('node_modules/.bin/electron-builder'),
    ['--linux', 'AppImage', 'deb', '--publish', 'never', `--config.directories.output=${out}`, `--config.electronDist=${path.dirname(binary!)}`],
    { stdio: 'inherit' },
  );
  const files = readdirSync(out);
  const appImage = files.find((f) => f.endsWith('.AppImage'));
  const deb = files.find((f) => f.endsWith('.deb'));
  expect(appImage, `an AppImage in ${files.join(', ')}`).toBeDefined();
  expect(deb, `a .deb in ${files.join(', ')}`).toBeDefined();

  // The unpacked app electron-builder made both packages from carries the flipped fuses.
  const fuses = await getCurrentFuseWire(path.join(out, 'linux-unpacked', 'ximorph'));
  expect(fuses[FuseV1Options.RunAsNode]).toBe(off);
  expect(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(off);
  expect(fuses[FuseV1Options.EnableNodeCliInspectArguments]).toBe(off);
  expect(fuses[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(on);
  expect(fuses[FuseV1Options.OnlyLoadAppFromAsar]).toBe(on);

  // The AppImage runs extracted, so that the check needs no FUSE on the machine.
  chmodSync(path.join(out, appImage!), 0o755);
  await expectItStarts(path.join(out, appImage!), { APPIMAGE_EXTRACT_AND_RUN: '1' });

  // The .deb's files, unpacked as dpkg would install them.
  const root = path.join(out, 'deb-root');
  mkdirSync(root);
  execFileSync('dpkg-deb', ['-x', path.join(out, deb!), root]);
  await expectItStarts(path.join(root, 'opt', 'XiMorph', 'ximorph'));
  rmSync(out, { recursive: true, force: true });
});
