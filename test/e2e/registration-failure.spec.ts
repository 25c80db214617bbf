// A job can be cancelled with the app staying responsive, and a bad input fails clearly with
// everything loaded kept. Its own file (and server) beside registration.spec.ts, so that the two
// Playwright workers run the registrations side by side.

import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningServer } from './browser-mode';
import { openThroughDialog, startRegistration, waitForIdle, waitForImage } from './app-actions';

let server: RunningServer;

test.beforeAll(async () => {
  server = await startServe(['--sample']);
});
test.afterAll(async () => {
  await server?.stop();
});

test.describe.configure({ mode: 'serial' });

test('cancels a running job within seconds, stays responsive, then registers again', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto(server.url);
  await waitForIdle(page);
  await startRegistration(page);
  const job = page.getByRole('article', { name: /Registration job/ }).first();
  await expect(job).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await page.waitForTimeout(1500);
  await job.getByRole('button', { name: 'Cancel' }).click();
  await expect(job).toHaveAttribute('data-status', 'cancelled', { timeout: 2000 });
  // No partial result appears as final.
  await expect(page.getByTestId('metrics-card')).toHaveCount(0);
  // A slice scroll still updates the view.
  const axial = page.locator('[data-view="axial"]');
  const before = await axial.screenshot();
  await axial.hover();
  await page.mouse.wheel(0, -300);
  await expect.poll(async () => Buffer.compare(before, await axial.screenshot()) !== 0, { timeout: 5000 }).toBe(true);
  // A new job then runs to completion.
  await startRegistration(page);
  const next = page.getByRole('article', { name: /Registration job/ }).first();
  await expect(next).toHaveAttribute('data-status', 'done', { timeout: 300_000 });
  await expect(page.getByTestId('metrics-card')).toBeVisible();
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
  await openThroughDialog(page, nanFile);
  await waitForImage(page, 'with-nans.nii.gz');
  await page.getByRole('combobox', { name: 'Moving', exact: true }).selectOption({ label: 'with-nans.nii.gz' });
  await startRegistration(page);
  const failure = page.getByRole('alert').filter({ hasText: 'with-nans.nii.gz' });
  await expect(failure).toBeVisible({ timeout: 120_000 });
  await expect(failure).toContainText('NaN');
  // Everything loaded is still there and still shown.
  await expect(page.getByRole('region', { name: 'Images' }).getByRole('listitem')).toHaveCount(5);
  await expect(page.locator('[data-view="axial"]')).toBeVisible();
});
