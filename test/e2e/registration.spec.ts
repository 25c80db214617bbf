// Issue: click Register. A first job is cancelled within seconds with the app responsive; then
// the sample pair registers in the browser-mode workstation with live progress, and the result
// renders and can be judged (checkerboard, Jacobian) and exported; a reload keeps it all. One
// registration of the 1 mm pair serves both (the suite runs on two cores); bad input is in
// registration-failure.spec.ts; reopening an earlier result, in results.spec.ts.

import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { startServe, type RunningServer } from './browser-mode';
import { expectStrictPolicyKept, watchContentSecurityPolicy } from './content-security-policy';
import { openThroughDialog, startRegistration, waitForIdle, waitForImage } from './app-actions';
import { luminanceAt, pageShot, rgbAt, viewShot } from './pixels';

let server: RunningServer;

test.beforeAll(async () => {
  mkdirSync('docs/screenshots', { recursive: true });
  server = await startServe(['--sample']);
});
test.afterAll(async () => {
  await server?.stop();
});

const shot = async (page: Page, selector: string) => PNG.sync.read(await viewShot(page.locator(selector)));

test.describe.configure({ mode: 'serial' });

/** Whether the page would ask before it is left (the browser's own question): it prevents beforeunload's default. */
const asksBeforeLeaving = (page: Page) =>
  page.evaluate(() => {
    const leaving = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(leaving);
    return leaving.defaultPrevented;
  });

