// ITK's HDF5 layout for a CompositeTransform: /TransformGroup/0 holds only the type
// "CompositeTransform_<precision>_D_D", and /TransformGroup/1.. hold its queue (the last is
// applied to points first). @itk-wasm/transform-io 0.1.1 writes the queue but drops the
// composite entry, and reads a composite file back as an empty composite; ANTs and Slicer
// then see separate transforms rather than one. It also writes float32 parameters as garbage.
// So .h5 files are written here in ITK's layout (hdf5-file-writer.ts), and composite files are
// read here with h5wasm, group by group.

import { open } from 'node:fs/promises';
import type { Dataset, Group } from 'h5wasm/node';
import type h5wasmModule from 'h5wasm/node';
import { Transform as ItkTransform, TransformType } from 'itk-wasm';
import type { Hdf5Group } from './hdf5-file-writer';
import { hdf5Floats, hdf5Group, hdf5Strings, writeHdf5File } from './hdf5-file-writer';

type Parameterization = ConstructorParameters<typeof TransformType>[0];

const stringsOf = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

type H5wasm = typeof h5wasmModule;
let loading: Promise<H5wasm> | undefined;

/**
 * h5wasm reserves about 600 MB when it loads: load it only when a composite is read, once per
 * thread.
 * HDF5 prints its error stack straight to file descriptor 2 (h5wasm's Node build writes to the
 * real stderr, past any console), so its throwing handler replaces the printing one: an error
 * becomes an exception carrying that text, which translateItkFailure turns into one line.
 */
export function loadH5wasm() {
  loading ??= (async () => {
    const h5wasm = (await import('h5wasm/node')).default;
    const module = await h5wasm.ready;
    module.activate_throwing_error_handler();
    return h5wasm;
  })();
  // A failed load is tried again by the next caller.
  loading.catch(() => (loading = undefined));
  return loading;
}

function datasetValue(group: Group, name: string): unknown {
  return (group.get(name) as Dataset | null)?.value;
}

/** ITK's name for a transform type, e.g. "DisplacementFieldTransform_float_3_3". */
const itkTypeName = (parameterization: string, precision: 'float' | 'double', dimension: number) => `${parameterization}Transform_${precision}_${dimension}_${dimension}`;

/**
 * Writes a transform list in ITK's HDF5 layout: one transform in /TransformGroup/0, or a
 * composite's marker there and its queue after it. Displacement fields are stored as float32,
 * the precision they are computed in: ITK reads them into its double transforms unchanged
 * (tested through ITK's own HDF5TransformIO, as antsApplyTransforms reads them), at half the
 * size (85 instead of 170 MB for a 1 mm brain). Written here (hdf5-file-writer.ts), not by
 * h5wasm: the file is a little structure around one float array.
 */
export async function writeItkHdf5(list: readonly ItkTransform[], target: string): Promise<void> {
  const entries: Record<string, Hdf5Group> = {};
  for (const [i, t] of list.entries()) {
    const { transformParameterization: parameterization, inputDimension: d } = t.transformType;
    const single = t.parameters instanceof Float32Array;
    const type = hdf5Strings(itkTypeName(parameterization, single ? 'float' : 'double', d));
    // A composite's entry is its type alone; its queue follows.
    entries[String(i)] =
      parameterization === 'Composite'
        ? hdf5Group({ TransformType: type })
        : hdf5Group({
            TransformType: type,
            TransformFixedParameters: hdf5Floats(Float64Array.from(t.fixedParameters as ArrayLike<number>)),
            TransformParameters: hdf5Floats(single ? (t.parameters as Float32Array) : Float64Array.from(t.parameters as ArrayLike<number>)),
          });
  }
  await writeHdf5File(target, hdf5Group({ TransformGroup: hdf5Group(entries) }));
}

/** ITK type names like "DisplacementFieldTransform_float_3_3" → itk-wasm's parameterization. */
function parameterizationOf(typeName: string): Parameterization {
  const base = typeName.replace(/Transform_(double|float)_\d+_\d+$/, '');
  return (base === 'MatrixOffset' ? 'Affine' : base) as Parameterization;
}

const hdf5Signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

async function isHdf5(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(8), 0, 8, 0);
    return bytesRead === 8 && hdf5Signature.every((b, i) => buffer[i] === b);
  } finally {
    await handle.close();
  }
}

/** The queue of a composite .h5, or null when the file is not a composite (or not HDF5 at all). */
export async function readCompositeQueue(file: string): Promise<ItkTransform[] | null> {
  if (!(await isHdf5(file))) return null;
  const h5wasm = await loadH5wasm();
  const source = new h5wasm.File(file, 'r');
  try {
    const group = source.get('TransformGroup') as Group | null;
    if (!group) return null;
    const first = stringsOf(datasetValue(group.get('0') as Group, 'TransformType'))[0] ?? '';
    if (!first.startsWith('CompositeTransform')) return null;
    const queue: ItkTransform[] = [];
    for (let i = 1; i < group.keys().length; i++) {
      const entry = group.get(String(i)) as Group;
      const typeName = stringsOf(datasetValue(entry, 'TransformType'))[0];
      const dimension = Number(/_(\d+)_\d+$/.exec(typeName)?.[1] ?? 3);
      const t = new ItkTransform(new TransformType(parameterizationOf(typeName), 'float64', dimension, dimension));
      t.fixedParameters = Float64Array.from(datasetValue(entry, 'TransformFixedParameters') as ArrayLike<number>);
      t.parameters = Float64Array.from(datasetValue(entry, 'TransformParameters') as ArrayLike<number>);
      t.numberOfFixedParameters = t.fixedParameters.length;
      t.numberOfParameters = t.parameters.length;
      queue.push(t);
    }
    return queue;
  } finally {
    source.close();
  }
}
