// Issue 10: saving a workspace over a file that XiMorph did not write asks first, in browser
// mode where the page chooses the path itself. Cancel keeps the file; Replace writes.

import { expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningServer } from './browser-mode';
import { waitForIdle } from './app-actions';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServe();
});
test.afterAll(async () => {
  await server?.stop();
});

test('saving over a file that is not a workspace asks; Cancel keeps it, Replace writes the workspace', async ({ page }) => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ximorph-save-')), 'settings.json');
  const theirs = '{ "editor.fontSize": 14 }\n';
  writeFileSync(file, theirs);
  await page.goto(server.url);
  await waitForIdle(page);

  const saveTo = async () => {
    await page.getByRole('button', { name: 'Save workspace…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save workspace' });
    await dialog.getByRole('textbox', { name: 'Workspace file' }).fill(file);
    await dialog.getByRole('button', { name: 'Save' }).click();
    const question = page.getByRole('alertdialog', { name: 'Replace file?' });
    await expect(question).toContainText(`${file} exists and is not a XiMorph workspace. Replace it?`);
    return question;
  };

  await (await saveTo()).getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  expect(readFileSync(file, 'utf8')).toBe(theirs);

  await (await saveTo()).getByRole('button', { name: 'Replace' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Saved ${file}` })).toBeVisible();
  expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 'ximorph-workspace', version: 1 });
});
