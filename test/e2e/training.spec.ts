// Issue 8, the Train panel and the models: a tiny synthetic 2D run started from the form
// streams its loss into a live chart, ends as a model in the registry (with its card and its
// validation Dice), is offered as a featurizer to Register, and shows its features, as
// MIND-SSC does, as colours on the loaded slice; then it is deleted after confirming. All
// under the strict CSP (uPlot styles itself through CSSOM only).

import { expect, test, type Locator, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { startServe, type RunningServer } from './browser-mode';
import { expectStrictPolicyKept, watchContentSecurityPolicy } from './content-security-policy';
import { waitForIdle, waitForImage } from './app-actions';
import { countNear, distinctColours, viewShot } from './pixels';

const slice = '/usr/share/doc/insighttoolkit5-examples/examples/Data/BrainProtonDensitySlice.png';
/** --accent in global.css: the loss curve's colour. */
const accent = [0x4a, 0xa3, 0xff] as const;

let server: RunningServer;
test.beforeAll(async () => {
  // Its own XIMORPH_HOME (browser-mode.ts): the registry starts empty and the model stays there.
  server = await startServe([slice]);
});
test.afterAll(async () => {
  await server?.stop();
});

const shot = async (locator: Locator) => PNG.sync.read(await viewShot(locator));

/** The Train tab with a tiny synthetic 2D run filled in (32² examples, batch 1, 64 samples). */
async function tinyRun(page: Page, steps: number): Promise<Locator> {
  await page.getByRole('tab', { name: 'Train' }).click();
  const panel = page.getByRole('region', { name: 'Train' });
  await panel.getByRole('combobox', { name: 'Training preset' }).selectOption({ label: 'Synthetic 2D' });
  await panel.getByRole('spinbutton', { name: 'Example edge' }).fill('32');
  await panel.getByRole('spinbutton', { name: 'Steps' }).fill(String(steps));
  await panel.getByRole('spinbutton', { name: 'Batch' }).fill('1');
  await panel.getByText('Advanced').click();
  await panel.getByRole('spinbutton', { name: 'Samples' }).fill('64');
  return panel;
}

test('trains a tiny model from the Train panel, lists it, offers it to Register, shows features as colours', async ({ page }) => {
  test.setTimeout(180_000);
  const policy = await watchContentSecurityPolicy(page);
  await page.goto(server.url);
  await waitForIdle(page);
  await waitForImage(page, 'BrainProtonDensitySlice.png');

  const panel = await tinyRun(page, 3);
  // Switching an augmentation off says what the network then learns; with circular padding
  // (the default) it cannot see position, and region codes need zeros at the border.
  await panel.getByRole('checkbox', { name: 'Rolling' }).uncheck();
  await expect(panel.getByTestId('augmentation-effect')).toHaveText(/^affine only: circular padding hides position/);
  await panel.getByRole('combobox', { name: 'Padding' }).selectOption('zero');
  await expect(panel.getByTestId('augmentation-effect')).toHaveText('affine only: region codes');
  await panel.getByRole('combobox', { name: 'Padding' }).selectOption('circular');
  await panel.getByRole('checkbox', { name: 'Rolling' }).check();
  await expect(panel.getByRole('textbox', { name: 'Model name' })).toHaveValue('model-2d');
  await panel.getByRole('button', { name: 'Train', exact: true }).click();

  const run = panel.getByRole('article', { name: 'Training run' });
  await expect(run).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(run.getByTestId('training-step')).toHaveText('3 / 3');
  const loss = run.getByRole('figure', { name: 'Loss curve' });
  await expect(loss).toHaveAttribute('data-points', '3');
  // uPlot drew the curve: pixels of the accent colour on its canvas.
  expect(countNear(await shot(loss.locator('canvas')), accent)).toBeGreaterThan(20);
  await expect(run.getByRole('figure', { name: 'Validation Dice curve' })).toHaveAttribute('data-points', '1');
  // The form folded away for the run; unfolded, it proposes a new model rather than replacing this one.
  await panel.getByText(/^Settings/).click();
  await expect(panel.getByRole('textbox', { name: 'Model name' })).toHaveValue('model-2d-2');

  // The model is in the registry, own, with its validation Dice and its card.
  await page.getByRole('tab', { name: 'Models' }).click();
  const row = page.getByRole('listitem', { name: 'Model model-2d' });
  await expect(row).toContainText('2D · 16 channels · 1.5 mm');
  await expect(row).toContainText('own');
  const dice = Number(await row.getByTestId('model-dice').innerText());
  expect(dice).toBeGreaterThan(0);
  expect(dice).toBeLessThanOrEqual(1);
  await row.getByRole('button', { name: 'Card' }).click();
  const card = page.getByRole('dialog', { name: 'Model card of model-2d' });
  await expect(card).toContainText('synthetic images from random label maps');
  await expect(card.getByRole('figure', { name: 'Loss curve' })).toHaveAttribute('data-points', '3');
  await card.getByRole('button', { name: 'Close' }).click();

  // MIND-SSC's features on the loaded slice: a picture of many colours, not one flat tone.
  await page.getByRole('button', { name: 'Feature view…' }).click();
  const view = page.getByRole('dialog', { name: 'Feature view' });
  await expect(view.getByTestId('feature-caption')).toContainText(/mind-ssc/i, { timeout: 60_000 });
  const canvas = view.locator('canvas');
  expect(distinctColours(await shot(canvas))).toBeGreaterThan(20);
  // The new 2D model serves this 2D image too.
  await view.getByRole('combobox', { name: 'Featurizer' }).selectOption('model-2d');
  await expect(view.getByTestId('feature-caption')).toContainText('model-2d', { timeout: 60_000 });
  expect(distinctColours(await shot(canvas))).toBeGreaterThan(20);
  await view.getByRole('button', { name: 'Close' }).click();

  // Register offers it as the featurizer of this 2D image, after the training-free ones and
  // before the shipped 2D model (the user's models come first; the 3D one is not offered).
  await page.getByRole('tab', { name: 'Register' }).click();
  await page.getByRole('region', { name: 'Register' }).getByText('Advanced').click();
  await expect(page.getByRole('combobox', { name: 'features.model' }).locator('option')).toHaveText(['mind-ssc', 'intensity', 'model-2d', 'brain-2d']);

  // Deleting asks first.
  await page.getByRole('tab', { name: 'Models' }).click();
  await row.getByRole('button', { name: 'Delete model-2d' }).click();
  await row.getByRole('group', { name: 'Confirm deleting model-2d' }).getByRole('button', { name: 'Delete' }).click();
  await expect(row).toBeHidden();

  expectStrictPolicyKept(policy);
});

test('pauses a run in place and continues it; cancels it with a checkpoint and resumes from there', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(server.url);
  await waitForIdle(page);
  const panel = await tinyRun(page, 500);
  await panel.getByRole('textbox', { name: 'Model name' }).fill('paused-run');
  await panel.getByRole('button', { name: 'Train', exact: true }).click();

  const run = panel.getByRole('article', { name: 'Training run' });
  const step = async () => Number((await run.getByTestId('training-step').innerText()).split(' / ')[0]);
  await expect.poll(step, { timeout: 60_000 }).toBeGreaterThan(0);
  await run.getByRole('button', { name: 'Pause' }).click();
  await expect(run).toHaveAttribute('data-status', 'paused');
  const held = await step();
  await page.waitForTimeout(1500);
  expect(await step()).toBe(held);

  await run.getByRole('button', { name: 'Continue' }).click();
  await expect(run).toHaveAttribute('data-status', 'running');
  await expect.poll(step, { timeout: 30_000 }).toBeGreaterThan(held);

  await run.getByRole('button', { name: 'Cancel' }).click();
  await expect(run).toHaveAttribute('data-status', 'cancelled', { timeout: 30_000 });
  const stopped = await step();
  await run.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(step, { timeout: 30_000 }).toBeGreaterThan(stopped);
  await run.getByRole('button', { name: 'Cancel' }).click();
  await expect(run).toHaveAttribute('data-status', 'cancelled', { timeout: 30_000 });
});
