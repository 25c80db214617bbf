// The vtk.js OpenGL modules shared-reslice-programs.ts extends, which vtk.js ships without typings.

declare module '@kitware/vtk.js/Rendering/OpenGL/ViewNodeFactory' {
  /** Makes `className`'s scene-graph node with `newInstance` from now on. */
  export function registerOverride(className: string, newInstance: (initialValues?: object) => unknown): void;
}

declare module '@kitware/vtk.js/Rendering/OpenGL/ImageResliceMapper' {
  /** vtk.js's pattern for subclasses: adds the reslice mapper's methods and state to publicAPI and model. */
  export function extend(publicAPI: object, model: object, initialValues?: object): void;
}
