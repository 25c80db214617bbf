// Helpers for the viewer's end-to-end checks: scenarios, readouts, pixels of screenshots,
// and the sample images' grids (to compute what the readout must say).
/* global createImageBitmap, document, OffscreenCanvas, requestAnimationFrame */
import { expect } from '@playwright/test';

export async function openScenario(page, scenario) {
  await page.goto(`./?scenario=${scenario}`);
  // Some scenarios resample a whole brain in the page first: on a busy 2-core machine that
  // takes longer than the default wait.
  await expect(page.locator('[data-ready="true"]')).toBeVisible({ timeout: 120_000 });
  await expect(page.locator('[data-view] canvas').first()).toBeVisible();
  await settle(page);
}

/**
 * Lets pending frames render (SwiftShader is slow, and renders are coalesced per frame): until
 * no view is busy (a view's picture reaches its canvas a few tasks after its draw, once the
 * GPU is done), then `ms` more.
 */
export async function settle(page, ms = 700) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForFunction(() => !document.querySelector('[data-view] [aria-busy="true"]'), undefined, { timeout: 60_000 });
  await page.waitForTimeout(ms);
}

export const view = (page, name, pane = 'primary') => page.locator(`[data-view="${name}"][data-pane="${pane}"]`);

export async function readout(page) {
  const el = page.getByTestId('readout');
  const attr = async (n) => (await el.getAttribute(n)) ?? '';
  const nums = (s) => (s ? s.split(',').map(Number) : null);
  return {
    world: nums(await attr('data-world')),
    index: nums(await attr('data-index')),
    value: (await attr('data-value')) === '' ? null : Number(await attr('data-value')),
    label: await attr('data-label'),
    labelValue: (await attr('data-label-value')) === '' ? null : Number(await attr('data-label-value')),
    source: await attr('data-source'),
  };
}

/** RGBA pixels of a PNG screenshot, decoded by the browser. */
export async function decodePng(page, png) {
  const base64 = await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let s = '';
    for (let i = 0; i < data.length; i += 0x8000) s += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return JSON.stringify([bitmap.width, bitmap.height, btoa(s)]);
  }, png.toString('base64'));
  const [width, height, b64] = JSON.parse(base64);
  return { width, height, data: Buffer.from(b64, 'base64') };
}

export function pixelAt(img, x, y) {
  const i = (Math.round(y) * img.width + Math.round(x)) * 4;
  return [img.data[i], img.data[i + 1], img.data[i + 2]];
}

/** Share of pixels brighter than `threshold` (max of R, G, B), and their mean brightness. */
export function brightShare(img, threshold = 40) {
  let n = 0;
  let sum = 0;
  let total = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    const v = Math.max(img.data[i], img.data[i + 1], img.data[i + 2]);
    total += (img.data[i] + img.data[i + 1] + img.data[i + 2]) / 3;
    if (v > threshold) {
      n++;
      sum += v;
    }
  }
  const count = img.data.length / 4;
  return { share: n / count, meanBright: n ? sum / n : 0, mean: total / count };
}

export async function loadSample(request, name) {
  const info = await (await request.get(`data/${name}.json`)).json();
  const raw = await (await request.get(`data/${name}.raw`)).body();
  const TypedArray = { uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, float32: Float32Array }[info.componentType];
  return { info, pixels: new TypedArray(raw.buffer, raw.byteOffset, raw.byteLength / TypedArray.BYTES_PER_ELEMENT) };
}

/** Our grid convention: world = origin + D·diag(spacing)·index, D row-major. */
export function worldToIndex(grid, world) {
  const d = grid.size.length;
  const rel = grid.origin.map((o, r) => world[r] - o);
  // D is orthonormal for these samples: D⁻¹ = Dᵀ.
  return grid.size.map((_, c) => {
    let s = 0;
    for (let r = 0; r < d; r++) s += grid.direction[r * d + c] * rel[r];
    return s / grid.spacing[c];
  });
}

export function valueAt(sample, index) {
  let li = 0;
  for (let a = index.length - 1; a >= 0; a--) li = li * sample.info.grid.size[a] + index[a];
  return sample.pixels[li];
}

/** The generated palette's colour for a label value (mirrors label-table.ts). */
export function generatedLabelColor(value) {
  const h = (((value * 0.6180339887498949) % 1) + 1) % 1;
  const s = [0.75, 0.55, 0.9][Math.abs(value) % 3];
  const v = [0.95, 0.8][Math.abs(value) % 2];
  const f = (n) => {
    const k = (n + h * 6) % 6;
    return v - v * s * Math.max(0, Math.min(k, 4 - k, 1));
  };
  return [f(5), f(3), f(1)].map((c) => Math.round(c * 255));
}

export async function liveSurfaces(page) {
  return Number(await page.locator('[data-live-surfaces]').getAttribute('data-live-surfaces'));
}


/**
 * Records the page's CSP violations, across reloads: the harness runs under the app's policy,
 * so a violation here is a style, script or source the app itself would have blocked.
 */
export async function watchPolicyViolations(page) {
  const violations = [];
  await page.exposeBinding('reportPolicyViolation', (_source, line) => void violations.push(line));
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) =>
      globalThis.reportPolicyViolation(`${e.effectiveDirective} blocked ${e.blockedURI || 'an inline resource'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`),
    ),
  );
  return violations;
}
