// Converts the Debian sample images into the viewer harness's raw format: <name>.json holds an
// ImageInfo-like description (grid, labels, percentiles) and <name>.raw the pixels, x fastest.
// Run from the repository root: node renderer/dev/scripts/convert-data.mjs [--force]
// The viewer's e2e run starts with it. It converts only when this script or a source file
// changed since the last conversion (a stamp records both), so a run on converted data costs
// nothing; --force converts anyway.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const outDir = fileURLToPath(new URL('../public/data/', import.meta.url));
const mricron = '/usr/share/mricron/templates/';
const itkData = '/usr/share/doc/insighttoolkit5-examples/examples/Data/';
const sources = [
  `${mricron}ch2bet.nii.gz`,
  `${mricron}aal.nii.gz`,
  `${mricron}aal.nii.txt`,
  `${mricron}aal.nii.lut`,
  `${itkData}BrainProtonDensitySliceBorder20DirectionPlus30.nhdr`,
  `${itkData}BrainProtonDensitySliceBorder20DirectionPlus30.raw`,
  `${itkData}RatLungSlice1.mha`,
];
const outputs = ['ch2bet', 'aal', 'ch2bet-oblique', 'aal-nocolor', 'pd-oblique', 'ratlung'];
const stampFile = `${outDir}conversion-stamp`;

function fingerprint() {
  const hash = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url)));
  for (const source of sources) {
    const { size, mtimeMs } = statSync(source);
    hash.update(`${source} ${size} ${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

const stamp = fingerprint();
const converted =
  existsSync(stampFile) &&
  readFileSync(stampFile, 'utf8') === stamp &&
  outputs.every((name) => existsSync(`${outDir}${name}.json`) && existsSync(`${outDir}${name}.raw`));
if (converted && !process.argv.includes('--force')) {
  console.log(`sample data in ${outDir} is up to date`);
  process.exit(0);
}
// Loaded only when there is something to convert.
const { readImageNode } = await import('@itk-wasm/image-io');

const componentTypes = {
  Uint8Array: 'uint8', Int8Array: 'int8', Uint16Array: 'uint16', Int16Array: 'int16',
  Uint32Array: 'uint32', Int32Array: 'int32', Float32Array: 'float32', Float64Array: 'float64',
};

function percentiles(pixels, which) {
  const stride = Math.max(1, Math.floor(pixels.length / 200000));
  const sample = [];
  for (let i = 0; i < pixels.length; i += stride) if (pixels[i] !== 0 && Number.isFinite(pixels[i])) sample.push(pixels[i]);
  sample.sort((a, b) => a - b);
  return which.map((p) => (sample.length ? sample[Math.round((p / 100) * (sample.length - 1))] : 0));
}

function range(pixels) {
  let min = Infinity, max = -Infinity;
  for (const v of pixels) { if (v < min) min = v; if (v > max) max = v; }
  return { min, max };
}

/**
 * MRIcron label tables: "<voxel value> <name> <atlas code>" a line, and optionally a .lut of
 * 256 reds, 256 greens, 256 blues (0..255).
 */
function readLabelNames(path, lutPath) {
  const lut = lutPath ? readFileSync(lutPath) : null;
  return readFileSync(path, 'utf8').split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 2)
    .map(([value, name]) => {
      const v = Number(value);
      return { value: v, name, ...(lut ? { color: [lut[v], lut[256 + v], lut[512 + v]] } : {}) };
    });
}

async function convert(path, name, role, labelsPath, lutPath, regrid) {
  const image = await readImageNode(path);
  if (regrid) Object.assign(image, regrid(image));
  const d = image.imageType.dimension;
  // itk-wasm's direction is row-major like ours (checked on the +30° NRRD: column 0 = axis 0).
  const direction = [...image.direction].slice(0, d * d);
  const pixels = image.data;
  const [p1, p50, p99] = percentiles(pixels, [1, 50, 99]);
  const info = {
    id: name, name, source: path, format: 'raw', role,
    grid: { size: [...image.size], spacing: [...image.spacing], origin: [...image.origin], direction },
    componentType: componentTypes[pixels.constructor.name], pixelType: 'Scalar', components: 1,
    range: range(pixels), percentiles: { p1, p50, p99 }, nonFinite: 0, warnings: [],
    ...(labelsPath ? { labels: readLabelNames(labelsPath, lutPath) } : {}),
  };
  writeFileSync(`${outDir}${name}.json`, JSON.stringify(info, null, 1));
  writeFileSync(`${outDir}${name}.raw`, Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength));
  console.log(name, info.grid.size.join('x'), info.componentType, JSON.stringify(info.grid.direction));
}

mkdirSync(outDir, { recursive: true });
await convert(`${mricron}ch2bet.nii.gz`, 'ch2bet', 'intensity');
await convert(`${mricron}aal.nii.gz`, 'aal', 'labels', `${mricron}aal.nii.txt`, `${mricron}aal.nii.lut`);
// The same voxels declared on an oblique, anisotropic grid: a geometry test, not anatomy.
const rotation = (ax, az) => {
  const [ca, sa, cz, sz] = [Math.cos(ax), Math.sin(ax), Math.cos(az), Math.sin(az)];
  const rx = [1, 0, 0, 0, ca, -sa, 0, sa, ca];
  const rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  const mul = (a, b) => a.map((_, i) => [0, 1, 2].reduce((s, k) => s + a[Math.floor(i / 3) * 3 + k] * b[k * 3 + (i % 3)], 0));
  return mul(rz, rx);
};
await convert(`${mricron}ch2bet.nii.gz`, 'ch2bet-oblique', 'intensity', undefined, undefined, (image) => {
  const r = rotation((25 * Math.PI) / 180, (10 * Math.PI) / 180);
  const d = [...image.direction];
  const direction = r.map((_, i) => [0, 1, 2].reduce((s, k) => s + r[Math.floor(i / 3) * 3 + k] * d[k * 3 + (i % 3)], 0));
  return { direction: Float64Array.from(direction), spacing: Float64Array.from([1, 1.3, 0.8]) };
});
// The same atlas without colours, to exercise the generated palette.
await convert(`${mricron}aal.nii.gz`, 'aal-nocolor', 'labels', `${mricron}aal.nii.txt`);
await convert(`${itkData}BrainProtonDensitySliceBorder20DirectionPlus30.nhdr`, 'pd-oblique', 'intensity');
await convert(`${itkData}RatLungSlice1.mha`, 'ratlung', 'intensity');
// Last, so that an interrupted conversion is redone next time.
writeFileSync(stampFile, stamp);
