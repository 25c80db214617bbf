// Slice layers that draw alike share one shader program.
//
// vtk.js's reslice mapper writes its own modification time into its vertex shader (a comment,
// `//<mtime><geometry key>`), so no two mappers ever share a program: every new slice layer in
// every new view compiled and linked its own, and on a CPU emulation of WebGL (SwiftShader) a
// new program's first draw costs far more than the draw itself. Switching to side-by-side made
// four views of two or three layers each; the second pane's slice views showed their pictures
// 290–310 ms apart, 1.2 s in all, and leaving it (the first pane taking the moving image's
// layers) 0.9 s. With the comment taken out, mappers whose shaders are the same find one program
// in the render window's shader cache (the root's, shared by every view): 0.47–0.55 s and
// 0.25 s, timed the same way (bench/README.md, stop 32).
//
// The comment is also what kept a program's uniforms the mapper's own. vtk.js sets some of them
// (sampler units, the world-to-texture matrices, slab settings) only when the mapper's geometry
// or program changed since it last set them. A program shared with another mapper may hold that
// mapper's values, so when a different mapper than the last one draws with it, its shader
// source time is touched: vtk.js then sets all of them again (and rebinds the attribute arrays,
// which depend on the program only). A mapper that draws after itself costs what it did.

import { registerOverride } from '@kitware/vtk.js/Rendering/OpenGL/ViewNodeFactory';
import { extend as extendResliceMapper } from '@kitware/vtk.js/Rendering/OpenGL/ImageResliceMapper';
import { newInstance as newVtkInstance } from '@kitware/vtk.js/macros';

/** `//` then the mapper's modification time (digits), then its geometry key, on a line of its own. */
const MODIFICATION_TIME_COMMENT = /^\/\/\d[^\n]*$/m;

/** The vertex shader without the mapper's modification-time comment. */
export function withoutModificationTime(vertexShader: string): string {
  return vertexShader.replace(MODIFICATION_TIME_COMMENT, '');
}

interface Shaders {
  Vertex: string;
  Fragment: string;
  Geometry: string;
}
interface CellBO {
  getProgram(): object | null;
  getShaderSourceTime(): { modified(): void };
}
interface ResliceMapperAPI {
  replaceShaderPositionVC(shaders: Shaders, renderer: unknown, actor: unknown): void;
  setMapperShaderParameters(cellBO: CellBO, renderer: unknown, actor: unknown): void;
}

/** Which mapper last set a program's mapper uniforms. */
const lastSetter = new WeakMap<object, ResliceMapperAPI>();

function sharedProgramResliceMapper(publicAPI: ResliceMapperAPI, model: { classHierarchy: string[] }): void {
  model.classHierarchy.push('vtkXiMorphResliceMapper');
  const replacePositionVC = publicAPI.replaceShaderPositionVC;
  publicAPI.replaceShaderPositionVC = (shaders, renderer, actor) => {
    replacePositionVC(shaders, renderer, actor);
    shaders.Vertex = withoutModificationTime(shaders.Vertex);
  };
  const setMapperShaderParameters = publicAPI.setMapperShaderParameters;
  publicAPI.setMapperShaderParameters = (cellBO, renderer, actor) => {
    const program = cellBO.getProgram();
    if (program) {
      if (lastSetter.get(program) !== publicAPI) cellBO.getShaderSourceTime().modified();
      lastSetter.set(program, publicAPI);
    }
    setMapperShaderParameters(cellBO, renderer, actor);
  };
}

function extend(publicAPI: object, model: object, initialValues: object = {}): void {
  extendResliceMapper(publicAPI, model, initialValues);
  sharedProgramResliceMapper(publicAPI as ResliceMapperAPI, model as { classHierarchy: string[] });
}

/** Every reslice mapper the viewer's WebGL scene makes from here on is one of these. */
registerOverride('vtkImageResliceMapper', newVtkInstance(extend, 'vtkXiMorphResliceMapper'));
