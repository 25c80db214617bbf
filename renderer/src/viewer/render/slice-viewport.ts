// A slice view's renderer: its layers cut by one world-space plane, seen through a parallel
// camera set from the pure SliceCamera. Components drive it with setViewport, setCamera and
// setLayers; each call only touches what changed and asks for one coalesced render.

import vtkPlane from '@kitware/vtk.js/Common/DataModel/Plane';
import type { ScalarImage } from '../../../../shared/image/voxel-image';
import { checkerboardTiles, curtainRegion } from '../compare-regions';
import { worldBoundingBox } from '../grid-view';
import type { SliceLayerSpec } from '../render-spec';
import { screenToWorld, type SliceCamera } from '../slice-camera';
import type { Vec3, Viewport } from '../view-types';
import { addScaled, dot } from '../vec3';
import { VtkImageCache } from './image-data';
import { RenderSurface } from './render-surface';
import { SliceLayerActor } from './slice-layers';

/** Camera distance from the plane; parallel projection makes it matter only for clipping. */
const CAMERA_DISTANCE = 4000;

export class SliceViewport {
  readonly #surface: RenderSurface;
  readonly #images = new VtkImageCache();
  readonly #plane = vtkPlane.newInstance();
  /** In draw order, bottom first. */
  #layers = new Map<string, SliceLayerActor>();
  #camera: SliceCamera | null = null;
  #planeOrigin: Vec3 | null = null;
  #viewport: Viewport = { width: 1, height: 1 };

  constructor(container: HTMLElement) {
    this.#surface = new RenderSurface(container);
  }

  get canvas(): HTMLCanvasElement {
    return this.#surface.canvas;
  }

  setViewport(viewport: Viewport): void {
    this.#viewport = viewport;
    this.#surface.setSize(viewport.width, viewport.height);
    this.#updateRegions();
  }

  /** Places the camera and the slice plane (through `planePoint`, facing the camera). */
  setCamera(camera: SliceCamera, planePoint: readonly number[]): void {
    const origin = addScaled(camera.focal, camera.normal, dot(planePoint, camera.normal) - dot(camera.focal, camera.normal));
    const prev = this.#camera;
    const samePlane = this.#planeOrigin !== null && origin.every((v, i) => v === this.#planeOrigin![i]);
    const sameFraming =
      prev !== null && prev.parallelScale === camera.parallelScale && prev.focal.every((v, i) => v === camera.focal[i]) && prev.normal === camera.normal;
    // Paging one view moves the crosshair in all; the others' pictures do not change.
    if (samePlane && sameFraming) return;
    this.#camera = camera;
    this.#planeOrigin = origin;
    this.#plane.setOrigin(origin[0], origin[1], origin[2]);
    this.#plane.setNormal(camera.normal[0], camera.normal[1], camera.normal[2]);
    const vtkCamera = this.#surface.renderer.getActiveCamera();
    vtkCamera.setParallelProjection(true);
    const position = addScaled(camera.focal, camera.normal, CAMERA_DISTANCE);
    vtkCamera.setFocalPoint(camera.focal[0], camera.focal[1], camera.focal[2]);
    vtkCamera.setPosition(position[0], position[1], position[2]);
    vtkCamera.setViewUp(camera.up[0], camera.up[1], camera.up[2]);
    vtkCamera.setParallelScale(camera.parallelScale);
    vtkCamera.setClippingRange(1, 2 * CAMERA_DISTANCE);
    this.#updateRegions();
    this.#surface.requestRender();
  }

  setLayers(specs: readonly SliceLayerSpec[]): void {
    const old = this.#layers;
    const next = new Map<string, SliceLayerActor>();
    specs.forEach((spec, order) => {
      const existing = old.get(spec.key);
      if (existing?.accepts(spec)) {
        existing.update(spec, order);
        next.set(spec.key, existing);
      } else next.set(spec.key, new SliceLayerActor(spec, order, this.#plane, this.#images));
    });
    const renderer = this.#surface.renderer;
    const kept = new Set(next.values());
    for (const actor of old.values())
      if (!kept.has(actor)) {
        renderer.removeViewProp(actor.actor);
        actor.delete();
      }
    // Re-adding in order keeps the draw order equal to the layer order.
    const oldOrder = [...old.values()].filter((a) => kept.has(a));
    const newOrder = [...next.values()];
    if (oldOrder.length !== newOrder.length || newOrder.some((a, i) => a !== oldOrder[i])) {
      for (const a of newOrder) renderer.removeViewProp(a.actor);
      for (const a of newOrder) renderer.addViewProp(a.actor);
    }
    this.#layers = next;
    this.#images.retainOnly(new Set<ScalarImage>(newOrder.flatMap((a) => a.images())));
    this.#updateRegions();
    this.#surface.requestRender();
  }

  /** Draws now rather than at the next frame: screenshots and tests. */
  renderNow(): void {
    this.#surface.renderNow();
  }

  dispose(): void {
    for (const a of this.#layers.values()) {
      this.#surface.renderer.removeViewProp(a.actor);
      a.delete();
    }
    this.#layers.clear();
    this.#images.dispose();
    this.#surface.dispose();
    this.#plane.delete();
  }

  #updateRegions(): void {
    const camera = this.#camera;
    if (!camera) return;
    const planePoint = this.#plane.getOrigin();
    for (const layer of this.#layers.values()) {
      const region = layer.regionSpec;
      if (!region) continue;
      const box = worldBoundingBox(layer.images()[0].grid);
      if (region.kind === 'checkerboard') layer.setRegion(checkerboardTiles(camera, planePoint, box, region.tileMm));
      else {
        const split = screenToWorld(camera, this.#viewport, region.fraction * this.#viewport.width, 0);
        layer.setRegion(curtainRegion(camera, planePoint, box, dot(split, camera.right)));
      }
    }
  }
}
