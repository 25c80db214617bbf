// Issue: inspect correspondences. The sample pair in browser-mode's real renderer and engine:
// Inspect mode from the toolbar's key, a click on the fixed image pins a query, the moving
// image shows the similarity heatmap with its peak where the engine says the most similar
// voxel is, its crosshair follows the chosen match, and a landmark added on the fixed image
// gets a proposed counterpart and its error in the list.

import { expect, test, type Locator, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { startServe, type RunningServer } from './browser-mode';
import { expectStrictPolicyKept, watchContentSecurityPolicy } from './content-security-policy';
import { waitForIdle } from './app-actions';
import { pageShot } from './pixels';

let server: RunningServer;

test.beforeAll(async () => {
  mkdirSync('docs/screenshots', { recursive: true });
  server = await startServe(['--sample']);
});
test.afterAll(async () => {
  await server?.stop();
});

const numbers = (s: string | null) => (s ?? '').split(',').filter(Boolean).map(Number);

async function readMatch(page: Page) {
  const r = page.getByTestId('match-readout');
  return {
    query: numbers(await r.getAttribute('data-query')),
    attention: numbers(await r.getAttribute('data-attention')),
    argmax: numbers(await r.getAttribute('data-argmax')),
    peak: Number(await r.getAttribute('data-peak')),
    spreadMm: Number(await r.getAttribute('data-spread-mm')),
    cycleMm: Number(await r.getAttribute('data-cycle-mm')),
  };
}

async function crosshairOf(page: Page, side: 'fixed' | 'moving'): Promise<number[]> {
  return numbers(await page.locator(`[data-inspect-side="${side}"] [data-crosshair]`).getAttribute('data-crosshair'));
}

const near = (a: number[], b: number[], tol: number) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= tol);

/**
 * A view's screenshot once it stops changing (two in a row alike) and, given `unlike`, differs
 * from that shot; software WebGL redraws in its own time. After `timeoutMs`, the last one taken.
 */
async function steadyShot(view: Locator, unlike?: PNG, timeoutMs = 20_000): Promise<PNG> {
  const deadline = Date.now() + timeoutMs;
  let last = await view.screenshot();
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const bytes = await view.screenshot();
    const shot = PNG.sync.read(bytes);
    if ((bytes.equals(last) && !(unlike && shot.data.equals(unlike.data))) || Date.now() > deadline) return shot;
    last = bytes;
  }
}

/** Where two shots of a view differ most: the centroid of the pixels within 20 % of the largest change. */
function differencePeak(a: PNG, b: PNG): { x: number; y: number; strength: number } {
  const change = (i: number) => Math.abs(a.data[i] - b.data[i]) + Math.abs(a.data[i + 1] - b.data[i + 1]) + Math.abs(a.data[i + 2] - b.data[i + 2]);
  let strength = 0;
  for (let i = 0; i < a.data.length; i += 4) strength = Math.max(strength, change(i));
  let [sx, sy, n] = [0, 0, 0];
  for (let y = 0; y < a.height; y++)
    for (let x = 0; x < a.width; x++)
      if (change((y * a.width + x) * 4) >= 0.8 * strength) {
        sx += x;
        sy += y;
        n++;
      }
  return { x: sx / n, y: sy / n, strength };
}

/** A marker's centre, in the view's own pixels (the marker layer covers the view). */
async function markerIn(view: Locator, id: string): Promise<{ x: number; y: number; onPlane: boolean }> {
  const marker = view.locator(`[data-marker="${id}"]`);
  const svg = view.locator('svg.overlay');
  const [viewBox, svgBox] = [(await view.boundingBox())!, (await svg.boundingBox())!];
  return {
    x: Number(await marker.getAttribute('data-x')) + svgBox.x - viewBox.x,
    y: Number(await marker.getAttribute('data-y')) + svgBox.y - viewBox.y,
    onPlane: (await marker.getAttribute('data-on-plane')) === 'true',
  };
}

