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
import { drag, findInView, knownDistanceMm, neutral, writeTestImage } from './marks-image';
import { pageShot } from './pixels';

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

/** Only the moving image, windowed so that its marks are the only white. */
async function showMovingMarksOnly(page: Page) {
  await page.getByRole('slider', { name: 'Blend opacity' }).fill('1');
  await page.getByRole('checkbox', { name: 'Show fixed.mha' }).uncheck();
  await page.getByRole('combobox', { name: 'Window layer' }).selectOption({ index: 1 });
  await page.getByRole('spinbutton', { name: 'Window', exact: true }).fill('255');
  await page.getByRole('spinbutton', { name: 'Level', exact: true }).fill('127.5');
  await page.keyboard.press('Enter');
}

/** The moving image's two marks on screen, in the order of their image rows. */
async function movingMarks(page: Page) {
  await page.waitForTimeout(400);
  const found = await findInView(page, (rgb) => neutral(rgb) && rgb[0] > 235);
  expect(found, 'the two marks').toHaveLength(2);
  return found;
}

test('the Move and Turn tools carry the image with the pointer, and the alignment shows it', async ({ page }) => {
  await page.goto(server.url);
  await waitForIdle(page);
  await expect(page.getByRole('combobox', { name: 'Moving', exact: true })).not.toHaveValue('');
  await page.locator('summary', { hasText: 'Manual alignment' }).click();
  const alignment = page.getByRole('group', { name: 'Manual alignment' });
  await showMovingMarksOnly(page);
  const before = await movingMarks(page);
  const mmPerPx = knownDistanceMm / Math.hypot(before[1].x - before[0].x, before[1].y - before[0].y);

  // Move: a drag of 20 mm to the right (the patient's left) moves the marks with the pointer.
  await page.getByRole('toolbar', { name: 'Viewer' }).getByRole('button', { name: 'Move', exact: true }).click();
  const middle = { x: (before[0].x + before[1].x) / 2, y: (before[0].y + before[1].y) / 2 };
  await drag(page, middle, { x: middle.x + 20 / mmPerPx, y: middle.y });
  const moved = await movingMarks(page);
  for (const k of [0, 1]) {
    expect(Math.abs((moved[k].x - before[k].x) * mmPerPx - 20), `mark ${k} moved ${((moved[k].x - before[k].x) * mmPerPx).toFixed(2)} mm right`).toBeLessThan(0.6);
    expect(Math.abs(moved[k].y - before[k].y) * mmPerPx).toBeLessThan(0.6);
  }
  const moveL = Number(await alignment.getByRole('spinbutton', { name: 'Move along L (mm)' }).inputValue());
  expect(Math.abs(moveL - 20), `Move along L reads ${moveL}`).toBeLessThan(0.6);

  // Turn: a quarter circle about the marks' midpoint, which is the image's centre within a
  // voxel, so the angle swept about the true centre is 90° within about a degree (radius 200 px).
  // The line between the marks turns by the angle the alignment reads, about the view's normal.
  await page.getByRole('toolbar', { name: 'Viewer' }).getByRole('button', { name: 'Turn', exact: true }).click();
  const centre = { x: (moved[0].x + moved[1].x) / 2, y: (moved[0].y + moved[1].y) / 2 };
  const r = 200;
  await drag(page, { x: centre.x + r, y: centre.y }, { x: centre.x, y: centre.y - r });
  const turnedMarks = await movingMarks(page);
  const angle = (m: { x: number; y: number }[]) => Math.atan2(m[1].y - m[0].y, m[1].x - m[0].x);
  // The marks may swap places on screen: compare the line's direction, not its sense.
  const turnedBy = (((((angle(turnedMarks) - angle(moved)) * 180) / Math.PI) % 180) + 180) % 180;
  const turnS = Number(await alignment.getByRole('spinbutton', { name: 'Turn about S (degrees)' }).inputValue());
  expect(Math.abs(Math.abs(turnS) - 90), `Turn about S reads ${turnS}`).toBeLessThan(3);
  // Modulo 180°, as the line has no sense (the axial view looks up from the feet and its y runs
  // down: a turn of +θ about S shows as +θ in screen angle).
  const disagreement = (((turnedBy - turnS) % 180) + 180) % 180;
  expect(Math.min(disagreement, 180 - disagreement), `the marks turned ${turnedBy.toFixed(2)}°, the alignment reads ${turnS}°`).toBeLessThan(1);
  // The turn is about the image's centre: the marks' midpoint stays (within a voxel's 1.25 mm).
  const after = { x: (turnedMarks[0].x + turnedMarks[1].x) / 2, y: (turnedMarks[0].y + turnedMarks[1].y) / 2 };
  expect(Math.hypot(after.x - centre.x, after.y - centre.y) * mmPerPx).toBeLessThan(1.5);

  // The session is the engine's: leave no alignment for the test after this one.
  await page.locator('details.alignment').getByRole('button', { name: 'Reset' }).click();
  await expect(page.locator('summary', { hasText: 'Manual alignment' })).toHaveText('Manual alignment');
});

test('moving the image by hand moves it by the amount shown; registration starts there; a reload keeps it', async ({ page }) => {
  await page.goto(server.url);
  await waitForIdle(page);
  await expect(page.getByRole('combobox', { name: 'Moving', exact: true })).not.toHaveValue('');
  await showMovingMarksOnly(page);
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
  await pageShot(page, 'docs/screenshots/manual-alignment.png');

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
