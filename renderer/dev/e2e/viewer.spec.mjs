// End-to-end checks of the viewer in its harness: what is drawn, what the readout says and
// what the grid says must agree; conventions, gestures, presets, overlays, compare modes,
// 2D oblique images, and no leaked GL contexts.
/* global window */
import { test, expect } from '@playwright/test';
import {
  brightShare,
  decodePng,
  generatedLabelColor,
  loadSample,
  openScenario,
  pixelAt,
  readout,
  settle,
  valueAt,
  view,
  watchPolicyViolations,
  worldToIndex,
} from './helpers.mjs';

const shots = new URL('../screenshots/', import.meta.url).pathname;
const SLICES = ['axial', 'coronal', 'sagittal'];

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

/** Deterministic points inside the middle of a view. */
function* samplePoints(box, n, seed = 1) {
  let s = seed;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < n; i++) yield [box.width * (0.25 + 0.5 * rand()), box.height * (0.25 + 0.5 * rand())];
}

function correlation(pairs) {
  const n = pairs.length;
  const mx = pairs.reduce((s, p) => s + p[0], 0) / n;
  const my = pairs.reduce((s, p) => s + p[1], 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

async function windowLevel(page) {
  return [Number(await page.getByLabel('Window', { exact: true }).inputValue()), Number(await page.getByLabel('Level', { exact: true }).inputValue())];
}

async function crosshair(page) {
  return (await page.locator('[data-crosshair]').getAttribute('data-crosshair')).split(',').map(Number);
}

test('axial, coronal, sagittal and 3D views all show the brain', async ({ page }) => {
  await openScenario(page, 'brain');
  await expect(page.locator('[data-view]')).toHaveCount(4);
  for (const name of [...SLICES, '3d']) {
    const img = await decodePng(page, await view(page, name).screenshot({ path: `${shots}brain-${name}.png` }));
    expect(brightShare(img).share, `${name} has brain pixels`).toBeGreaterThan(0.08);
  }
  await page.screenshot({ path: `${shots}brain-workspace.png` });
});

for (const [scenario, sample] of [
  ['brain', 'ch2bet'],
  ['brain-oblique', 'ch2bet-oblique'],
]) {
  test(`drawn pixels, readout and grid agree in every slice view: ${sample}`, async ({ page, request }) => {
    const image = await loadSample(request, sample);
    await openScenario(page, scenario);
    const [W, L] = await windowLevel(page);
    for (const name of SLICES) {
      const el = view(page, name);
      const box = await el.boundingBox();
      const img = await decodePng(page, await el.screenshot({ path: `${shots}${scenario}-${name}.png` }));
      const pairs = [];
      for (const [x, y] of samplePoints(box, 40)) {
        await page.mouse.move(box.x + x, box.y + y);
        const r = await readout(page);
        const index = worldToIndex(image.info.grid, r.world).map((v) => Math.round(v) + 0);
        if (index.some((v, a) => v < 0 || v >= image.info.grid.size[a])) {
          expect(r.index).toBeNull();
          continue;
        }
        expect(r.index).toEqual(index);
        expect(r.value).toBe(valueAt(image, index));
        const grey = Math.min(255, Math.max(0, ((r.value - (L - W / 2)) / W) * 255));
        pairs.push([grey, pixelAt(img, x, y)[0]]);
      }
      expect(pairs.length).toBeGreaterThan(25);
      // A flipped or misplaced picture would not follow the voxel values the readout reports.
      expect(correlation(pairs), `${name}: pixel brightness follows the voxel values`).toBeGreaterThan(0.9);
    }
  });
}

test('a click moves the crosshair; screen left is patient right, up is anterior/superior', async ({ page, request }) => {
  const ch2 = await loadSample(request, 'ch2bet');
  await openScenario(page, 'brain');
  const axial = view(page, 'axial');
  const box = await axial.boundingBox();
  const [x0, y0, z0] = await crosshair(page);
  await axial.click({ position: { x: box.width * 0.35, y: box.height * 0.3 } });
  const r = await readout(page);
  const c = await crosshair(page);
  expect(c[0]).toBeCloseTo(r.world[0], 2);
  expect(c[1]).toBeCloseTo(r.world[1], 2);
  expect(c[2]).toBe(z0);
  expect(c[0]).toBeLessThan(x0); // left of centre on screen: toward patient right (−x in LPS)
  expect(c[1]).toBeLessThan(y0); // above centre: anterior (−y)
  const index = worldToIndex(ch2.info.grid, r.world).map(Math.round);
  expect(r.index).toEqual(index);
  expect(r.value).toBe(valueAt(ch2, index));
  // The other views' slices follow: the coronal view now shows y = the clicked y.
  await expect(view(page, 'coronal')).toContainText(`y = ${c[1].toFixed(1)} mm`);

  const coronal = view(page, 'coronal');
  const cbox = await coronal.boundingBox();
  await coronal.click({ position: { x: cbox.width * 0.5, y: cbox.height * 0.25 } });
  expect((await crosshair(page))[2]).toBeGreaterThan(z0); // up in coronal: superior
  const sagittal = view(page, 'sagittal');
  const sbox = await sagittal.boundingBox();
  const yBefore = (await crosshair(page))[1];
  await sagittal.click({ position: { x: sbox.width * 0.3, y: sbox.height * 0.5 } });
  expect((await crosshair(page))[1]).toBeLessThan(yBefore); // left in sagittal: anterior
});

test('wheel pages one voxel; ctrl+wheel zooms; shift-drag pans; reset restores', async ({ page }) => {
  await openScenario(page, 'brain');
  const axial = view(page, 'axial');
  const box = await axial.boundingBox();
  const [, , z0] = await crosshair(page);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -100);
  await expect.poll(async () => (await crosshair(page))[2]).toBe(z0 + 1);
  await page.mouse.wheel(0, 100);
  await page.mouse.wheel(0, 100);
  await expect.poll(async () => (await crosshair(page))[2]).toBe(z0 - 1);

  await settle(page);
  const before = brightShare(await decodePng(page, await axial.screenshot()));
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -400);
  await page.keyboard.up('Control');
  await settle(page);
  const zoomed = brightShare(await decodePng(page, await axial.screenshot({ path: `${shots}zoomed-axial.png` })));
  expect(zoomed.share).toBeGreaterThan(before.share * 1.3);

  await page.keyboard.down('Shift');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 150, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await settle(page);
  const panned = await decodePng(page, await axial.screenshot());
  const left = brightShare({ ...panned, data: leftColumns(panned, 60) });
  expect(left.share).toBeLessThan(0.02); // the picture moved right, leaving the left edge empty

  await page.getByRole('button', { name: 'Reset view' }).click();
  await settle(page);
  const reset = brightShare(await decodePng(page, await axial.screenshot()));
  expect(Math.abs(reset.share - before.share)).toBeLessThan(0.02);
});

