// Reading rendered pixels out of screenshots: the end-to-end tests judge what a user sees.

import { expect, type Locator, type Page } from '@playwright/test';
import { PNG } from 'pngjs';

export interface PixelStats {
  width: number;
  height: number;
  /** Fraction of pixels brighter than the threshold (0..255 luminance). */
  brightFraction: number;
  meanLuminance: number;
  png: PNG;
}

export function luminanceAt(png: PNG, x: number, y: number): number {
  const i = (png.width * y + x) * 4;
  return 0.299 * png.data[i] + 0.587 * png.data[i + 1] + 0.114 * png.data[i + 2];
}

export function rgbAt(png: PNG, x: number, y: number): [number, number, number] {
  const i = (png.width * y + x) * 4;
  return [png.data[i], png.data[i + 1], png.data[i + 2]];
}

export function statsOf(png: PNG, threshold = 40): PixelStats {
  let bright = 0;
  let sum = 0;
  for (let y = 0; y < png.height; y++)
    for (let x = 0; x < png.width; x++) {
      const l = luminanceAt(png, x, y);
      sum += l;
      if (l > threshold) bright++;
    }
  const n = png.width * png.height;
  return { width: png.width, height: png.height, brightFraction: bright / n, meanLuminance: sum / n, png };
}

/**
 * Until every view inside `scope` shows its latest picture: a view is aria-busy from its draw
 * until its picture reaches its canvas, a few tasks later where WebGL is a CPU emulation
 * (render-surface.ts).
 */
async function picturesShown(scope: Locator): Promise<void> {
  await expect(scope.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 60_000 });
}

/** A screenshot of `locator` once its views show their latest pictures. */
export async function viewShot(locator: Locator): Promise<Buffer> {
  await picturesShown(locator);
  return locator.screenshot();
}

/** The whole page for the docs, once every view on it shows its latest picture. */
export async function pageShot(page: Page, path: string): Promise<void> {
  await picturesShown(page.locator('[data-view]'));
  await page.screenshot({ path });
}

export async function screenshotStats(locator: Locator, threshold = 40): Promise<PixelStats> {
  return statsOf(PNG.sync.read(await viewShot(locator)), threshold);
}

/** Fraction of pixels whose luminance differs by more than `tolerance` between two shots of one element. */
export function changedFraction(a: PNG, b: PNG, tolerance = 20): number {
  if (a.width !== b.width || a.height !== b.height) return 1;
  let changed = 0;
  for (let y = 0; y < a.height; y++)
    for (let x = 0; x < a.width; x++) if (Math.abs(luminanceAt(a, x, y) - luminanceAt(b, x, y)) > tolerance) changed++;
  return changed / (a.width * a.height);
}

/** Pixels within `tolerance` (per channel) of a colour: a curve drawn in it, say. */
export function countNear(png: PNG, [r, g, b]: readonly [number, number, number], tolerance = 40): number {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4)
    if (Math.abs(png.data[i] - r) <= tolerance && Math.abs(png.data[i + 1] - g) <= tolerance && Math.abs(png.data[i + 2] - b) <= tolerance) n++;
  return n;
}

/** Distinct colours once each channel is quantized to `levels` steps. */
export function distinctColours(png: PNG, levels = 8): number {
  const q = (v: number) => Math.min(levels - 1, Math.floor((v / 256) * levels));
  const seen = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4) seen.add((q(png.data[i]) * levels + q(png.data[i + 1])) * levels + q(png.data[i + 2]));
  return seen.size;
}
