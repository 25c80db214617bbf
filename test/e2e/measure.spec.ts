// Issue 11, measurement and screenshots: a ruler between two marks a known distance apart on an oblique,
// anisotropic 2D image reads that distance in mm, and a round region inside a disc of known
// value reads its mean, SD and area, and a screenshot of the view holds both the image and
// the measurements drawn over it. The marks are found in the rendered pixels, as a user
// finds them by eye; the distance comes from the file's header, not from the viewer's math.

import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { startServe, type RunningServer } from './browser-mode';
import { waitForIdle } from './app-actions';
import { rgbAt } from './pixels';

// 160 × 120 voxels of 0.5 × 1.25 mm, rotated 30°: marks at voxels (40, 30) and (120, 90) lie
// hypot(80 · 0.5, 60 · 1.25) = 85 mm apart whatever the rotation; a disc of value 150; a ramp
// of 1..100 elsewhere.
const size = [160, 120];
const spacing = [0.5, 1.25];
const marks = [
  [40, 30],
  [120, 90],
];
const knownDistanceMm = Math.hypot((marks[1][0] - marks[0][0]) * spacing[0], (marks[1][1] - marks[0][1]) * spacing[1]);
const disc = { centre: [110, 40], radiusMm: 12, value: 150 };

function writeTestImage(file: string): void {
  const pixels = new Float32Array(size[0] * size[1]);
  for (let j = 0; j < size[1]; j++)
    for (let i = 0; i < size[0]; i++) {
      const inDisc = Math.hypot((i - disc.centre[0]) * spacing[0], (j - disc.centre[1]) * spacing[1]) <= disc.radiusMm;
      const onMark = marks.some(([mi, mj]) => Math.abs(i - mi) <= 1 && Math.abs(j - mj) <= 1);
      // A ramp around them: a float image, never taken for a label map.
      pixels[i + size[0] * j] = onMark ? 255 : inDisc ? disc.value : 1 + (99 * (i + j)) / (size[0] + size[1]);
    }
  const [c, s] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
  const header = [
    'ObjectType = Image',
    'NDims = 2',
    'BinaryData = True',
    'BinaryDataByteOrderMSB = False',
    'CompressedData = False',
    `TransformMatrix = ${c} ${s} ${-s} ${c}`,
    'Offset = 10 -20',
    `ElementSpacing = ${spacing.join(' ')}`,
    `DimSize = ${size.join(' ')}`,
    'ElementType = MET_FLOAT',
    'ElementDataFile = LOCAL',
    '',
  ].join('\n');
  writeFileSync(file, Buffer.concat([Buffer.from(header), Buffer.from(pixels.buffer)]));
}

let server: RunningServer;
test.beforeAll(async () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ximorph-measure-')), 'marks.mha');
  writeTestImage(file);
  server = await startServe([file]);
});
test.afterAll(async () => {
  await server?.stop();
});

/** Centroids (page px) of the pixels a test picks out of the axial view. */
async function findInView(page: Page, pick: (rgb: [number, number, number]) => boolean, joinPx = 25): Promise<{ x: number; y: number; count: number }[]> {
  const view = page.locator('[data-view="axial"]');
  const box = (await view.boundingBox())!;
  const png = PNG.sync.read(await view.screenshot());
  const clusters: { sx: number; sy: number; count: number }[] = [];
  for (let y = 0; y < png.height; y++)
    for (let x = 0; x < png.width; x++) {
      if (!pick(rgbAt(png, x, y))) continue;
      // Pixels within `joinPx` of a cluster's running centre join it.
      const near = clusters.find((k) => Math.hypot(k.sx / k.count - x, k.sy / k.count - y) < joinPx);
      if (near) {
        near.sx += x;
        near.sy += y;
        near.count++;
      } else clusters.push({ sx: x, sy: y, count: 1 });
    }
  const scale = png.width / box.width;
  return clusters.filter((k) => k.count > 3).map((k) => ({ x: box.x + k.sx / k.count / scale, y: box.y + k.sy / k.count / scale, count: k.count / scale / scale }));
}

const neutral = ([r, g, b]: [number, number, number]) => Math.max(r, g, b) - Math.min(r, g, b) < 12;

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await page.mouse.up();
}

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
  await page.screenshot({ path: 'docs/screenshots/measure.png' });

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
  await page.getByRole('group', { name: 'Tool' }).getByRole('button', { name: 'Navigate' }).click();
  await expect(page.getByRole('group', { name: 'Tool' }).getByRole('button', { name: 'Navigate' })).toHaveAttribute('aria-pressed', 'true');
});
