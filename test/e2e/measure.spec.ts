// Issue 11, measurement and screenshots: a ruler between two marks a known distance apart on an oblique,
// anisotropic 2D image reads that distance in mm, and a round region inside a disc of known
// value reads its mean, SD and area, and a screenshot of the view holds both the image and
// the measurements drawn over it. The marks are found in the rendered pixels, as a user
// finds them by eye; the distance comes from the file's header, not from the viewer's math.

import { expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { startServe, type RunningServer } from './browser-mode';
import { waitForIdle } from './app-actions';
import { pageShot, rgbAt } from './pixels';
import { disc, drag, findInView, knownDistanceMm, neutral, writeTestImage } from './marks-image';

let server: RunningServer;
test.beforeAll(async () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ximorph-measure-')), 'marks.mha');
  writeTestImage(file);
  server = await startServe([file]);
});
test.afterAll(async () => {
  await server?.stop();
});

test('a ruler between two marks reads their distance in mm; a region in a disc reads its value, SD and area; a screenshot holds both', async ({ page }) => {
  await page.goto(server.url);
  await waitForIdle(page);
  await expect(page.locator('[data-view="axial"]')).toBeVisible();
  // A window that shows the marks white and the disc grey, above the ramp.
  await page.getByRole('spinbutton', { name: 'Window', exact: true }).fill('255');
  await page.getByRole('spinbutton', { name: 'Level', exact: true }).fill('127.5');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);

  const white = await findInView(page, (rgb) => neutral(rgb) && rgb[0] > 235);
  expect(white, 'the two marks').toHaveLength(2);
  // The disc's 150 shows as 150 in this window; the ramp stays at 100 or below.
  const grey = await findInView(page, (rgb) => neutral(rgb) && rgb[0] > 135 && rgb[0] < 165, 1000);
  const discSeen = grey.sort((a, b) => b.count - a.count)[0];

  await page.getByRole('group', { name: 'Tool' }).getByRole('button', { name: 'Ruler' }).click();
  await drag(page, white[0], white[1]);
  const ruler = page.getByTestId('measurement').filter({ hasText: 'Ruler' });
  await expect(ruler).toHaveCount(1);
  const measured = Number(await ruler.getAttribute('data-length-mm'));
  // Within half a millimetre: a screen pixel is about a fifth of one here.
  expect(Math.abs(measured - knownDistanceMm), `ruler ${measured} mm, known ${knownDistanceMm} mm`).toBeLessThan(0.5);
  await expect(ruler).toContainText(`${measured.toFixed(1)} mm`);
  await expect(page.locator('[data-view="axial"] [data-measurement]')).toContainText(`${measured.toFixed(1)} mm`);

  // A region of half the disc's radius at its centre: only disc voxels, so SD 0 and its value.
  const discRadiusPx = Math.sqrt(discSeen.count / Math.PI);
  await page.getByRole('group', { name: 'Tool' }).getByRole('button', { name: 'Region' }).click();
  await drag(page, discSeen, { x: discSeen.x + discRadiusPx / 2, y: discSeen.y });
  const region = page.getByTestId('measurement').filter({ hasText: 'Region' });
  await expect(region).toHaveCount(1);
  const radius = Number(await region.getAttribute('data-length-mm'));
  expect(Math.abs(radius - disc.radiusMm / 2)).toBeLessThan(1);
  expect(Number(await region.getAttribute('data-mean'))).toBe(disc.value);
  expect(Number(await region.getAttribute('data-sd'))).toBe(0);
  const area = Number(await region.getAttribute('data-size-mm'));
  expect(Math.abs(area - Math.PI * radius ** 2) / (Math.PI * radius ** 2)).toBeLessThan(0.1);
  await expect(region).toContainText(/mean 150 ± 0\.00 · [\d.]+ mm² \(\d+ voxels\)/);
  await pageShot(page, 'docs/screenshots/measure.png');

  // A screenshot of the view is what the view shows: the image (the disc's grey) and its
  // overlay (the ruler's orange), at the view's size.
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Screenshot view' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^ximorph-axial-\d{8}-\d{6}\.png$/);
  const shot = PNG.sync.read(readFileSync(await download.path()));
  const viewBox = (await page.locator('[data-view="axial"]').boundingBox())!;
  expect([shot.width, shot.height]).toEqual([Math.round(viewBox.width), Math.round(viewBox.height)]);
  let discGrey = 0;
  let rulerOrange = 0;
  for (let y = 0; y < shot.height; y++)
    for (let x = 0; x < shot.width; x++) {
      const [r, g, b] = rgbAt(shot, x, y);
      if (neutral([r, g, b]) && r > 140 && r < 160) discGrey++;
      if (r > 230 && g > 120 && g < 160 && b < 90) rulerOrange++;
    }
  expect(discGrey, 'the rendered image').toBeGreaterThan(500);
  expect(rulerOrange, 'the overlay').toBeGreaterThan(20);

  // Removed from the list, gone from the view; Navigate gives the left drag back to window/level.
  await region.getByRole('button', { name: /Remove measurement/ }).click();
  await expect(region).toHaveCount(0);
  // Undo brings it back (Ctrl+Z), redo takes it away again; so does the toolbar's Undo.
  await page.keyboard.press('ControlOrMeta+z');
  await expect(region).toHaveCount(1);
  await page.keyboard.press('ControlOrMeta+Shift+z');
  await expect(region).toHaveCount(0);
  await page.getByRole('group', { name: 'History' }).getByRole('button', { name: 'Undo' }).click();
  await expect(region).toHaveCount(1);
  await page.getByRole('group', { name: 'History' }).getByRole('button', { name: 'Redo' }).click();
  await expect(region).toHaveCount(0);
  await page.getByRole('group', { name: 'Tool' }).getByRole('button', { name: 'Navigate' }).click();
  await expect(page.getByRole('group', { name: 'Tool' }).getByRole('button', { name: 'Navigate' })).toHaveAttribute('aria-pressed', 'true');
});