test('paging fast draws at half resolution where WebGL is a CPU emulation, then sharp once it rests', async ({ page }) => {
  await openScenario(page, 'brain');
  const axial = view(page, 'axial');
  const box = await axial.boundingBox();
  const canvasWidth = () => axial.locator('canvas').first().evaluate((c) => ({ drawn: c.width, css: c.clientWidth * window.devicePixelRatio }));
  const rest = await canvasWidth();
  expect(rest.drawn).toBe(Math.floor(rest.css));
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  // The canvas's width at every frame while paging, recorded in the page: read afterwards, a
  // width would miss the half-resolution frames whenever this machine was slow enough for the
  // view to rest (250 ms) before the read arrived.
  await axial.locator('canvas').first().evaluate((c) => {
    const widths = (window.__pagingWidths = []);
    const record = () => {
      widths.push(c.width);
      if (!window.__stopRecording) window.requestAnimationFrame(record);
    };
    window.requestAnimationFrame(record);
  });
  // A slice per frame, as a wheel turned steadily pages.
  for (let i = 0; i < 6; i++) {
    await page.mouse.wheel(0, 100);
    await page.evaluate(() => new Promise((r) => window.requestAnimationFrame(() => window.requestAnimationFrame(r))));
  }
  const widths = await page.evaluate(() => ((window.__stopRecording = true), window.__pagingWidths));
  // This suite's Chromium draws WebGL with SwiftShader.
  expect(widths).toContain(Math.floor(rest.css * 0.5));
  await expect.poll(async () => (await canvasWidth()).drawn, { timeout: 5000 }).toBe(Math.floor(rest.css));
  await settle(page);
  const sharp = brightShare(await decodePng(page, await axial.screenshot()));
  expect(sharp.share).toBeGreaterThan(0.05);
});

function leftColumns(img, columns) {
  const out = [];
  for (let y = 0; y < img.height; y++) for (let x = 0; x < columns; x++) out.push(...img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));
  return Buffer.from(out);
}

