// Markers in the 3D view as spheres, drawn in a layer above the volume with its camera: a
// match lies inside the anatomy, where the volume rendering would hide it.

import '@kitware/vtk.js/Rendering/OpenGL/Actor';
import '@kitware/vtk.js/Rendering/OpenGL/PolyDataMapper';
import vtkSphereSource from '@kitware/vtk.js/Filters/Sources/SphereSource';
import vtkActor from '@kitware/vtk.js/Rendering/Core/Actor';
import vtkMapper from '@kitware/vtk.js/Rendering/Core/Mapper';
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer';
import { rgbOf, type ViewerMarker } from '../markers';
import type { RenderSurface } from './render-surface';

/** A marker without a radius: small and solid. */
const SOLID_RADIUS_MM = 2.5;

interface Sphere {
  readonly source: ReturnType<typeof vtkSphereSource.newInstance>;
  readonly mapper: ReturnType<typeof vtkMapper.newInstance>;
  readonly actor: ReturnType<typeof vtkActor.newInstance>;
}

export class MarkerSpheres {
  readonly #surface: RenderSurface;
  readonly #layer = vtkRenderer.newInstance();
  #spheres: Sphere[] = [];

  constructor(surface: RenderSurface) {
    this.#surface = surface;
    this.#layer.setLayer(1);
    this.#layer.setInteractive(false);
    this.#layer.setActiveCamera(surface.renderer.getActiveCamera());
    surface.renderWindow.setNumberOfLayers(2);
    surface.renderWindow.addRenderer(this.#layer);
  }

  /** One sphere per marker, reusing the ones there are. */
  set(markers: readonly ViewerMarker[]): void {
    while (this.#spheres.length < markers.length) this.#spheres.push(this.#newSphere());
    while (this.#spheres.length > markers.length) this.#deleteSphere(this.#spheres.pop()!);
    markers.forEach((m, i) => {
      const { source, actor } = this.#spheres[i];
      const translucent = m.radiusMm !== undefined;
      source.setCenter(m.point[0], m.point[1], m.point[2]);
      source.setRadius(translucent ? Math.max(1, m.radiusMm!) : SOLID_RADIUS_MM);
      const property = actor.getProperty();
      property.setColor(...rgbOf(m.color));
      property.setOpacity(translucent ? 0.35 : 1);
    });
  }

  dispose(): void {
    for (const s of this.#spheres) this.#deleteSphere(s);
    this.#spheres = [];
    this.#surface.renderWindow.removeRenderer(this.#layer);
    this.#layer.delete();
  }

  #newSphere(): Sphere {
    const source = vtkSphereSource.newInstance({ thetaResolution: 24, phiResolution: 16 });
    const mapper = vtkMapper.newInstance();
    mapper.setInputConnection(source.getOutputPort());
    const actor = vtkActor.newInstance();
    actor.setMapper(mapper);
    this.#layer.addActor(actor);
    return { source, mapper, actor };
  }

  #deleteSphere(s: Sphere): void {
    this.#layer.removeActor(s.actor);
    s.actor.getProperty().delete();
    s.actor.delete();
    s.mapper.delete();
    s.source.delete();
  }
}
