// Issue 11, results and a session that survives: two registrations of a 2D pair, each listed
// with its metrics; the earlier one shown again from its job card; a reload, and a second tab,
// find the same images, job cards and result on show; closing an image its results came from
// asks first, and can be undone; two results compare side by side; a removed one comes back
// with Undo.

import { expect, test, type Page } from '@playwright/test';
import { startServe, type RunningServer } from './browser-mode';
import { startRegistration, waitForIdle } from './app-actions';
import { pageShot } from './pixels';

const data = '/usr/share/doc/insighttoolkit5-examples/examples/Data';
let server: RunningServer;
test.beforeAll(async () => {
  server = await startServe([`${data}/BrainProtonDensitySliceBorder20.png`, `${data}/BrainProtonDensitySliceR10X13Y17.png`]);
});
test.afterAll(async () => {
  await server?.stop();
});

const cards = (page: Page) => page.getByRole('article', { name: /Registration job/ });
const metricsOf = (page: Page, index: number) => cards(page).nth(index).getByTestId('job-metrics');

async function registerAndWait(page: Page, count: number): Promise<void> {
  await startRegistration(page);
  await expect(cards(page)).toHaveCount(count);
  await expect(cards(page).first()).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
}

test('every result stays listed with its metrics, shows again from its card, and outlives a reload and a second tab', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(server.url);
  await waitForIdle(page);
  await expect(page.getByRole('combobox', { name: 'Moving', exact: true })).not.toHaveValue('');

  // Two results: the 2D preset the pair chose, then the CT lung one (MIND-SSC, less smoothing).
  await registerAndWait(page, 1);
  const first = await metricsOf(page, 0).innerText();
  expect(first).toMatch(/^NCC 0\.\d{3} · folds 0\.\d{3} %$/);
  await page.getByRole('combobox', { name: 'Preset', exact: true }).selectOption({ label: 'CT lung (inhale/exhale)' });
  await registerAndWait(page, 2);
  const second = await metricsOf(page, 0).innerText();
  expect(second).not.toBe(first);
  await expect(cards(page).first().getByText('on show')).toBeVisible();
  const shownNcc = () => page.getByTestId('metrics-card').getByTestId('ncc').innerText();
  const secondShown = await shownNcc();

  // The earlier result, shown again from its card: the metrics card follows.
  await cards(page).nth(1).getByRole('button', { name: 'Show' }).click();
  await expect(cards(page).nth(1).getByText('on show')).toBeVisible();
  await expect(cards(page).first().getByRole('button', { name: 'Show' })).toBeVisible();
  await expect.poll(shownNcc).not.toBe(secondShown);
  const firstShown = await shownNcc();
  expect(firstShown).toContain(/NCC ([\d.]+)/.exec(first)![1]);

  // A reload: the same two cards, the earlier result still on show, the same images in their parts.
  const fixed = await page.getByRole('combobox', { name: 'Fixed', exact: true }).inputValue();
  await page.reload();
  await waitForIdle(page);
  await expect(cards(page)).toHaveCount(2);
  await expect(cards(page).nth(1).getByText('on show')).toBeVisible();
  await expect(metricsOf(page, 0)).toHaveText(second);
  expect(await shownNcc()).toBe(firstShown);
  await expect(page.getByRole('combobox', { name: 'Fixed', exact: true })).toHaveValue(fixed);
  // The preset the user picked stays picked (the pair's rule would choose 2D).
  await expect(page.getByRole('combobox', { name: 'Preset', exact: true })).toHaveValue('ct-lung');

  // A second tab joins the same session.
  const tab = await page.context().newPage();
  await tab.goto(server.url);
  await waitForIdle(tab);
  await expect(cards(tab)).toHaveCount(2);
  expect(await tab.getByTestId('metrics-card').getByTestId('ncc').innerText()).toBe(firstShown);
  await tab.close();

  // Closing the fixed image asks first (both results came from it, neither is exported); the
  // notice that says it closed has an Undo that puts the same image back in its part.
  const images = page.getByRole('region', { name: 'Images' });
  const name = 'BrainProtonDensitySliceBorder20.png';
  await images.getByRole('button', { name: `Close ${name}` }).click();
  const confirm = images.getByRole('group', { name: `Confirm closing ${name}` });
  await expect(confirm).toContainText('2 results were registered from it and never exported');
  await confirm.getByRole('button', { name: 'Close anyway' }).click();
  await expect(images.getByRole('listitem')).toHaveCount(1);
  await expect(page.getByTestId('metrics-card')).toHaveCount(0);
  const closed = page.getByRole('status').filter({ hasText: `Closed ${name}` });
  await closed.getByRole('button', { name: 'Undo' }).click();
  await expect(images.getByRole('listitem')).toHaveCount(2);
  await expect(page.getByRole('combobox', { name: 'Fixed', exact: true })).toHaveValue(fixed);
  expect(await shownNcc()).toBe(firstShown);

  // Two results compared side by side; a removed card comes back with Undo.
  for (const k of [0, 1]) await cards(page).nth(k).getByRole('checkbox', { name: /^Compare / }).check();
  const compared = page.getByRole('region', { name: 'Results compared' });
  await expect(compared.getByRole('row')).toHaveCount(7);
  await expect(compared.getByRole('row', { name: /^NCC/ })).toContainText(/NCC0\.\d{3}0\.\d{3}/);
  await pageShot(page, 'docs/screenshots/results.png');
  await compared.getByRole('button', { name: 'Close the comparison' }).click();
  await expect(compared).toHaveCount(0);
  await cards(page).first().getByRole('button', { name: /^Remove job/ }).click();
  await expect(cards(page)).toHaveCount(1);
  await page.getByRole('status').filter({ hasText: /^Removed / }).getByRole('button', { name: 'Undo' }).click();
  await expect(cards(page)).toHaveCount(2);
  await expect(metricsOf(page, 0)).toHaveText(second);
});
