// A synthetic test image with known geometry, and ways to find what it shows in a view's
// pixels and to drag in a view, for the measurement and manual-alignment tests.

import type { Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { rgbAt, viewShot } from './pixels';

// 160 × 120 voxels of 0.5 × 1.25 mm, rotated 30°: marks at voxels (40, 30) and (120, 90) lie
// hypot(80 · 0.5, 60 · 1.25) = 85 mm apart whatever the rotation; a disc of value 150; a ramp
// of 1..100 elsewhere.
export const size = [160, 120];
export const spacing = [0.5, 1.25];
export const marks = [
  [40, 30],
  [120, 90],
];
export const knownDistanceMm = Math.hypot((marks[1][0] - marks[0][0]) * spacing[0], (marks[1][1] - marks[0][1]) * spacing[1]);
export const disc = { centre: [110, 40], radiusMm: 12, value: 150 };

export function writeTestImage(file: string): void {
  const pixels = new Float32Array(size[0] * size[1]);
  for (let j = 0; j < size[1]; j++)
    for (let i = 0; i < size[0]; i++) {
      const inDisc = Math.hypot((i - disc.centre[0]) * spacing[0], (j - disc.centre[1]) * spacing[1]) <= disc.radiusMm;
      const onMark = marks.some(([mi, mj]) => Math.abs(i - mi) <= 1 && Math.abs(j - mj) <= 1);
      // A ramp around them: a float image, never taken for a label map.
      pixels[i + size[0] * j] = onMark ? 255 : inDisc ? disc.value : 1 + (99 * (i + j)) / (size[0] + size[1]);
    }
  const [c, s] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
  const header = [
    'ObjectType = Image',
    'NDims = 2',
    'BinaryData = True',
    'BinaryDataByteOrderMSB = False',
    'CompressedData = False',
    `TransformMatrix = ${c} ${s} ${-s} ${c}`,
    'Offset = 10 -20',
    `ElementSpacing = ${spacing.join(' ')}`,
    `DimSize = ${size.join(' ')}`,
    'ElementType = MET_FLOAT',
    'ElementDataFile = LOCAL',
    '',
  ].join('\n');
  writeFileSync(file, Buffer.concat([Buffer.from(header), Buffer.from(pixels.buffer)]));
}

/** Centroids (page px) of the pixels a test picks out of the axial view. */
export async function findInView(page: Page, pick: (rgb: [number, number, number]) => boolean, joinPx = 25): Promise<{ x: number; y: number; count: number }[]> {
  const view = page.locator('[data-view="axial"]');
  const box = (await view.boundingBox())!;
  const png = PNG.sync.read(await viewShot(view));
  const clusters: { sx: number; sy: number; count: number }[] = [];
  for (let y = 0; y < png.height; y++)
    for (let x = 0; x < png.width; x++) {
      if (!pick(rgbAt(png, x, y))) continue;
      // Pixels within `joinPx` of a cluster's running centre join it.
      const near = clusters.find((k) => Math.hypot(k.sx / k.count - x, k.sy / k.count - y) < joinPx);
      if (near) {
        near.sx += x;
        near.sy += y;
        near.count++;
      } else clusters.push({ sx: x, sy: y, count: 1 });
    }
  const scale = png.width / box.width;
  return clusters.filter((k) => k.count > 3).map((k) => ({ x: box.x + k.sx / k.count / scale, y: box.y + k.sy / k.count / scale, count: k.count / scale / scale }));
}

export const neutral = ([r, g, b]: [number, number, number]) => Math.max(r, g, b) - Math.min(r, g, b) < 12;

export async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await page.mouse.up();
}