test('left-drag changes window/level without moving the crosshair; presets change the pixels', async ({ page }) => {
  await openScenario(page, 'brain');
  const axial = view(page, 'axial');
  const box = await axial.boundingBox();
  const c0 = await crosshair(page);
  const [w0] = await windowLevel(page);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 90, box.y + box.height / 2, { steps: 6 });
  await page.mouse.up();
  expect((await windowLevel(page))[0]).toBeGreaterThan(w0);
  expect(await crosshair(page)).toEqual(c0);

  await page.getByLabel('Window preset').selectOption('mri-auto');
  await settle(page);
  const auto = brightShare(await decodePng(page, await axial.screenshot({ path: `${shots}preset-mri-auto.png` })));
  await page.getByLabel('Window preset').selectOption('ct-brain');
  expect(await windowLevel(page)).toEqual([80, 40]);
  await settle(page);
  const ctBrain = brightShare(await decodePng(page, await axial.screenshot({ path: `${shots}preset-ct-brain.png` })));
  expect(ctBrain.mean - auto.mean).toBeGreaterThan(10); // W80/L40 saturates this T1's tissue
  await page.getByLabel('Window preset').selectOption('ct-lung');
  expect(await windowLevel(page)).toEqual([1500, -600]);

  // The image's colour bar marks the window's ends, and another colour map colours the pixels.
  await page.getByLabel('Window preset').selectOption('ct-abdomen');
  const bar = page.getByRole('figure', { name: /^Colour bar of / }).first();
  await expect(bar).toHaveAttribute('data-ticks', '-150|250');
  const colourful = (img) => {
    let n = 0;
    for (let i = 0; i < img.data.length; i += 4) if (Math.max(img.data[i], img.data[i + 1], img.data[i + 2]) - Math.min(img.data[i], img.data[i + 1], img.data[i + 2]) > 60) n++;
    return n / (img.data.length / 4);
  };
  await settle(page);
  expect(colourful(await decodePng(page, await axial.screenshot()))).toBeLessThan(0.01);
  await page.getByRole('combobox', { name: /^Colours of / }).first().selectOption('hot');
  await settle(page);
  expect(colourful(await decodePng(page, await axial.screenshot({ path: `${shots}colormap-hot.png` })))).toBeGreaterThan(0.1);
});

test('label overlay: names and colours under the cursor, patient right on screen left', async ({ page, request }) => {
  const aal = await loadSample(request, 'aal-nocolor');
  const names = new Map(aal.info.labels.map((l) => [l.value, l.name]));
  await openScenario(page, 'labels-opaque');
  const axial = view(page, 'axial');
  const box = await axial.boundingBox();
  const img = await decodePng(page, await axial.screenshot({ path: `${shots}labels-opaque-axial.png` }));
  const [cx] = await crosshair(page);
  let labelled = 0, colourMatches = 0, sided = 0;
  for (const [x, y] of samplePoints(box, 60, 7)) {
    await page.mouse.move(box.x + x, box.y + y);
    const r = await readout(page);
    const index = worldToIndex(aal.info.grid, r.world).map(Math.round);
    expect(r.labelValue ?? 0).toBe(valueAt(aal, index));
    if (!r.labelValue) continue;
    labelled++;
    expect(r.label).toBe(names.get(r.labelValue));
    const want = generatedLabelColor(r.labelValue);
    if (pixelAt(img, x, y).every((v, k) => Math.abs(v - want[k]) <= 3)) colourMatches++;
    if (Math.abs(r.world[0] - cx) > 8 && /_[LR]$/.test(r.label)) {
      sided++;
      expect(r.label.endsWith(r.world[0] < cx ? '_R' : '_L')).toBe(true);
      expect(x < box.width / 2).toBe(r.label.endsWith('_R'));
    }
  }
  expect(labelled).toBeGreaterThan(15);
  expect(sided).toBeGreaterThan(5);
  expect(colourMatches / labelled).toBeGreaterThan(0.8);
});

test('label outlines and picking a label raise the selection event', async ({ page }) => {
  await openScenario(page, 'labels-generated');
  await view(page, 'axial').screenshot({ path: `${shots}labels-outline-axial.png` });
  const img = await decodePng(page, await view(page, 'coronal').screenshot({ path: `${shots}labels-outline-coronal.png` }));
  expect(brightShare(img).share).toBeGreaterThan(0.05);
  await page.getByRole('option', { name: /Frontal_Sup_L/ }).click();
  await expect(page.getByTestId('events')).toContainText('label 3 Frontal_Sup_L');
  await expect(page.getByRole('option', { name: /Frontal_Sup_L/ })).toHaveAttribute('aria-selected', 'true');
});

test('a 2D oblique image shows in one in-plane view, rotated by its direction', async ({ page, request }) => {
  const pd = await loadSample(request, 'pd-oblique');
  await openScenario(page, 'oblique');
  await expect(page.locator('[data-view]')).toHaveCount(1);
  await expect(page.getByRole('button', { name: '2×2' })).toBeDisabled();
  const el = view(page, 'axial');
  const box = await el.boundingBox();
  const img = await decodePng(page, await el.screenshot({ path: `${shots}oblique-2d.png` }));
  expect(brightShare(img).share).toBeGreaterThan(0.05);
  const [W, L] = await windowLevel(page);
  const pairs = [];
  for (const [x, y] of samplePoints(box, 50, 3)) {
    await page.mouse.move(box.x + x, box.y + y);
    const r = await readout(page);
    if (!r.index) continue;
    const index = worldToIndex(pd.info.grid, r.world.slice(0, 2)).map(Math.round);
    expect(r.index).toEqual(index);
    expect(r.value).toBe(valueAt(pd, index));
    pairs.push([Math.min(255, Math.max(0, ((r.value - (L - W / 2)) / W) * 255)), pixelAt(img, x, y)[0]]);
  }
  expect(pairs.length).toBeGreaterThan(20);
  expect(correlation(pairs)).toBeGreaterThan(0.85);
});
