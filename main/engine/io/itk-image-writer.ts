// itk-wasm's image writer, with its console output kept (itk-console-capture.ts) and its
// failure turned into one line naming the file the user asked for.

import { writeImageNode } from '@itk-wasm/image-io';
import type { Image } from 'itk-wasm';
import { fileError, fileRef, itkFailureReason } from './file-problems';
import { captureItkOutput } from './itk-console-capture';

export async function writeWithItk(image: Image, path: string, useCompression: boolean, target: string): Promise<void> {
  try {
    await captureItkOutput(() => writeImageNode(image, path, { useCompression }));
  } catch (error) {
    throw fileError('FAILED', fileRef(target), `ITK could not write the file (${itkFailureReason(error) ?? 'no reason given'})`);
  }
}