test('inspect mode: the heatmap peaks at the match, the crosshair follows, a landmark gets its error', async ({ page }) => {
  test.setTimeout(420_000);
  const policy = await watchContentSecurityPolicy(page);
  await page.goto(server.url);
  await waitForIdle(page);
  // The sample pair is built on first use (its synthetic deformation): on a busy machine, a while.
  await expect(page.getByRole('combobox', { name: 'Moving', exact: true })).not.toHaveValue('', { timeout: 180_000 });

  // 1. The i key switches Inspect mode on: the pair side by side.
  const toggle = page.getByRole('button', { name: 'Inspect', exact: true });
  await expect(toggle).toBeEnabled();
  await page.locator('body').press('i');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('inspect-workspace')).toBeVisible();
  const fixedAxial = page.locator('[data-inspect-side="fixed"] [data-view="axial"]');
  const movingAxial = page.locator('[data-inspect-side="moving"] [data-view="axial"]');
  await expect(fixedAxial).toBeVisible();
  await expect(movingAxial).toBeVisible();

  // Show the heatmap's peak in a colour nothing else has, over everything.
  await page.getByRole('combobox', { name: 'Heatmap colours' }).selectOption('viridis');
  await page.getByRole('combobox', { name: 'Heatmap scale' }).selectOption('linear');
  await page.getByRole('slider', { name: 'Heatmap opacity' }).fill('1');
  await expect(page.getByRole('figure', { name: 'Colour bar of the heatmap' })).toHaveAttribute('data-ticks', '0|peak');

  // 2. Click a point of the fixed image (inside the brain): it is pinned and asked about.
  const box = (await fixedAxial.boundingBox())!;
  await fixedAxial.click({ position: { x: box.width * 0.42, y: box.height * 0.4 } });
  const readout = page.getByTestId('match-readout');
  // The pointer's move there asked first: the pinned answer is the one to read.
  await expect(readout).toHaveAttribute('data-pinned', 'true', { timeout: 180_000 });
  await expect(readout).toHaveAttribute('data-side', 'fixed');
  await expect(readout).toHaveAttribute('data-featurizer', /MIND-SSC/);
  const match = await readMatch(page);
  expect(match.query).toHaveLength(3);
  expect(match.peak).toBeGreaterThan(0);
  expect(match.peak).toBeLessThanOrEqual(1);
  expect(match.spreadMm).toBeGreaterThanOrEqual(0);
  expect(Number.isFinite(match.cycleMm)).toBe(true);
  // The sample's deformation is at most 10 mm: the most similar voxel lies near the query.
  expect(Math.hypot(...match.argmax.map((v, i) => v - match.query[i]))).toBeLessThan(15);

  // 3. The moving image's crosshair follows the feature match (the default)...
  await expect.poll(async () => near(await crosshairOf(page, 'moving'), match.attention, 0.05)).toBe(true);
  // ...and its 3D view shows the pinned match (hovered ones too, once the pointer rests, except
  // on a software renderer such as this one, where each volume render takes seconds).
  const moving3d = page.locator('[data-inspect-side="moving"] [data-view="3d"]');
  await expect(moving3d).toHaveAttribute('data-software-rendering', 'true');
  await expect(moving3d).toHaveAttribute('data-markers', /\battention\b.*\bargmax\b/);

  // ...or the most similar voxel, when asked to; there the heatmap's slice holds its peak.
  await page.getByRole('combobox', { name: 'Crosshair follows' }).selectOption('argmax');
  await expect.poll(async () => near(await crosshairOf(page, 'moving'), match.argmax, 0.05)).toBe(true);
  // Once the views have redrawn on the argmax's plane (seconds, on a loaded machine with
  // software WebGL), the heatmap is on screen there. Its own contribution is the difference
  // between the view at full heatmap opacity and at none: markers, crosshair and anatomy cancel.
  const argmax = await markerIn(movingAxial, 'argmax');
  expect(argmax.onPlane).toBe(true);
  const opacity = page.getByRole('slider', { name: 'Heatmap opacity' });
  let peak = { x: 0, y: 0, strength: 0 };
  let withoutHeat: PNG | undefined;
  const heatAtArgmax = async () => {
    await opacity.fill('1');
    const withHeat = await steadyShot(movingAxial, withoutHeat);
    await opacity.fill('0');
    withoutHeat = await steadyShot(movingAxial, withHeat);
    peak = differencePeak(withHeat, withoutHeat);
    return peak.strength > 100 && Math.hypot(peak.x - argmax.x, peak.y - argmax.y) < 6;
  };
  await expect.poll(heatAtArgmax, { timeout: 120_000 }).toBe(true).catch(() => undefined);
  await opacity.fill('1');
  await steadyShot(movingAxial, withoutHeat);
  await pageShot(page, 'docs/screenshots/inspect-match.png');
  expect(peak.strength, 'the heatmap is on screen').toBeGreaterThan(100);
  const off = Math.hypot(peak.x - argmax.x, peak.y - argmax.y);
  expect(off, `heatmap peak at (${peak.x.toFixed(1)}, ${peak.y.toFixed(1)}), argmax marker at (${argmax.x.toFixed(1)}, ${argmax.y.toFixed(1)})`).toBeLessThan(6);

  // 4. A landmark: Ctrl-click the fixed image; its counterpart is proposed by the match the
  // crosshair follows (the most similar voxel) and its error before registration (no result
  // yet: the identity) is listed.
  await fixedAxial.click({ position: { x: box.width * 0.55, y: box.height * 0.45 }, modifiers: ['Control'] });
  const row = page.locator('[data-landmark="L1"]');
  await expect(row).toBeVisible();
  await expect(row).not.toHaveAttribute('data-before-mm', '', { timeout: 120_000 });
  const before = Number(await row.getAttribute('data-before-mm'));
  const fixed = numbers(await row.getAttribute('data-fixed'));
  const moving = numbers(await row.getAttribute('data-moving'));
  expect(before).toBeCloseTo(Math.hypot(...fixed.map((v, i) => v - moving[i])), 1);
  await expect(row).toContainText(`TRE before ${before.toFixed(2)} mm`);
  await row.getByRole('checkbox', { name: 'Accept L1' }).check();
  await expect(page.getByTestId('landmark-summary')).toContainText(`before: mean ${before.toFixed(2)} mm, max ${before.toFixed(2)} mm`);
  // The counterpart is marked on the moving image.
  await expect(page.locator('[data-inspect-side="moving"] [data-marker="landmark:1"]').first()).toBeAttached();
  await pageShot(page, 'docs/screenshots/inspect-landmark.png');

  // 5. Export as Slicer markups, delete, import back: the same pair.
  const folder = mkdtempSync(path.join(os.tmpdir(), 'ximorph-landmarks-'));
  const file = path.join(folder, 'landmarks.mrk.json');
  const panel = page.getByRole('region', { name: 'Landmarks' });
  await panel.getByRole('button', { name: 'Export…' }).click();
  const exportDialog = page.getByRole('dialog', { name: 'Export landmarks' });
  await exportDialog.getByRole('textbox', { name: 'Landmarks file' }).fill(file);
  await exportDialog.getByRole('button', { name: 'Export' }).click();
  await expect(exportDialog).toBeHidden();
  expect(readFileSync(file, 'utf8')).toContain('"L1"');
  expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('markups');
  await row.getByRole('button', { name: 'Delete L1' }).click();
  await expect(row).toHaveCount(0);
  await panel.getByRole('button', { name: 'Import…' }).click();
  const importDialog = page.getByRole('dialog', { name: 'Import landmarks' });
  const folderBox = importDialog.getByRole('textbox', { name: 'Folder' });
  await expect(folderBox).not.toHaveValue('');
  await folderBox.fill(folder);
  await importDialog.getByRole('button', { name: 'Go' }).click();
  await importDialog.getByRole('list', { name: 'Files' }).getByRole('button', { name: 'landmarks.mrk.json', exact: true }).dblclick();
  await expect(row).toBeVisible();
  expect(near(numbers(await row.getAttribute('data-fixed')), fixed, 0.01)).toBe(true);
  expect(near(numbers(await row.getAttribute('data-moving')), moving, 0.01)).toBe(true);

  // 6. Saved with the workspace.
  const workspaceFile = path.join(folder, 'inspect.ximorph.json');
  await page.getByRole('button', { name: 'Save workspace…' }).click();
  const saveDialog = page.getByRole('dialog', { name: 'Save workspace' });
  await saveDialog.getByRole('textbox', { name: 'Workspace file' }).fill(workspaceFile);
  await saveDialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Saved ${workspaceFile}` })).toBeVisible();
  const saved = JSON.parse(readFileSync(workspaceFile, 'utf8')) as { landmarks?: { name: string; fixed: number[] }[] };
  expect(saved.landmarks?.map((l) => l.name)).toEqual(['L1']);
  expect(near(saved.landmarks![0].fixed, fixed, 0.01)).toBe(true);
  // ...and back after a reload, once the workspace is opened again.
  await page.reload();
  await waitForIdle(page);
  await page.getByRole('button', { name: 'Open workspace…' }).click();
  await page.getByRole('dialog', { name: 'Open workspace' }).getByRole('textbox', { name: 'Workspace file' }).fill(workspaceFile);
  await page.getByRole('dialog', { name: 'Open workspace' }).getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('dialog', { name: 'Open workspace' })).toBeHidden({ timeout: 120_000 });
  await waitForIdle(page);
  await expect(toggle).toBeEnabled({ timeout: 120_000 });
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect(row).toBeVisible();
  expect(near(numbers(await row.getAttribute('data-fixed')), fixed, 0.01)).toBe(true);
  expect(near(numbers(await row.getAttribute('data-moving')), moving, 0.01)).toBe(true);

  // 7. i again: back to the registration view.
  await page.locator('body').press('i');
  await expect(page.getByTestId('inspect-workspace')).toBeHidden();
  expectStrictPolicyKept(policy);
});
