// ITK's HDF5 layout for a CompositeTransform: /TransformGroup/0 holds only the type
// "CompositeTransform_<precision>_D_D", and /TransformGroup/1.. hold its queue (the last is
// applied to points first). @itk-wasm/transform-io 0.1.1 writes the queue but drops the
// composite entry, and reads a composite file back as an empty composite; ANTs and Slicer
// then see separate transforms rather than one. So composites are written by transform-io
// as a plain list and then repackaged, datasets copied unchanged, into the composite
// layout; and composite files are read here, group by group, with h5wasm.

import { open } from 'node:fs/promises';
import type { Dataset, Group } from 'h5wasm/node';
import { Transform as ItkTransform, TransformType } from 'itk-wasm';

type Parameterization = ConstructorParameters<typeof TransformType>[0];

/** ITK reads its strings as variable-length ASCII (C_S1); UTF-8 strings fail to convert. */
const asciiString = 'A';
const compositeType = (dimension: number) => `CompositeTransform_double_${dimension}_${dimension}`;
const stringsOf = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

/**
 * h5wasm reserves about 600 MB when it loads: load it only when a composite is read or written.
 * HDF5 prints its error stack straight to file descriptor 2 (h5wasm's Node build writes to the
 * real stderr, past any console), so its throwing handler replaces the printing one: an error
 * becomes an exception carrying that text, which translateItkFailure turns into one line.
 */
async function loadH5wasm() {
  const h5wasm = (await import('h5wasm/node')).default;
  const module = await h5wasm.ready;
  module.activate_throwing_error_handler();
  return h5wasm;
}

function datasetValue(group: Group, name: string): unknown {
  return (group.get(name) as Dataset | null)?.value;
}

/** Copies a transform-io list file into ITK's composite layout at `target`. */
export async function repackAsComposite(listFile: string, target: string, dimension: number): Promise<void> {
  const h5wasm = await loadH5wasm();
  const source = new h5wasm.File(listFile, 'r');
  const output = new h5wasm.File(target, 'w');
  try {
    for (const name of ['ITKVersion', 'HDFVersion', 'OSName', 'OSVersion']) {
      const value = datasetValue(source, name);
      if (value !== undefined) output.create_dataset({ name, data: stringsOf(value), dtype: asciiString });
    }
    const queue = source.get('TransformGroup') as Group;
    const group = output.create_group('TransformGroup');
    group.create_group('0').create_dataset({ name: 'TransformType', data: [compositeType(dimension)], dtype: asciiString });
    const count = queue.keys().length;
    for (let i = 0; i < count; i++) {
      const from = queue.get(String(i)) as Group;
      const to = group.create_group(String(i + 1));
      to.create_dataset({ name: 'TransformType', data: stringsOf(datasetValue(from, 'TransformType')), dtype: asciiString });
      for (const name of ['TransformFixedParameters', 'TransformParameters']) {
        const dataset = from.get(name) as Dataset;
        to.create_dataset({ name, data: dataset.value as Float64Array, shape: dataset.shape, dtype: dataset.dtype });
      }
    }
  } finally {
    output.close();
    source.close();
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
