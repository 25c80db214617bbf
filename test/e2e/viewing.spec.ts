// Issue: load any scan and view it correctly. Drives the real renderer in Debian's Chromium
// through browser mode; the engine is the real worker with itk-wasm.

import { expect, test } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readImageNode } from '@itk-wasm/image-io';
import { startServe, type RunningServer } from './browser-mode';
import { expectStrictPolicyKept, watchContentSecurityPolicy } from './content-security-policy';
import { openThroughDialog, readReadout, waitForIdle, waitForImage } from './app-actions';
import { changedFraction, pageShot, screenshotStats } from './pixels';
import { indexToWorld, linearIndex } from '../../shared/geometry/grid';

const ch2bet = '/usr/share/mricron/templates/ch2bet.nii.gz';
let server: RunningServer;

test.beforeAll(async () => {
  mkdirSync('docs/screenshots', { recursive: true });
  server = await startServe();
});
test.afterAll(async () => {
  await server?.stop();
});

test.setTimeout(300_000);

test('loads ch2bet through the UI, shows it in every view, reads out voxels and survives a corrupt file', async ({ page }) => {
  const policy = await watchContentSecurityPolicy(page);
  await page.goto(server.url);
  await waitForIdle(page);

  // 1. Load ch2bet through the Open dialog.
  await openThroughDialog(page, ch2bet);
  await waitForImage(page, 'ch2bet.nii.gz');
  await waitForIdle(page);

  // 2. Brain pixels in all three slice views.
  for (const view of ['axial', 'coronal', 'sagittal']) {
    const stats = await screenshotStats(page.locator(`[data-view="${view}"]`));
    expect(stats.brightFraction, `${view} view shows the brain`).toBeGreaterThan(0.08);
  }
  await pageShot(page, 'docs/screenshots/viewer-ch2bet.png');

  // 3. Click a view: the readout gives the world point and the voxel's value, as itk-wasm reads it.
  const axial = page.locator('[data-view="axial"]');
  const box = (await axial.boundingBox())!;
  await axial.click({ position: { x: box.width * 0.42, y: box.height * 0.4 } });
  await expect.poll(async () => (await readReadout(page)).index.length).toBe(3);
  const readout = await readReadout(page);
  const image = await readImageNode(ch2bet);
  const grid = { size: image.size, spacing: image.spacing, origin: image.origin, direction: Array.from(image.direction as Float64Array) };
  const expectedValue = (image.data as Uint8Array)[linearIndex(grid.size, readout.index)];
  expect(readout.value).toBe(expectedValue);
  expect(expectedValue, 'the click landed inside the brain').toBeGreaterThan(0);
  const centre = indexToWorld(grid, readout.index);
  centre.forEach((c, a) => expect(Math.abs(c - readout.world[a])).toBeLessThanOrEqual(0.5 + 1e-6));

  // 3b. The image's information: its grid as itk-wasm reads it, in LPS, and where it came from.
  await page.getByRole('button', { name: 'Information on ch2bet.nii.gz' }).click();
  const info = page.getByRole('dialog', { name: 'Image information: ch2bet.nii.gz' });
  const field = (name: string) => info.locator(`[data-info="${name}"]`);
  await expect(field('Size (voxels)')).toHaveText(grid.size.join(' × '));
  await expect(field('Spacing (mm)')).toHaveText(grid.spacing.map((v: number) => +v.toFixed(4)).join(', '));
  await expect(field('Origin (LPS mm)')).toHaveText(grid.origin.map((v: number) => +v.toFixed(4)).join(', '));
  await expect(field('Direction of axis i (LPS)')).toHaveText([0, 3, 6].map((k) => +grid.direction[k].toFixed(4)).join(', '));
  await expect(field('File')).toHaveText(ch2bet);
  await expect(field('Intensity range')).toContainText(' to ');
  await page.keyboard.press('Escape');
  await expect(info).toBeHidden();

  // 4. A window preset changes the rendered pixels.
  const before = await screenshotStats(axial);
  await page.getByRole('combobox', { name: 'Window preset' }).selectOption({ label: 'CT bone (W1800 L400)' });
  await expect.poll(async () => changedFraction(before.png, (await screenshotStats(axial)).png)).toBeGreaterThan(0.2);
  await page.getByRole('combobox', { name: 'Window preset' }).selectOption({ label: 'MRI auto (p1–p99)' });

  // 5. A corrupt file: a clear error naming it, and ch2bet still shown.
  const folder = mkdtempSync(path.join(os.tmpdir(), 'ximorph-corrupt-'));
  const corrupt = path.join(folder, 'broken-ch2bet.nii.gz');
  writeFileSync(corrupt, readFileSync(ch2bet).subarray(0, 200_000));
  await openThroughDialog(page, corrupt);
  const alert = page.getByRole('alert').filter({ hasText: 'broken-ch2bet.nii.gz' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText(/truncated|corrupt/);
  await pageShot(page, 'docs/screenshots/viewer-corrupt-file.png');
  await waitForImage(page, 'ch2bet.nii.gz');
  expect((await screenshotStats(axial)).brightFraction).toBeGreaterThan(0.08);
  // All of the above ran under the strict CSP: no inline style or script was needed.
  expectStrictPolicyKept(policy);
});

test('opens DICOM files dropped together, once their series is chosen', async ({ page }) => {
  const tree = '/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests';
  const files = readdirSync(tree, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => ({ name: e.name, data: [...readFileSync(path.join(e.parentPath, e.name))] }));
  await page.goto(server.url);
  await waitForIdle(page);
  const transfer = await page.evaluateHandle((dropped) => {
    const dt = new DataTransfer();
    for (const f of dropped) dt.items.add(new File([new Uint8Array(f.data)], f.name));
    return dt;
  }, files);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer: transfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
  // The files wait in the engine while the user picks one of the 13 series they hold.
  const dialog = page.getByRole('dialog', { name: 'Choose a DICOM series' });
  await expect(dialog.getByRole('heading')).toHaveText('This folder holds 13 DICOM series');
  await dialog.getByRole('button', { name: /Routine Brain/ }).click();
  await waitForImage(page, `${files.length} uploaded files (series Routine Brain)`);
});

test('opens a file dropped on the window', async ({ page }) => {
  const file = '/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainProtonDensitySliceBorder20.png';
  await page.goto(server.url);
  await waitForIdle(page);
  const bytes = [...readFileSync(file)];
  const transfer = await page.evaluateHandle((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], 'BrainProtonDensitySliceBorder20.png', { type: 'image/png' }));
    return dt;
  }, bytes);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer: transfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
  await waitForImage(page, 'BrainProtonDensitySliceBorder20.png');
  // A 2D image shows in one in-plane view, with brain pixels.
  expect((await screenshotStats(page.locator('[data-view="axial"]'))).brightFraction).toBeGreaterThan(0.08);
});

