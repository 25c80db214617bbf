// Orientation conventions, the slice camera's screen ↔ world mapping, and grid stepping.

import { describe, expect, it } from 'vitest';
import type { ImageGrid } from '../../../shared/geometry/grid';
import { indexToWorld, worldToIndex } from '../../../shared/geometry/grid';
import { edgeLetters, sliceBasis } from '../../../renderer/src/viewer/orientation';
import { fitParallelScale, panBy, screenToWorld, sliceCamera, worldToScreen, zoomAbout } from '../../../renderer/src/viewer/slice-camera';
import { centralVoxelWorld, embedGrid3D, sliceStep, stepSlice, voxelAt, worldBoundingBox } from '../../../renderer/src/viewer/grid-view';
import { SLICE_ORIENTATIONS, type WorldBox } from '../../../renderer/src/viewer/view-types';
import { cross } from '../../../renderer/src/viewer/vec3';

const ch2bet: ImageGrid = { size: [181, 217, 181], spacing: [1, 1, 1], origin: [90, 125, -71], direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1] };
const rot30z = (() => {
  const c = Math.cos(Math.PI / 6);
  const s = Math.sin(Math.PI / 6);
  return [c, -s, 0, s, c, 0, 0, 0, 1];
})();
const viewport = { width: 400, height: 300 };

describe('radiological orientation', () => {
  it('every view is right-handed: right × up points at the viewer', () => {
    for (const o of SLICE_ORIENTATIONS) {
      const b = sliceBasis(o);
      expect(cross(b.right, b.up)).toEqual(b.normal);
    }
  });

  it('puts patient right on screen left in axial and coronal, anterior left in sagittal', () => {
    expect(edgeLetters('axial')).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
    expect(edgeLetters('coronal')).toEqual({ left: 'R', right: 'L', top: 'S', bottom: 'I' });
    expect(edgeLetters('sagittal')).toEqual({ left: 'A', right: 'P', top: 'S', bottom: 'I' });
  });

  it('views axial from the feet, coronal from the front, sagittal from the patient left', () => {
    expect(sliceBasis('axial').normal).toEqual([0, 0, -1]);
    expect(sliceBasis('coronal').normal).toEqual([0, -1, 0]);
    expect(sliceBasis('sagittal').normal).toEqual([1, 0, 0]);
  });
});

describe('slice camera', () => {
  const fov = worldBoundingBox(ch2bet);
  const crosshair = centralVoxelWorld(ch2bet);

  it('maps screen to world and back, on the plane through the crosshair', () => {
    for (const o of SLICE_ORIENTATIONS) {
      const cam = sliceCamera(o, crosshair, fov, { zoom: 2.5, pan: [7, -3] }, viewport);
      const p = screenToWorld(cam, viewport, 123.5, 77.25);
      const [x, y] = worldToScreen(cam, viewport, p);
      expect(x).toBeCloseTo(123.5, 9);
      expect(y).toBeCloseTo(77.25, 9);
      const axis = o === 'axial' ? 2 : o === 'coronal' ? 1 : 0;
      expect(p[axis]).toBeCloseTo(crosshair[axis], 9);
    }
  });

  it('fits the whole field of view at zoom 1', () => {
    for (const o of SLICE_ORIENTATIONS) {
      const cam = sliceCamera(o, crosshair, fov, { zoom: 1, pan: [0, 0] }, viewport);
      for (const corner of [fov.min, fov.max]) {
        const [x, y] = worldToScreen(cam, viewport, corner);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(viewport.width);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThanOrEqual(viewport.height);
      }
      expect(cam.parallelScale).toBeCloseTo(fitParallelScale(fov, cam, viewport), 9);
    }
  });

  it('zooms about the pointer: the world point under it stays under it', () => {
    const framing = { zoom: 1.3, pan: [4, 2] as const };
    const cam = sliceCamera('coronal', crosshair, fov, framing, viewport);
    const under = screenToWorld(cam, viewport, 300, 80);
    const zoomed = zoomAbout(framing, cam, viewport, 300, 80, 1.7);
    const cam2 = sliceCamera('coronal', crosshair, fov, zoomed, viewport);
    const [x, y] = worldToScreen(cam2, viewport, under);
    expect(zoomed.zoom).toBeCloseTo(1.3 * 1.7, 12);
    expect(x).toBeCloseTo(300, 9);
    expect(y).toBeCloseTo(80, 9);
  });

  it('pans with the pointer: what was under it moves with it', () => {
    const framing = { zoom: 2, pan: [0, 0] as const };
    const cam = sliceCamera('sagittal', crosshair, fov, framing, viewport);
    const under = screenToWorld(cam, viewport, 100, 100);
    const cam2 = sliceCamera('sagittal', crosshair, fov, panBy(framing, cam, viewport, 40, -25), viewport);
    const [x, y] = worldToScreen(cam2, viewport, under);
    expect(x).toBeCloseTo(140, 9);
    expect(y).toBeCloseTo(75, 9);
  });
});

