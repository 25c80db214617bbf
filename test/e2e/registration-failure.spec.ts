// A job on bad input fails clearly, with everything loaded kept. Started with one scan on the
// command line (no sample pair to build): the failing image is opened through the dialog.

import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningServer } from './browser-mode';
import { openThroughDialog, startRegistration, waitForIdle, waitForImage } from './app-actions';

const ch2bet = '/usr/share/mricron/templates/ch2bet.nii.gz';
let server: RunningServer;

test.beforeAll(async () => {
  server = await startServe([ch2bet]);
});
test.afterAll(async () => {
  await server?.stop();
});

test('a job on bad input fails with its reason, and the loaded data stays', async ({ page }) => {
  test.setTimeout(300_000);
  const folder = mkdtempSync(path.join(os.tmpdir(), 'ximorph-nan-'));
  const nanFile = path.join(folder, 'with-nans.nii.gz');
  execFileSync('/usr/bin/python3', [
    '-c',
    `import numpy as np, nibabel as nib; a = np.random.default_rng(1).random((40, 48, 40)).astype('float32') * 100; a[10:14, 10:14, 10:14] = np.nan; nib.save(nib.Nifti1Image(a, np.diag([2, 2, 2, 1])), ${JSON.stringify(nanFile)})`,
  ]);
  await page.goto(server.url);
  await waitForIdle(page);
  await waitForImage(page, 'ch2bet.nii.gz');
  await openThroughDialog(page, nanFile);
  await waitForImage(page, 'with-nans.nii.gz');
  await page.getByRole('combobox', { name: 'Fixed', exact: true }).selectOption({ label: 'ch2bet.nii.gz' });
  await page.getByRole('combobox', { name: 'Moving', exact: true }).selectOption({ label: 'with-nans.nii.gz' });
  await startRegistration(page);
  const failure = page.getByRole('alert').filter({ hasText: 'with-nans.nii.gz' });
  await expect(failure).toBeVisible({ timeout: 120_000 });
  await expect(failure).toContainText('NaN');
  // Everything loaded is still there and still shown.
  await expect(page.getByRole('region', { name: 'Images' }).getByRole('listitem')).toHaveCount(2);
  await expect(page.locator('[data-view="axial"]')).toBeVisible();
});