test('keeps every viewer control within reach in an 800 × 600 window', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 600 });
  await page.goto(server.url);
  await waitForIdle(page);
  // Two images: the window's layer is then chosen in a list of its own.
  // (Files no other test of this server opens: the session keeps what they loaded.)
  for (const name of ['BrainT1Slice.png', 'BrainProtonDensitySliceShifted13x17y.png']) {
    await openThroughDialog(page, `/usr/share/doc/insighttoolkit5-examples/examples/Data/${name}`);
    await waitForImage(page, name);
  }
  // The window and level fields were past the window's right edge, and the page does not
  // scroll sideways: they could not be reached.
  const controls = [page.getByRole('combobox', { name: 'Window layer' }), page.getByRole('combobox', { name: 'Window preset' }), page.getByRole('spinbutton', { name: 'Window' }), page.getByRole('spinbutton', { name: 'Level' })];
  for (const control of controls) {
    const box = await control.boundingBox();
    expect(box, String(control)).not.toBeNull();
    expect(box!.x, String(control)).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, String(control)).toBeLessThanOrEqual(800);
  }
  await page.getByRole('spinbutton', { name: 'Level' }).fill('120');
  await page.getByRole('spinbutton', { name: 'Level' }).press('Enter');
  await expect(page.getByRole('spinbutton', { name: 'Level' })).toHaveValue('120');
});

test('folds earlier notices into one line, so that a run of bad files does not cover the window', async ({ page }) => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'ximorph-notices-'));
  const bad = Array.from({ length: 6 }, (_, i) => path.join(folder, `text-${i}.nii`));
  for (const [i, file] of bad.entries()) writeFileSync(file, `not an image, number ${i}\n`.repeat(40));
  await page.goto(server.url);
  await waitForIdle(page);
  for (const file of bad) {
    await openThroughDialog(page, file);
    await expect(page.getByRole('alert').filter({ hasText: path.basename(file) })).toBeVisible({ timeout: 30_000 });
  }
  // The latest three, and one line for the others.
  await expect(page.getByRole('alert')).toHaveCount(3);
  const earlier = page.getByRole('group', { name: 'Earlier notices' });
  await expect(earlier).toContainText('3 earlier notices');
  for (const file of bad.slice(3)) await expect(page.getByRole('alert').filter({ hasText: path.basename(file) })).toBeVisible();
  // A dialog opened now is not covered by them.
  await page.getByRole('button', { name: 'Open…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Open images' });
  await expect(dialog).toBeVisible();
  const covered = await page.evaluate(() => {
    const box = document.querySelector('[role="dialog"]')!.getBoundingClientRect();
    let hits = 0;
    for (let x = box.left + 4; x < box.right; x += 16)
      for (let y = box.top + 4; y < box.bottom; y += 16) if (document.elementFromPoint(x, y)?.closest('.notifications')) hits++;
    return hits;
  });
  expect(covered).toBe(0);
  await page.keyboard.press('Escape');
  // Shown, then dismissed: all of them go.
  await earlier.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByRole('alert')).toHaveCount(6);
  await expect(earlier).toBeHidden();
  for (let left = 6; left > 0; left--) {
    await page.getByRole('alert').first().getByRole('button', { name: 'Dismiss' }).click();
    await expect(page.getByRole('alert')).toHaveCount(left - 1);
  }
  // The images already loaded were not touched: none were, and the app is still ready.
  await expect(page.getByTestId('engine-status')).toHaveText('Engine ready');
});