describe('grids in the viewer', () => {
  it('bounds the voxels by their outer faces, whatever the direction', () => {
    const box = worldBoundingBox(ch2bet);
    expect(box.min).toEqual([-90.5, -91.5, -71.5]);
    expect(box.max).toEqual([90.5, 125.5, 109.5]);
  });

  it('embeds a 2D grid as a one-voxel slab in z = 0 with its in-plane direction', () => {
    const g2: ImageGrid = { size: [221, 257], spacing: [1, 1], origin: [0, 0], direction: [0.866, -0.5, 0.5, 0.866] };
    const g3 = embedGrid3D(g2);
    expect(g3.size).toEqual([221, 257, 1]);
    expect(g3.direction).toEqual([0.866, -0.5, 0, 0.5, 0.866, 0, 0, 0, 1]);
    expect(indexToWorld(g3, [10, 20, 0])).toEqual([...indexToWorld(g2, [10, 20]), 0]);
    const box: WorldBox = worldBoundingBox(g2);
    expect(box.min[2]).toBe(-0.5);
    expect(box.max[2]).toBe(0.5);
    expect(voxelAt(g2, [...indexToWorld(g2, [10, 20]), 0.2])).toEqual([10, 20]);
    expect(voxelAt(g2, [...indexToWorld(g2, [10, 20]), 0.7])).toBeNull();
  });

  it('pages one voxel along the view normal, using the spacing of the matching axis', () => {
    const aniso: ImageGrid = { size: [100, 100, 20], spacing: [0.5, 0.5, 3], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    expect(sliceStep(aniso, sliceBasis('axial').normal)).toBe(3);
    expect(sliceStep(aniso, sliceBasis('sagittal').normal)).toBe(0.5);
    const start = indexToWorld(aniso, [50, 50, 10]);
    // Into the screen in the axial view is superior (+z).
    expect(stepSlice(aniso, start, sliceBasis('axial').normal, -1)).toEqual([25, 25, 33]);
  });

  it('lands on voxel centres and stays inside the grid', () => {
    const g: ImageGrid = { size: [10, 10, 10], spacing: [2, 2, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const n = sliceBasis('axial').normal;
    expect(stepSlice(g, [3, 3, 4.7], n, -1)[2]).toBe(6);
    expect(stepSlice(g, [3, 3, 17], n, -5)[2]).toBe(18);
    expect(stepSlice(g, [3, 3, 1], n, 4)[2]).toBe(0);
  });

  it('steps plainly when the grid is oblique to the view', () => {
    const g: ImageGrid = { size: [10, 10, 10], spacing: [1, 1, 1], origin: [0, 0, 0], direction: rot30z };
    const n = sliceBasis('coronal').normal;
    const p = stepSlice(g, [1, 2, 3], n, 1);
    expect(p[1]).toBeCloseTo(1, 12);
    // The axial view still matches the oblique grid's z axis.
    expect(sliceStep(g, sliceBasis('axial').normal)).toBe(1);
  });

  it('finds the voxel under a world point of an oblique grid', () => {
    const g: ImageGrid = { size: [20, 20, 5], spacing: [0.7, 0.9, 2.5], origin: [5, -3, 1], direction: rot30z };
    const p = indexToWorld(g, [7.2, 11.8, 2.4]);
    expect(voxelAt(g, p)).toEqual([7, 12, 2]);
    expect(worldToIndex(g, indexToWorld(g, [3, 4, 1])).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([3, 4, 1]);
    expect(voxelAt(g, indexToWorld(g, [-0.6, 3, 3]))).toBeNull();
  });
});
