// Issue 11, manual alignment: moving the moving image by hand moves it in the view by the
// amount shown (found in the rendered pixels: its two marks, 85 mm apart by the file's
// header, give the view's scale), turning it turns it by the angle shown, the registration
// starts from there (its command line carries the start), and a reload keeps it.

import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningServer } from './browser-mode';
import { startRegistration, waitForIdle } from './app-actions';
import { findInView, knownDistanceMm, neutral, writeTestImage } from './marks-image';

let server: RunningServer;
test.beforeAll(async () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'ximorph-align-'));
  writeTestImage(path.join(folder, 'fixed.mha'));
  writeTestImage(path.join(folder, 'moving.mha'));
  server = await startServe([path.join(folder, 'fixed.mha'), path.join(folder, 'moving.mha')]);
});
test.afterAll(async () => {
  await server?.stop();
});

/** The moving image's two marks on screen, in the order of their image rows. */
async function movingMarks(page: Page) {
  await page.waitForTimeout(400);
  const found = await findInView(page, (rgb) => neutral(rgb) && rgb[0] > 235);
  expect(found, 'the two marks').toHaveLength(2);
  return found;
}

test('moving the image by hand moves it by the amount shown; registration starts there; a reload keeps it', async ({ page }) => {
  await page.goto(server.url);
  await waitForIdle(page);
  await expect(page.getByRole('combobox', { name: 'Moving', exact: true })).not.toHaveValue('');
  // Only the moving image, windowed so that its marks are the only white.
  await page.getByRole('slider', { name: 'Blend opacity' }).fill('1');
  await page.getByRole('checkbox', { name: 'Show fixed.mha' }).uncheck();
  await page.getByRole('combobox', { name: 'Window layer' }).selectOption({ index: 1 });
  await page.getByRole('spinbutton', { name: 'Window', exact: true }).fill('255');
  await page.getByRole('spinbutton', { name: 'Level', exact: true }).fill('127.5');
  await page.keyboard.press('Enter');
  const before = await movingMarks(page);
  const mmPerPx = knownDistanceMm / Math.hypot(before[1].x - before[0].x, before[1].y - before[0].y);

  // 20 mm towards the patient's left: the axial view puts L on the screen's right.
  await page.locator('summary', { hasText: 'Manual alignment' }).click();
  const alignment = page.getByRole('group', { name: 'Manual alignment' });
  await alignment.getByRole('spinbutton', { name: 'Move along L (mm)' }).fill('20');
  await alignment.getByRole('spinbutton', { name: 'Move along L (mm)' }).press('Enter');
  const moved = await movingMarks(page);
  for (const k of [0, 1]) {
    expect(Math.abs((moved[k].x - before[k].x) * mmPerPx - 20), `mark ${k} moved ${((moved[k].x - before[k].x) * mmPerPx).toFixed(2)} mm right`).toBeLessThan(0.6);
    expect(Math.abs(moved[k].y - before[k].y) * mmPerPx).toBeLessThan(0.6);
  }

  // A quarter turn: the line between the marks turns by 90°, and keeps its length.
  await alignment.getByRole('spinbutton', { name: 'Turn about S (degrees)' }).fill('90');
  await alignment.getByRole('spinbutton', { name: 'Turn about S (degrees)' }).press('Enter');
  const turned = await movingMarks(page);
  const angle = (m: { x: number; y: number }[]) => Math.atan2(m[1].y - m[0].y, m[1].x - m[0].x);
  const pair = (m: { x: number; y: number }[]) => Math.hypot(m[1].x - m[0].x, m[1].y - m[0].y) * mmPerPx;
  // The marks may swap places on screen: compare the line's direction, not its sense.
  const turnedBy = Math.abs(((angle(turned) - angle(moved)) * 180) / Math.PI);
  expect(Math.min(Math.abs(turnedBy - 90), Math.abs(turnedBy - 270)), `turned ${turnedBy.toFixed(1)}°`).toBeLessThan(1);
  expect(Math.abs(pair(turned) - knownDistanceMm)).toBeLessThan(0.6);
  await page.screenshot({ path: 'docs/screenshots/manual-alignment.png' });

  // The registration starts from the alignment: its command carries it.
  await startRegistration(page);
  const job = page.getByRole('article', { name: /Registration job/ }).first();
  await expect(job).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await page.getByTestId('metrics-card').getByRole('button', { name: 'Copy command' }).click();
  await expect(page.getByRole('textbox', { name: 'Command' })).toHaveValue(/--set 'alignment\.initialTransform=\[[-\d.e,]+\]'|--set alignment\.initialTransform=\[/);
  await page.getByRole('dialog', { name: 'Command line' }).getByRole('button', { name: 'Close' }).click();

  // A reload keeps the alignment.
  await page.reload();
  await waitForIdle(page);
  await expect(page.getByRole('group', { name: 'Manual alignment' }).getByRole('spinbutton', { name: 'Move along L (mm)' })).toHaveValue('20');
  await expect(page.getByRole('group', { name: 'Manual alignment' }).getByRole('spinbutton', { name: 'Turn about S (degrees)' })).toHaveValue('90');
});