test('cancels a job within seconds and stays responsive, then registers the sample pair: progress, result layers, checkerboard, Jacobian, export', async ({ page }) => {
  test.setTimeout(600_000);
  const policy = await watchContentSecurityPolicy(page);
  await page.goto(server.url);
  await waitForIdle(page);
  // The sample pair is preselected: fixed first, moving second, then their labels (the Dice
  // below needs them, so wait for them too: they load after the images).
  for (const role of ['Fixed', 'Moving', 'Fixed labels', 'Moving labels'])
    await expect(page.getByRole('combobox', { name: role, exact: true })).not.toHaveValue('', { timeout: 120_000 });

  // A first job, cancelled while it runs: it stops within seconds and leaves no result.
  await startRegistration(page);
  const cancelled = page.getByRole('article', { name: /Registration job/ }).first();
  await expect(cancelled).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  // Leaving the page now would cancel the job with it: the page asks first.
  expect(await asksBeforeLeaving(page)).toBe(true);
  await page.waitForTimeout(1500);
  await cancelled.getByRole('button', { name: 'Cancel' }).click();
  await expect(cancelled).toHaveAttribute('data-status', 'cancelled', { timeout: 2000 });
  expect(await asksBeforeLeaving(page)).toBe(false);
  await expect(page.getByTestId('metrics-card')).toHaveCount(0);
  // A slice scroll still updates the view.
  const axial = page.locator('[data-view="axial"]');
  const unscrolled = await viewShot(axial);
  await axial.hover();
  await page.mouse.wheel(0, -300);
  await expect.poll(async () => Buffer.compare(unscrolled, await axial.screenshot()) !== 0, { timeout: 5000 }).toBe(true);
  await page.mouse.wheel(0, 300);

  // The next job runs to completion (new jobs are listed first).
  await startRegistration(page);
  const job = page.getByRole('article', { name: /Registration job/ }).first();
  // Progress events arrive: the stage and the fraction move.
  await expect(job.getByTestId('job-stage')).toBeVisible();
  const fractions = new Set<string>();
  await expect
    .poll(async () => {
      const value = await job.getByRole('progressbar', { name: 'Registration progress' }).getAttribute('value').catch(() => null);
      if (value) fractions.add(value);
      return fractions.size;
    }, { timeout: 300_000 })
    .toBeGreaterThan(2);
  await pageShot(page, 'docs/screenshots/register-running.png');
  await expect(job).toHaveAttribute('data-status', 'done', { timeout: 300_000 });
  // The optimization streamed its similarity: the live curve has many points.
  expect(Number(await job.getByRole('figure', { name: 'Similarity curve' }).getAttribute('data-points'))).toBeGreaterThan(10);

  // The result layer renders and the metrics card shows the report's figures.
  const card = page.getByTestId('metrics-card');
  await expect(card).toBeVisible();
  const [before, after] = (await card.getByTestId('mean-dice').innerText()).split('→').map((s) => Number(s.trim()));
  expect(after).toBeGreaterThan(before);
  // The recovered affine, in parts: the sample's motion is a smooth warp, so nearly the identity.
  const affine = await card.getByTestId('affine-parts').innerText();
  const parts = /rotation ([\d.]+)° \(x .*\); scales ([-\d.]+), ([-\d.]+), ([-\d.]+); shears .*; translation \(.*\) mm/.exec(affine);
  expect(parts, affine).not.toBeNull();
  expect(Number(parts![1])).toBeLessThan(5);
  parts!.slice(2, 5).forEach((scale) => expect(Math.abs(Number(scale) - 1)).toBeLessThan(0.1));
  await expect(page.getByRole('checkbox', { name: /Show .*\(warped\)/ }).first()).toBeChecked();

  const overlay = page.getByRole('combobox', { name: 'Overlay' });
  await overlay.selectOption({ label: 'Checkerboard' });
  await page.waitForTimeout(500);
  await pageShot(page, 'docs/screenshots/register-checkerboard.png');

  // Checkerboard: every tile shows either the fixed or the warped moving image. Give the two
  // different windows so that each pixel can be told apart, then classify checkerboard pixels.
  await page.getByRole('combobox', { name: 'Window layer' }).selectOption({ index: 0 }); // the fixed image
  await page.getByRole('combobox', { name: 'Window preset' }).selectOption({ label: 'CT bone (W1800 L400)' });
  await overlay.selectOption({ label: 'Blend' });
  const opacity = page.getByRole('slider', { name: 'Blend opacity' });
  await opacity.fill('0');
  await page.waitForTimeout(500);
  const fixedOnly = await shot(page, '[data-view="axial"]');
  await opacity.fill('1');
  await page.waitForTimeout(500);
  const movingOnly = await shot(page, '[data-view="axial"]');
  await overlay.selectOption({ label: 'Checkerboard' });
  await page.waitForTimeout(500);
  const checker = await shot(page, '[data-view="axial"]');
  let asFixed = 0;
  let asMoving = 0;
  let mostSwitches = 0;
  for (let y = 0; y < checker.height; y += 2) {
    // Runs of pixels that show the same image along this row; short runs are edges or lines.
    const runs: { which: 'f' | 'm'; length: number }[] = [];
    for (let x = 0; x < checker.width; x += 2) {
      const f = luminanceAt(fixedOnly, x, y);
      const m = luminanceAt(movingOnly, x, y);
      if (Math.abs(f - m) < 40) continue; // indistinguishable here
      const c = luminanceAt(checker, x, y);
      const which = Math.abs(c - f) < Math.abs(c - m) ? 'f' : 'm';
      if (which === 'f') asFixed++;
      else asMoving++;
      const last = runs[runs.length - 1];
      if (last?.which === which) last.length++;
      else runs.push({ which, length: 1 });
    }
    const long = runs.filter((r) => r.length >= 4);
    let switches = 0;
    for (let i = 1; i < long.length; i++) if (long[i].which !== long[i - 1].which) switches++;
    mostSwitches = Math.max(mostSwitches, switches);
  }
  const decided = asFixed + asMoving;
  expect(decided).toBeGreaterThan(500);
  expect(asFixed / decided).toBeGreaterThan(0.2);
  expect(asMoving / decided).toBeGreaterThan(0.2);
  expect(mostSwitches, 'tiles of fixed and moving alternate along a row').toBeGreaterThanOrEqual(3);

  // The Jacobian renders: coloured (not gray) pixels appear when its layer is shown.
  await overlay.selectOption({ label: 'Blend' });
  await page.getByRole('combobox', { name: 'Window preset' }).selectOption({ label: 'MRI auto (p1–p99)' });
  await page.getByRole('checkbox', { name: /Show det J/ }).check();
  await page.waitForTimeout(800);
  const jac = await shot(page, '[data-view="axial"]');
  let coloured = 0;
  for (let y = 0; y < jac.height; y += 2)
    for (let x = 0; x < jac.width; x += 2) {
      const [r, g, b] = rgbAt(jac, x, y);
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
    }
  expect(coloured / ((jac.width * jac.height) / 4)).toBeGreaterThan(0.05);
  await pageShot(page, 'docs/screenshots/register-jacobian.png');
  await page.getByRole('checkbox', { name: /Show det J/ }).uncheck();

  // Leaving the page would lose the result: the page asks first (the browser's own question).
  const wouldAskBeforeLeaving = () => asksBeforeLeaving(page);
  expect(await wouldAskBeforeLeaving()).toBe(true);

  // An export shows which file it writes, and stops when cancelled, leaving its folder as it was.
  const folder = path.join(mkdtempSync(path.join(os.tmpdir(), 'ximorph-export-')), 'result');
  mkdirSync(folder);
  await card.getByRole('button', { name: 'Export…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await dialog.getByRole('textbox', { name: 'Export folder' }).fill(folder);
  await dialog.getByRole('button', { name: 'Export' }).click();
  // Watched in the page at every frame: an idle machine writes the first files in moments.
  await page.waitForFunction(() => /Writing \S+/.test(document.querySelector('[role="dialog"]')?.textContent ?? ''), null, { polling: 'raf', timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Cancel export' }).click();
  await expect(dialog.getByRole('alert')).toContainText(`Export cancelled: nothing was written to ${folder}`);
  expect(readdirSync(folder)).toEqual([]);
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(dialog).toBeHidden();

  // Export, then load an exported file back in the app and through `ximorph info`.
  await card.getByRole('button', { name: 'Export…' }).click();
  await dialog.getByRole('textbox', { name: 'Export folder' }).fill(folder);
  // The lean default set, and the Jacobian on request.
  await dialog.getByRole('checkbox', { name: 'Jacobian determinant' }).check();
  await dialog.getByRole('button', { name: 'Export' }).click();
  await expect(page.getByRole('status').filter({ hasText: `to ${folder}` })).toBeVisible({ timeout: 120_000 });
  for (const file of ['warped_moving.nii.gz', 'forward_field.nii.gz', 'inverse_field.nii.gz', 'transform.h5', 'jacobian.nii.gz', 'report.json'])
    expect(existsSync(path.join(folder, file)), file).toBe(true);
  for (const file of ['forward_field.mha', 'inverse_field.mha', 'inverse_transform.h5']) expect(existsSync(path.join(folder, file)), file).toBe(false);
  // Exported: nothing is lost by leaving.
  expect(await wouldAskBeforeLeaving()).toBe(false);
  // The next export proposes a folder beside this one, named after the pair.
  await card.getByRole('button', { name: 'Export…' }).click();
  await expect(dialog.getByRole('textbox', { name: 'Export folder' })).toHaveValue(path.join(path.dirname(folder), 'brain-moving-to-brain-fixed'));
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  const info = execFileSync(process.execPath, ['bin/ximorph.js', 'info', '--json', path.join(folder, 'warped_moving.nii.gz'), path.join(folder, 'jacobian.nii.gz')]).toString();
  const described = JSON.parse(info) as { grid: { size: number[] } }[];
  expect(described).toHaveLength(2);
  expect(described[0].grid.size).toEqual(described[1].grid.size);
  await openThroughDialog(page, path.join(folder, 'warped_moving.nii.gz'));
  await waitForImage(page, 'warped_moving.nii.gz');

  // Copy command: the exact ximorph register line.
  await card.getByRole('button', { name: 'Copy command' }).click();
  await expect(page.getByRole('textbox', { name: 'Command' })).toHaveValue(/^ximorph register --fixed \S+ --moving \S+/);
  await page.getByRole('dialog', { name: 'Command line' }).getByRole('button', { name: 'Close' }).click();

  // A workspace saves the session and reopens it after a reload: files, parts, result, metrics.
  const workspace = path.join(path.dirname(folder), 'study.json');
  await page.getByRole('button', { name: 'Save workspace…' }).click();
  await page.getByRole('dialog', { name: 'Save workspace' }).getByRole('textbox', { name: 'Workspace file' }).fill(workspace);
  await page.getByRole('dialog', { name: 'Save workspace' }).getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Saved ${workspace}` })).toBeVisible({ timeout: 120_000 });
  const meanDice = await card.getByTestId('mean-dice').innerText();
  await overlay.selectOption({ label: 'Checkerboard' });

  // A reload keeps the session: the engine kept the images in their parts, the job cards, the
  // result on show and the view; nothing is read from disk or registered again.
  await page.reload();
  await waitForIdle(page);
  await expect(page.getByTestId('metrics-card').getByTestId('mean-dice')).toHaveText(meanDice, { timeout: 60_000 });
  await expect(page.getByRole('region', { name: 'Images' }).getByRole('listitem')).toHaveCount(5);
  for (const role of ['Fixed', 'Moving', 'Fixed labels', 'Moving labels'])
    await expect(page.getByRole('combobox', { name: role, exact: true })).not.toHaveValue('');
  const cards = page.getByRole('article', { name: /Registration job/ });
  await expect(cards.first()).toHaveAttribute('data-status', 'done');
  await expect(cards.nth(1)).toHaveAttribute('data-status', 'cancelled');
  await expect(cards.first().getByText('on show')).toBeVisible();
  await expect(cards.first().getByTestId('job-metrics')).toContainText(`Dice ${after.toFixed(3)}`);
  await expect(page.getByRole('combobox', { name: 'Overlay' })).toHaveValue('checkerboard');
  // Exported before the reload: still nothing to lose by leaving.
  expect(await wouldAskBeforeLeaving()).toBe(false);

  await page.getByRole('button', { name: 'Open workspace…' }).click();
  await page.getByRole('dialog', { name: 'Open workspace' }).getByRole('textbox', { name: 'Workspace file' }).fill(workspace);
  await page.getByRole('dialog', { name: 'Open workspace' }).getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('metrics-card').getByTestId('mean-dice')).toHaveText(meanDice, { timeout: 120_000 });
  await expect(page.getByRole('region', { name: 'Images' }).getByRole('listitem')).toHaveCount(5);
  await expect(page.getByRole('combobox', { name: 'Moving', exact: true })).not.toHaveValue('');
  // All of the above ran under the strict CSP: no inline style or script was needed.
  expectStrictPolicyKept(policy);
});
