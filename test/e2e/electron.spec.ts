// The Electron app itself: runs only where Electron's binary is installed (its download is
// skipped on machines without outside network access), and is reported skipped otherwise.

import { _electron as electron, expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findElectronBinary } from '../../main/cli/electron-binary';

const binary = findElectronBinary();
const ch2bet = '/usr/share/mricron/templates/ch2bet.nii.gz';

test.skip(!binary, "Electron's binary is not installed here (ELECTRON_SKIP_BINARY_DOWNLOAD), so the desktop app cannot start");
test.skip(process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY, 'no display to open a window on');

test('opens the workstation in a sandboxed Electron window that loads a scan', async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'ximorph-electron-'));
  const app = await electron.launch({
    executablePath: binary!,
    args: [path.resolve('.'), ch2bet],
    env: { ...process.env, XIMORPH_HOME: home },
  });
  try {
    const page = await app.firstWindow();
    await expect(page.getByTestId('engine-status')).toHaveText('Engine ready', { timeout: 60_000 });
    await expect(page.getByRole('region', { name: 'Images' }).getByText('ch2bet.nii.gz', { exact: true })).toBeVisible({ timeout: 60_000 });
    // The page sees the contract bridge and nothing of Node.
    expect(await page.evaluate(() => typeof (globalThis as unknown as { ximorph?: unknown }).ximorph)).toBe('object');
    expect(await page.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as unknown as { process?: unknown }).process)).toBe('undefined');
    // New windows and navigation away from the app are denied.
    await page.evaluate(() => globalThis.open('https://example.com'));
    expect(app.windows()).toHaveLength(1);
    await page.evaluate(() => (globalThis.location.href = 'https://example.com/'));
    await page.waitForTimeout(500);
    expect(page.url()).toMatch(/^app:\/\/ximorph\//);
  } finally {
    await app.close();
  }
});
