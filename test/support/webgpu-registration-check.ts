// Run in a process of its own, under SwiftShader (see webgpu-kernel-check.ts): one small 2D
// registration, the whole pipeline, on the webgpu backend and on the cpu backend. Every read
// back to the host must be asynchronous for it to finish at all on webgpu; the results should
// agree. Prints one JSON line per backend.

import { selectComputeBackend } from '../../main/engine/compute/backend';
import { readImageFile } from '../../main/engine/io';
import { registerImages } from '../../main/engine/registration/register-images';

const data = '/usr/share/doc/insighttoolkit5-examples/examples/Data/';
const fixed = (await readImageFile(data + 'BrainProtonDensitySliceBorder20.png')).image;
const moving = (await readImageFile(data + 'BrainProtonDensitySliceR10X13Y17.png')).image;
// Coarse and short, to keep a CPU emulation of a GPU within a test's time.
const overrides = {
  resolutionMm: 5,
  alignment: { iterations: [10, 10], rotationSearchDegrees: 15, rotationSearchStepDegrees: 15 },
  optimization: { levels: [{ controlDownsample: 2, iterations: 8 }] },
};
for (const backend of ['webgpu', 'cpu'] as const) {
  const info = await selectComputeBackend(backend);
  const result = await registerImages({ fixed, moving }, { ...overrides, backend });
  console.log(JSON.stringify({ backend: info.name, affine: result.affine.matrix, ...result.metrics }));
}
process.exit(0);
