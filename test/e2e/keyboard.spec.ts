// Issue 11, keyboard and notices: `?` opens the list of every shortcut; dialogs take focus,
// keep Tab inside, close on Esc and give focus back; Esc in a dialog does not reach what lies
// behind. A repeated error is one notice with its count, naming its file once. The main flow
// (sample, register, before/after, export) works by keyboard alone.

import { expect, test, type Locator } from '@playwright/test';
import { startServe, type RunningServer } from './browser-mode';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openThroughDialog, waitForIdle } from './app-actions';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServe([]);
});
test.afterAll(async () => {
  await server?.stop();
});

test('? lists the shortcuts; dialogs take focus, trap Tab, close on Esc and give focus back', async ({ page }) => {
  await page.goto(server.url);
  await waitForIdle(page);

  await page.keyboard.press('?');
  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(sheet).toBeVisible();
  for (const key of ['?', 'i', 'b', 'r', 'Esc', 'Page Up']) await expect(sheet.locator('kbd', { hasText: new RegExp(`^${key.replace('?', '\\?')}$`) })).toHaveCount(1);
  await expect(sheet.getByRole('button', { name: 'Close' })).toBeFocused();
  // Tab stays in the dialog (its one control).
  await page.keyboard.press('Tab');
  await expect(sheet.getByRole('button', { name: 'Close' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();

  // The workspace dialog: focus on its field; Tab cycles through its three controls and back.
  const opener = page.getByRole('button', { name: 'Open workspace…' });
  await opener.click();
  const dialog = page.getByRole('dialog', { name: 'Open workspace' });
  const field = dialog.getByRole('textbox', { name: 'Workspace file' });
  await expect(field).toBeFocused();
  // Typing a ? in a text field is text, not the shortcut.
  await page.keyboard.type('/tmp/study?.json');
  await expect(field).toHaveValue('/tmp/study?.json');
  await expect(sheet).toBeHidden();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Open' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(field).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Open' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();

  // The toolbar's ? button opens the same list.
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  await expect(sheet).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();
});

test('a repeated error is one notice with its count, naming its file once', async ({ page }) => {
  const broken = path.join(mkdtempSync(path.join(os.tmpdir(), 'ximorph-notice-')), 'broken.nii');
  writeFileSync(broken, 'not a NIfTI file');
  await page.goto(server.url);
  await waitForIdle(page);
  await openThroughDialog(page, broken);
  const alert = page.getByRole('alert').filter({ hasText: 'broken.nii' });
  await expect(alert).toHaveCount(1);
  await openThroughDialog(page, broken);
  await expect(alert).toHaveCount(1);
  await expect(alert).toContainText('×2');
  expect((await alert.innerText()).match(/broken\.nii/g)).toHaveLength(1);
});

test('a slice view reached with Tab moves the crosshair with the arrows, a voxel at a time; a 2D pair gets the 2D preset', async ({ page }) => {
  await page.goto(server.url);
  await waitForIdle(page);
  await openThroughDialog(page, '/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainProtonDensitySlice.png');
  const workspace = page.locator('[data-crosshair]').first();
  await expect(workspace).not.toHaveAttribute('data-crosshair', '');
  const crosshair = async () => ((await workspace.getAttribute('data-crosshair')) ?? '').split(',').map(Number);
  const view = page.getByRole('application', { name: 'axial view' });
  // Tab reaches the view: press Tab until it has focus.
  for (let i = 0; i < 40 && !(await view.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(view).toBeFocused();
  const [x0, y0] = await crosshair();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  // The axial view's screen up is anterior: −y in LPS. The slice's voxels are 1 mm.
  await page.keyboard.press('ArrowUp');
  await expect.poll(crosshair).toEqual([x0 + 2, y0 - 1, 0]);
  await page.keyboard.press('Shift+ArrowLeft');
  await expect.poll(crosshair).toEqual([x0 - 8, y0 - 1, 0]);

  // A second 2D image makes a 2D pair: the Register panel picks the 2D preset by itself.
  await expect(page.getByRole('combobox', { name: 'Preset', exact: true })).toHaveValue('brain-mri');
  await openThroughDialog(page, '/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainProtonDensitySliceR10X13Y17.png');
  await expect(page.getByRole('combobox', { name: 'Preset', exact: true })).toHaveValue('2d');

  // Advanced: parameters under readable names, lists as "200, 100, 50", levels as rows of cells.
  await page.getByText('Advanced', { exact: true }).click();
  await expect(page.getByText('Rotation search step (degrees)', { exact: true })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'alignment.iterations' })).toHaveValue(/^\d+(, \d+)*$/);
  const iterationCells = page.getByRole('textbox', { name: /^optimization\.levels level \d+: Iterations$/ });
  const levels = await iterationCells.count();
  expect(levels).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Add a level to optimization.levels' }).click();
  await expect(iterationCells).toHaveCount(levels + 1);
  await page.getByRole('button', { name: 'Reset optimization.levels' }).click();
  await expect(iterationCells).toHaveCount(levels);
});

test('the main flow by keyboard alone: open the sample, register, toggle before/after, export', async ({ page }) => {
  test.setTimeout(240_000);
  // A server of its own: the session lives in the engine, and this flow starts from nothing.
  const own = await startServe([]);
  try {
    await page.goto(own.url);
    await waitForIdle(page);
    /** Tab (never the mouse) until `target` has focus, then Enter. */
    const tabToAndPress = async (target: Locator) => {
      for (let i = 0; i < 80 && !(await target.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
      await expect(target).toBeFocused();
      await page.keyboard.press('Enter');
    };
    // The toolbar's sample button (the welcome page has one too, further on).
    await tabToAndPress(page.getByRole('button', { name: 'Head phantom pair' }).first());
    for (const role of ['Fixed', 'Moving', 'Fixed labels', 'Moving labels'])
      await expect(page.getByRole('combobox', { name: role, exact: true })).not.toHaveValue('', { timeout: 120_000 });
    await waitForIdle(page);

    await tabToAndPress(page.getByRole('button', { name: 'Register', exact: true }));
    const job = page.getByRole('article', { name: /Registration job/ }).first();
    await expect(job).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
    await expect(page.getByTestId('metrics-card')).toBeVisible();

    // B shows the images before registration, and again after.
    const viewer = page.locator('[data-showing]').first();
    await expect(viewer).toHaveAttribute('data-showing', 'after');
    await page.keyboard.press('b');
    await expect(viewer).toHaveAttribute('data-showing', 'before');
    await page.keyboard.press('b');
    await expect(viewer).toHaveAttribute('data-showing', 'after');

    // Export: the dialog takes focus in its folder field; Tab reaches its Export button.
    const folder = path.join(mkdtempSync(path.join(os.tmpdir(), 'ximorph-keys-')), 'result');
    await tabToAndPress(page.getByTestId('metrics-card').getByRole('button', { name: 'Export…' }));
    const dialog = page.getByRole('dialog', { name: 'Export' });
    const field = dialog.getByRole('textbox', { name: 'Export folder' });
    await expect(field).toBeFocused();
    // Emptied, the field stays empty (it was refilled with the proposed folder, and what was
    // typed next went after it): what is typed is the folder.
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Backspace');
    await expect(field).toHaveValue('');
    await page.keyboard.type(folder);
    await expect(field).toHaveValue(folder);
    await tabToAndPress(dialog.getByRole('button', { name: 'Export', exact: true }));
    await expect(page.getByRole('status').filter({ hasText: `to ${folder}` })).toBeVisible({ timeout: 120_000 });
    expect(existsSync(path.join(folder, 'report.json'))).toBe(true);
  } finally {
    await own.stop();
  }
});
