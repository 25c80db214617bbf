// Transform files: HDF5 (.h5) for anything, including displacement fields and composites
// (written in ITK's layout by hdf5-file-writer.ts, read with @itk-wasm/transform-io or, for
// composites, h5wasm), ITK's text format (.txt, .tfm; one affine written by itk-text-transform.ts) and
// Matlab (.mat, as written by ANTs) for affine transforms through transform-io. Writes are
// atomic like image writes.

import {
  hdf5ReadTransformNode,
  matReadTransformNode,
  matWriteTransformNode,
  txtReadTransformNode,
  txtWriteTransformNode,
} from '@itk-wasm/transform-io';
import type { Transform as ItkTransform, JsonCompatible } from 'itk-wasm';
import { writeFile } from 'node:fs/promises';
import { EngineError } from '../../../shared/contract/errors';
import type { Transform } from '../../../shared/transforms/transform';
import type { JobContext } from '../job-context';
import { silentJob } from '../job-context';
import { writeAtomically } from './atomic-write';
import { fileError, fileProblem, fileRef, pathForItk, sizeOfRegularFile, translateItkFailure } from './file-problems';
import { fullExtension } from './image-formats';
import { captureItkOutput } from './itk-console-capture';
import { itkTransformListFrom, transformFromItkTransformList } from './itk-transforms';
import { readCompositeQueue, writeItkHdf5 } from './itk-composite-h5';
import { itkAffineText } from './itk-text-transform';

type Reader = (file: string) => Promise<{ couldRead: JsonCompatible; transform: ItkTransform[] }>;
type Writer = (transform: ItkTransform[], file: string) => Promise<{ couldWrite: JsonCompatible }>;

interface TransformFormat {
  readonly label: string;
  readonly read: Reader;
  readonly write: Writer;
  readonly affineOnly: boolean;
}

/** .h5 is written in ITK's layout here, not by transform-io (see itk-composite-h5.ts). */
const hdf5: TransformFormat = {
  label: 'HDF5 transform',
  read: hdf5ReadTransformNode,
  write: async (list, file) => {
    await writeItkHdf5(list, file);
    return { couldWrite: true };
  },
  affineOnly: false,
};
const text: TransformFormat = {
  label: 'ITK text transform',
  read: txtReadTransformNode,
  write: async (list, file) => {
    const affine = itkAffineText(list);
    if (affine === null) return txtWriteTransformNode(list, file);
    await writeFile(file, affine);
    return { couldWrite: true };
  },
  affineOnly: true,
};
const matlab: TransformFormat = { label: 'Matlab transform', read: matReadTransformNode, write: matWriteTransformNode, affineOnly: true };

const formats: Record<string, TransformFormat> = { '.h5': hdf5, '.hdf5': hdf5, '.txt': text, '.tfm': text, '.mat': matlab };

function formatOf(filePath: string): TransformFormat {
  const ext = fullExtension(filePath);
  const format = formats[ext];
  if (!format) throw fileProblem(fileRef(filePath), `unknown transform file type "${ext || 'no extension'}"; use .h5, .txt, .tfm or .mat`);
  return format;
}

function hasDisplacement(t: Transform): boolean {
  return t.kind === 'displacement' || (t.kind === 'composite' && t.sequence.some(hasDisplacement));
}

export async function writeTransformFile(filePath: string, transform: Transform, context: JobContext = silentJob): Promise<void> {
  const format = formatOf(filePath);
  const ref = fileRef(filePath);
  if (format.affineOnly && hasDisplacement(transform))
    throw fileProblem(ref, `a ${format.label} file holds affine transforms only; save displacement fields as .h5 (or the field as a .nii.gz image)`);
  if (format === matlab && transform.kind === 'composite') throw fileProblem(ref, 'a .mat file holds one affine transform; save a composite as .h5 or .txt');
  const list = itkTransformListFrom(transform);
  await writeAtomically(filePath, context, async (stagingPath) => {
    const { couldWrite } = await captureItkOutput(() => format.write(list, stagingPath)).catch((error: unknown) => {
      throw translateItkFailure(ref, format.label, error);
    });
    if (!couldWrite) throw fileProblem(ref, `itk-wasm could not write a ${format.label} file`);
  });
}

export async function readTransformFile(filePath: string): Promise<Transform> {
  const ref = fileRef(filePath);
  // A missing file is said as such before its name's extension is judged.
  await sizeOfRegularFile(ref);
  const format = formatOf(filePath);
  let result;
  try {
    const compositeQueue = format === hdf5 ? await readCompositeQueue(ref.path) : null;
    const file = await pathForItk(ref.path);
    result = compositeQueue ? { couldRead: true, transform: compositeQueue } : await captureItkOutput(() => format.read(file));
  } catch (error) {
    throw translateItkFailure(ref, format.label, error);
  }
  if (!result.couldRead || !result.transform) throw fileProblem(ref, `this is not a readable ${format.label} file`);
  try {
    return transformFromItkTransformList(result.transform);
  } catch (error) {
    if (error instanceof EngineError) throw fileError(error.code, ref, error.message, error.details);
    throw error;
  }
}
