// What a user does in the app, as reusable steps for the end-to-end tests.

import { expect, type Page } from '@playwright/test';
import path from 'node:path';

/** Opens a file the way a user does: the Open dialog, browse to its folder, double-click. */
export async function openThroughDialog(page: Page, file: string): Promise<void> {
  await page.getByRole('button', { name: 'Open…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Open images' });
  const folder = dialog.getByRole('textbox', { name: 'Folder' });
  // As a user would, wait for the first listing before typing over it.
  await expect(folder).not.toHaveValue('');
  await folder.fill(path.dirname(file));
  await expect(folder).toHaveValue(path.dirname(file));
  await dialog.getByRole('button', { name: 'Go' }).click();
  await dialog.getByRole('list', { name: 'Files' }).getByRole('button', { name: path.basename(file), exact: true }).dblclick();
  await expect(dialog).toBeHidden();
}

export async function waitForImage(page: Page, name: string): Promise<void> {
  await expect(page.getByRole('region', { name: 'Images' }).getByText(name, { exact: true })).toBeVisible({ timeout: 60_000 });
}

/** Waits until the engine is connected and every load has finished. */
export async function waitForIdle(page: Page): Promise<void> {
  await expect(page.getByTestId('engine-status')).toHaveText('Engine ready', { timeout: 60_000 });
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 120_000 });
}

export interface Readout {
  world: number[];
  index: number[];
  value: number;
  label: string | null;
}

export async function readReadout(page: Page): Promise<Readout> {
  const r = page.getByTestId('readout');
  const numbers = async (name: string) => ((await r.getAttribute(name)) ?? '').split(',').filter(Boolean).map(Number);
  return {
    world: await numbers('data-world'),
    index: await numbers('data-index'),
    value: Number(await r.getAttribute('data-value')),
    label: await r.getAttribute('data-label'),
  };
}

export async function startRegistration(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Register', exact: true }).click();
}
