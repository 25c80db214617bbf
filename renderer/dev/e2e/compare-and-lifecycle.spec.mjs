// End-to-end checks of judging a registration in the viewer harness: compare modes,
// before/after, deformation overlays, and that unmounting gives every GL context back.
/* global window, WebGL2RenderingContext */
import { test, expect } from '@playwright/test';
import { brightShare, decodePng, liveSurfaces, openScenario, settle, view, watchPolicyViolations } from './helpers.mjs';

const shots = new URL('../screenshots/', import.meta.url).pathname;

let errors = [];
let violations = [];
test.beforeEach(async ({ page }) => {
  errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  violations = await watchPolicyViolations(page);
});
test.afterEach(() => {
  expect(errors).toEqual([]);
  expect(violations, 'CSP violations').toEqual([]);
});

/** Share of pixels whose colour is far from grey: colour-mapped overlays. */
function colourfulShare(img) {
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
  }
  return n / (img.data.length / 4);
}

test('compare modes render, "b" swaps before and after, and difference shrinks after registration', async ({ page }) => {
  await openScenario(page, 'compare');
  const overlay = page.getByLabel('Overlay');
  const axial = view(page, 'axial');
  const root = page.locator('.viewer-workspace');
  const means = {};
  for (const mode of ['blend', 'checkerboard', 'curtain', 'fusion', 'difference', 'flicker']) {
    await overlay.selectOption(mode);
    await expect(root).toHaveAttribute('data-compare', mode);
    await settle(page);
    means[mode] = brightShare(await decodePng(page, await axial.screenshot({ path: `${shots}compare-${mode}-after.png` })));
  }
  await overlay.selectOption('difference');
  await settle(page);
  const after = brightShare(await decodePng(page, await axial.screenshot()));
  await page.locator('body').press('b');
  await expect(root).toHaveAttribute('data-showing', 'before');
  await settle(page);
  const before = brightShare(await decodePng(page, await axial.screenshot({ path: `${shots}compare-difference-before.png` })));
  expect(before.mean).toBeGreaterThan(after.mean * 1.5);
  await page.locator('body').press('b');
  await expect(root).toHaveAttribute('data-showing', 'after');

  await overlay.selectOption('side-by-side');
  await expect(page.locator('[data-pane="secondary"][data-view="axial"]')).toHaveCount(1);
  await settle(page);
  await page.screenshot({ path: `${shots}compare-side-by-side.png` });
});

test('deformation overlays: Jacobian with folds, deformed grid lines', async ({ page }) => {
  await openScenario(page, 'deformation');
  const folds = Number(await page.locator('[data-folds]').getAttribute('data-folds'));
  expect(folds).toBeGreaterThan(0);
  // det J's colour bar: folds, no change, expansion; |u|'s in millimetres once shown.
  await expect(page.getByRole('figure', { name: 'Colour bar of jacobian' })).toHaveAttribute('data-ticks', '≤ 0 folds|1|≥ 2');
  await expect(view(page, 'axial').locator('svg path')).toHaveCount(1);
  await page.screenshot({ path: `${shots}deformation.png` });
  await page.getByLabel('Show jacobian').uncheck();
  await page.getByLabel('Show grid').uncheck();
  await page.getByLabel('Show displacement').check();
  await expect(page.getByRole('figure', { name: 'Colour bar of displacement' })).toHaveAttribute('data-ticks', /^0 mm\|[\d.]+ mm$/);
  await settle(page);
  const magnitude = await decodePng(page, await view(page, 'coronal').screenshot({ path: `${shots}displacement-magnitude.png` }));
  expect(colourfulShare(magnitude)).toBeGreaterThan(0.2);
  await openScenario(page, 'deformation-2d');
  await page.screenshot({ path: `${shots}deformation-2d.png` });
});

test('unmounting the viewer releases every render window', async ({ page }) => {
  await openScenario(page, 'brain');
  await expect.poll(() => liveSurfaces(page)).toBe(4);
  const toggle = page.getByRole('button', { name: /mount viewer/i });
  for (let i = 0; i < 3; i++) {
    await toggle.click(); // unmount
    await expect.poll(() => liveSurfaces(page)).toBe(0);
    await expect(page.locator('canvas')).toHaveCount(0);
    await toggle.click(); // mount
    await expect.poll(() => liveSurfaces(page)).toBe(4);
  }
  await page.getByRole('button', { name: '1×3' }).click();
  await expect.poll(() => liveSurfaces(page)).toBe(3);
});

test('slice layers that draw alike share one shader program: side-by-side links none for its second pane', async ({ page }) => {
  // Counts the programs the page links from vtk.js's reslice vertex shader.
  await page.addInitScript(() => {
    const sources = new WeakMap();
    const attached = new WeakMap();
    const proto = WebGL2RenderingContext.prototype;
    const { shaderSource, attachShader, linkProgram } = proto;
    window.resliceProgramsLinked = 0;
    proto.shaderSource = function (shader, source) {
      sources.set(shader, source);
      return shaderSource.call(this, shader, source);
    };
    proto.attachShader = function (program, shader) {
      attached.set(program, [...(attached.get(program) ?? []), shader]);
      return attachShader.call(this, program, shader);
    };
    proto.linkProgram = function (program) {
      if ((attached.get(program) ?? []).some((s) => sources.get(s)?.includes('vtkImageResliceMapperVS'))) window.resliceProgramsLinked++;
      return linkProgram.call(this, program);
    };
  });
  await openScenario(page, 'compare');
  const linked = () => page.evaluate(() => window.resliceProgramsLinked);
  // Three slice views, each with the fixed image, the after image (and the before image, kept on
  // the GPU for "b") and the labels: one program per kind of layer, not one per layer per view.
  const first = await linked();
  expect(first).toBeGreaterThan(0);
  expect(first).toBeLessThanOrEqual(3);
  await page.getByLabel('Overlay').selectOption('side-by-side');
  await expect(page.locator('[data-pane="secondary"][data-view="axial"]')).toHaveCount(1);
  await settle(page);
  // The second pane's three views draw the same kinds of layer.
  expect(await linked()).toBe(first);
  for (const pane of ['primary', 'secondary']) {
    const img = await decodePng(page, await view(page, 'axial', pane).screenshot());
    expect(brightShare(img).share, `${pane} axial shows the brain`).toBeGreaterThan(0.08);
  }
});
