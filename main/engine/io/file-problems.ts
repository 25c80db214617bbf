// Turning what goes wrong with a file into one line a user can act on. Messages name the
// file as the user knows it (its base name, or the name of an uploaded file), never a temp
// path, and say the reason in plain words.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorCode } from '../../../shared/contract/errors';
import { EngineError } from '../../../shared/contract/errors';

/** A file on disk and the name to show for it. */
export interface FileRef {
  readonly path: string;
  readonly name: string;
}

export function fileRef(filePath: string, name = path.basename(filePath)): FileRef {
  return { path: path.resolve(filePath), name };
}

export function fileError(code: ErrorCode, ref: FileRef, reason: string, details?: Record<string, unknown>): EngineError {
  return new EngineError(code, `${ref.name}: ${reason}`, { file: ref.path, details });
}

/** Bad input: the file exists but cannot be used, and the message says why. */
export function fileProblem(ref: FileRef, reason: string, details?: Record<string, unknown>): EngineError {
  return fileError('BAD_INPUT', ref, reason, details);
}

/** The size in bytes of a regular, non-empty file; a clear error for anything else. */
export async function sizeOfRegularFile(ref: FileRef): Promise<number> {
  let info;
  try {
    info = await stat(ref.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw fileError('NOT_FOUND', ref, 'the file does not exist');
    if (code === 'EACCES' || code === 'EPERM') throw fileError('FORBIDDEN', ref, 'permission to read the file was denied');
    throw fileProblem(ref, `the file cannot be opened (${code ?? String(error)})`);
  }
  if (info.isDirectory()) throw fileProblem(ref, 'this is a folder, not an image file');
  if (!info.isFile()) throw fileProblem(ref, 'this is not a regular file');
  if (info.size === 0) throw fileProblem(ref, 'the file is empty (0 bytes)');
  return info.size;
}

/**
 * itk-wasm fails in three ways: an Error saying no reader accepted the file, an Error with
 * the pipeline's stderr, or a bare number (a C++ exception pointer; ITK's own message went to
 * the console). Only the first says what was wrong, so the others get a generic reason.
 */
export function translateItkFailure(ref: FileRef, formatLabel: string, error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  if (typeof error === 'number') return fileProblem(ref, `the ${formatLabel} file is truncated or corrupt (ITK could not read it)`);
  const message = error instanceof Error ? error.message : String(error);
  if (/^Could not read/.test(message)) return fileProblem(ref, `this is not a readable ${formatLabel} file`);
  if (/^Could not find IO/.test(message)) return fileProblem(ref, `no ${formatLabel} reader accepts this file`);
  const firstLine = message.split('\n').find((line) => line.trim()) ?? 'unknown error';
  return fileProblem(ref, `ITK could not read the ${formatLabel} file (${firstLine.trim()})`);
}
