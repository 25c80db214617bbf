// ITK's HDF5 layout for a CompositeTransform: /TransformGroup/0 holds only the type
// "CompositeTransform_<precision>_D_D", and /TransformGroup/1.. hold its queue (the last is
// applied to points first). @itk-wasm/transform-io 0.1.1 writes the queue but drops the
// composite entry, and reads a composite file back as an empty composite; ANTs and Slicer
// then see separate transforms rather than one. It also writes float32 parameters as garbage.
// So .h5 files are written here with h5wasm, in ITK's layout, and composite files are read
// here, group by group.

import { open } from 'node:fs/promises';
import type { Dataset, Group } from 'h5wasm/node';
import type h5wasmModule from 'h5wasm/node';
import type { Transform as ItkTransform, TransformType } from 'itk-wasm';

type Parameterization = ConstructorParameters<typeof TransformType>[0];

/** ITK reads its strings as variable-length ASCII (C_S1); UTF-8 strings fail to convert. */
const asciiString = 'A';
const stringsOf = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

type H5wasm = typeof h5wasmModule;
let loading: Promise<H5wasm> | undefined;

/**
 * h5wasm reserves about 600 MB when it loads: load it only when a composite is read or written
 * (or is about to be: write-result-folder.ts starts it early), once per thread.
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
 * size (85 instead of 170 MB for a 1 mm brain) and a fifth of transform-io's time.
 */
export async function writeItkHdf5(list: readonly ItkTransform[], target: string): Promise<void> {
  const h5wasm = await loadH5wasm();
  const output = new h5wasm.File(target, 'w');
  try {
    const group = output.create_group('TransformGroup');
    for (const [i, t] of list.entries()) {
      const { transformParameterization: parameterization, inputDimension: d } = t.transformType;
      const entry = group.create_group(String(i));
      const single = t.parameters instanceof Float32Array;
      entry.create_dataset({ name: 'TransformType', data: [itkTypeName(parameterization, single ? 'float' : 'double', d)], dtype: asciiString });
      // A composite's entry is its type alone; its queue follows.
      if (parameterization === 'Composite') continue;
      const fixed = Float64Array.from(t.fixedParameters as ArrayLike<number>);
      entry.create_dataset({ name: 'TransformFixedParameters', data: fixed, shape: [fixed.length], dtype: '<d' });
      const parameters = single ? (t.parameters as Float32Array) : Float64Array.from(t.parameters as ArrayLike<number>);
      writeParameters(entry, parameters, single ? '<f' : '<d');
    }
  } finally {
    output.close();
  }
}

/**
 * Values per slice of a large dataset. h5wasm copies a dataset's values into its WebAssembly
 * heap before HDF5 writes them, and that heap never shrinks: a 1 mm brain's field (85 MB) grew
 * the process by about 90 MB at the end of every registration. A dataset larger than a slice
 * is therefore chunked (one chunk per slice) and written a slice at a time; its values are the
 * same, and HDF5 readers (ITK's, so ANTs and Slicer; h5py) read chunked datasets as any other.
 */
const sliceValues = 1 << 20;

function writeParameters(entry: Group, values: Float32Array | Float64Array, dtype: '<f' | '<d'): void {
  const n = values.length;
  if (n <= sliceValues) {
    entry.create_dataset({ name: 'TransformParameters', data: values, shape: [n], dtype });
    return;
  }
  const empty = new (values.constructor as new (n: number) => Float32Array | Float64Array)(0);
  const dataset = entry.create_dataset({ name: 'TransformParameters', data: empty, shape: [0], maxshape: [n], chunks: [sliceValues], dtype });
  dataset.resize([n]);
  for (let start = 0; start < n; start += sliceValues) {
    const end = Math.min(n, start + sliceValues);
    dataset.write_slice([[start, end]], values.subarray(start, end));
  }
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
  // itk-wasm's classes only here, where a file is read: the CLI's HDF5 thread, which writes
  // alone, then never loads itk-wasm (hdf5-thread-entry.ts).
  const { Transform: ItkTransform, TransformType } = await import('itk-wasm');
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
