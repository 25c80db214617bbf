// The 3D view: a volume rendering of one image with a trackball camera (left-drag rotates,
// wheel zooms, shift/middle-drag pans: vtk.js's own interactor, the only place it is used).

import vtkInteractorStyleTrackballCamera from '@kitware/vtk.js/Interaction/Style/InteractorStyleTrackballCamera';
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction';
import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction';
import vtkRenderWindowInteractor from '@kitware/vtk.js/Rendering/Core/RenderWindowInteractor';
import vtkVolume from '@kitware/vtk.js/Rendering/Core/Volume';
import vtkVolumeMapper from '@kitware/vtk.js/Rendering/Core/VolumeMapper';
import { boxCenter } from '../slice-camera';
import { worldBoundingBox } from '../grid-view';
import type { VolumeSpec } from '../render-spec';
import type { Viewport } from '../view-types';
import { windowRange } from '../window-level';
import { acquireVtkImage, releaseVtkImage, type VtkImage } from './image-data';
import { RenderSurface, softwareRendering } from './render-surface';
import { MarkerSpheres } from './marker-spheres';
import type { ViewerMarker } from '../markers';

export class VolumeViewport {
  readonly #surface: RenderSurface;
  readonly #interactor = vtkRenderWindowInteractor.newInstance();
  readonly #style = vtkInteractorStyleTrackballCamera.newInstance();
  readonly #volume = vtkVolume.newInstance();
  readonly #mapper = vtkVolumeMapper.newInstance();
  readonly #color = vtkColorTransferFunction.newInstance();
  readonly #opacity = vtkPiecewiseFunction.newInstance();
  #image: VolumeSpec['image'] | null = null;
  #data: VtkImage | null = null;
  #window: VolumeSpec['window'] | null = null;
  readonly #markers: MarkerSpheres;

  constructor(container: HTMLElement) {
    this.#surface = new RenderSurface(container, [0.05, 0.06, 0.08]);
    this.#markers = new MarkerSpheres(this.#surface);
    this.#interactor.setView(this.#surface.openGLRenderWindow);
    this.#interactor.initialize();
    this.#interactor.bindEvents(container);
    this.#interactor.setInteractorStyle(this.#style);
    this.#volume.setMapper(this.#mapper);
    const property = this.#volume.getProperty();
    property.setRGBTransferFunction(0, this.#color);
    property.setScalarOpacity(0, this.#opacity);
    property.setInterpolationTypeToLinear();
    // Shading takes the volume's gradient at every sample of every ray. On a CPU emulation of
    // WebGL (SwiftShader, llvmpipe) that made one render of the 1 mm brain 1.5 s, a frozen
    // page, against 0.2 s unshaded; opacity alone still shows the surface.
    property.setShade(!softwareRendering());
    property.setAmbient(0.25);
    property.setDiffuse(0.75);
    property.setSpecular(0.2);
  }

  setViewport(viewport: Viewport): void {
    this.#surface.setSize(viewport.width, viewport.height);
    this.#surface.requestRender();
  }

  setVolume(spec: VolumeSpec | null): void {
    const sameWindow = spec && this.#window && spec.window.window === this.#window.window && spec.window.level === this.#window.level;
    if (spec?.image === this.#image && (spec === null || sameWindow)) return;
    this.#window = spec?.window ?? null;
    const renderer = this.#surface.renderer;
    if (spec?.image !== this.#image) {
      if (this.#data) {
        renderer.removeVolume(this.#volume);
        releaseVtkImage(this.#image!);
        this.#data = null;
      }
      this.#image = spec?.image ?? null;
      if (spec) {
        this.#data = acquireVtkImage(spec.image);
        this.#mapper.setInputData(this.#data);
        const spacing = Math.min(...this.#data.getSpacing());
        this.#mapper.setSampleDistance(Math.max(0.5, spacing));
        this.#volume.getProperty().setScalarOpacityUnitDistance(0, 2 * spacing);
        renderer.addVolume(this.#volume);
        this.resetCamera();
      }
    }
    if (spec) {
      // Grey ramp over the window; transparent below its lower quarter so that background
      // and noise vanish, and tissue builds up to mostly opaque at the top.
      const [lo, hi] = windowRange(spec.window);
      this.#color.removeAllPoints();
      this.#color.addRGBPoint(lo, 0, 0, 0);
      this.#color.addRGBPoint(hi, 1, 1, 1);
      this.#opacity.removeAllPoints();
      this.#opacity.addPoint(lo, 0);
      this.#opacity.addPoint(lo + 0.25 * (hi - lo), 0);
      this.#opacity.addPoint(hi, 0.8);
    }
    this.#surface.requestRender();
  }

  setMarkers(markers: readonly ViewerMarker[]): void {
    this.#markers.set(markers);
    this.#surface.requestRender();
  }

  /** Seen from the front (anterior), superior up: patient right on screen left. */
  resetCamera(): void {
    if (!this.#image) return;
    const box = worldBoundingBox(this.#image.grid);
    const c = boxCenter(box);
    const radius = 0.5 * Math.hypot(box.max[0] - box.min[0], box.max[1] - box.min[1], box.max[2] - box.min[2]);
    const camera = this.#surface.renderer.getActiveCamera();
    camera.setFocalPoint(c[0], c[1], c[2]);
    camera.setPosition(c[0], c[1] - 4 * radius, c[2]);
    camera.setViewUp(0, 0, 1);
    camera.setViewAngle(30);
    this.#surface.renderer.resetCameraClippingRange();
    this.#surface.requestRender();
  }

  /** Draws now rather than at the next frame: screenshots. */
  renderNow(): void {
    this.#surface.renderNow();
  }

  dispose(): void {
    this.#interactor.unbindEvents();
    this.#interactor.delete();
    this.#style.delete();
    this.#surface.renderer.removeVolume(this.#volume);
    this.#volume.delete();
    this.#mapper.delete();
    if (this.#data) releaseVtkImage(this.#image!);
    this.#markers.dispose();
    this.#surface.dispose();
  }
}
