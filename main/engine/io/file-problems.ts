// Turning what goes wrong with a file into one line a user can act on. Messages name the
// file as the user knows it (its base name, or the name of an uploaded file), never a temp
// path, and say the reason in plain words.

import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorCode } from '../../../shared/contract/errors';
import { EngineError } from '../../../shared/contract/errors';
import { ItkPipelineFailure } from './itk-console-capture';

/** A file on disk and the name to show for it. */
export interface FileRef {
  readonly path: string;
  readonly name: string;
}

/**
 * A name as it can be shown on one line of a terminal: control characters (a newline, an
 * escape sequence) in a file name are written as escapes, so that a message stays one line
 * and cannot repaint the screen.
 */
export function printableName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

export function fileRef(filePath: string, name = path.basename(filePath)): FileRef {
  return { path: path.resolve(filePath), name: printableName(name) };
}

export function fileError(code: ErrorCode, ref: FileRef, reason: string, details?: Record<string, unknown>): EngineError {
  return new EngineError(code, `${ref.name}: ${reason}`, { file: ref.path, details });
}

/** Bad input: the file exists but cannot be used, and the message says why. */
export function fileProblem(ref: FileRef, reason: string, details?: Record<string, unknown>): EngineError {
  return fileError('BAD_INPUT', ref, reason, details);
}

/** Why a file system call on `ref` failed, as the error users should see. */
export function fileSystemProblem(ref: FileRef, error: unknown, what = 'file'): EngineError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return fileError('NOT_FOUND', ref, `the ${what} does not exist`);
  if (code === 'EACCES' || code === 'EPERM') return fileError('FORBIDDEN', ref, `permission denied (this user may not read the ${what})`);
  if (code === 'ELOOP') return fileProblem(ref, 'the path is a loop of symbolic links');
  if (code === 'ENAMETOOLONG') return fileProblem(ref, 'the path is too long');
  return fileProblem(ref, `the ${what} cannot be opened (${code ?? String(error)})`);
}

const anyoneMayRead = 0o444;

/**
 * Refuses a file this process may not read. Node running as root may read anything, but
 * itk-wasm's file system checks the permission bits alone, as if it were nobody in
 * particular, and fails on a file no one may read (chmod 000) with no reason given; such a
 * file is refused here for every user, the same way.
 */
async function checkReadable(ref: FileRef, mode: number, what: string): Promise<void> {
  try {
    await access(ref.path, constants.R_OK);
  } catch (error) {
    throw fileSystemProblem(ref, error, what);
  }
  if ((mode & anyoneMayRead) === 0) throw fileError('FORBIDDEN', ref, `permission denied (the ${what}'s permissions let no one read it)`);
}

/** The size in bytes of a regular, non-empty, readable file; a clear error for anything else. */
export async function sizeOfRegularFile(ref: FileRef): Promise<number> {
  let info;
  try {
    info = await stat(ref.path);
  } catch (error) {
    throw fileSystemProblem(ref, error);
  }
  if (info.isDirectory()) throw fileProblem(ref, 'this is a folder, not an image file');
  if (!info.isFile()) throw fileProblem(ref, 'this is not a regular file');
  await checkReadable(ref, info.mode, 'file');
  if (info.size === 0) throw fileProblem(ref, 'the file is empty (0 bytes)');
  return info.size;
}

/** Checks that `ref` is a folder this process may list. */
export async function checkReadableFolder(ref: FileRef): Promise<void> {
  let info;
  try {
    info = await stat(ref.path);
  } catch (error) {
    throw fileSystemProblem(ref, error, 'folder');
  }
  if (!info.isDirectory()) throw fileProblem(ref, 'this is a file, not a folder');
  await checkReadable(ref, info.mode, 'folder');
}

/** Lines itk-wasm adds around a failure, and ITK's dumps, which say nothing to a user. */
const itkNoise = [
  /^Exception while running pipeline:/,
  /^(stdout|stderr|exception):/,
  /^Build module in Debug mode/,
  /\/ITK\/Modules\//,
  /^\s*M = \[/,
  /^[\s\d.eE+\-infa\]]*$/,
  /^(itk::ExceptionObject|Location:|File:|Line:)/,
];

/**
 * The reason ITK printed for a failure (see itk-console-capture.ts), in a few words: ITK's
 * "Description:" line where it threw an ExceptionObject, else the first line a library
 * printed (libpng, nifticlib, MetaIO, GDCM), without the prefixes that only name functions.
 * Undefined when ITK said nothing useful, which in a release build of itk-wasm is common.
 */
export function itkFailureReason(error: unknown): string | undefined {
  const failure = error instanceof ItkPipelineFailure ? error.failure : error;
  const printed = error instanceof ItkPipelineFailure ? error.output : '';
  const thrown = failure instanceof Error ? failure.message : '';
  const lines = `${printed}\n${thrown}`.split('\n').map((line) => line.trim()).filter(Boolean);
  // HDF5's error stack (h5wasm): "#000: <source> line N in H5Fopen(): unable to open file".
  const hdf5 = lines.map((line) => /^#000: .* in \w+\(\): (.+)$/.exec(line)?.[1]).find(Boolean);
  if (hdf5) return `HDF5: ${hdf5}`;
  const description = lines.find((line) => line.startsWith('Description:'));
  const line = description ?? lines.find((l) => !itkNoise.some((pattern) => pattern.test(l)));
  if (!line) return undefined;
  const reason = line
    .replace(/^Description:\s*/, '')
    .replace(/^ITK ERROR:\s*\w+\(0x[0-9a-f]+\):\s*/i, '')
    .replace(/^\*\* ERROR:\s*(\w+:\s*)?/, '')
    .replace(/^(MetaObject|MetaImage): (\w+: )?/, 'MetaIO: ')
    .replace(/\.$/, '');
  return reason.length > 160 ? `${reason.slice(0, 157)}...` : reason;
}

/**
 * itk-wasm fails in three ways: an Error saying no reader accepted the file, an Error with
 * the pipeline's stderr, or a bare number (a C++ exception pointer, whose message a release
 * build cannot recover; the libraries under ITK often printed a reason first). Either way the
 * message is one line: ours, with ITK's reason in brackets where there is one.
 */
export function translateItkFailure(ref: FileRef, formatLabel: string, error: unknown): EngineError {
  const failure = error instanceof ItkPipelineFailure ? error.failure : error;
  if (failure instanceof EngineError) return failure;
  const reason = itkFailureReason(error);
  const message = failure instanceof Error ? failure.message : '';
  if (/^Could not read/.test(message)) return fileProblem(ref, `this is not a readable ${formatLabel} file`);
  if (/^Could not find IO/.test(message)) return fileProblem(ref, `no ${formatLabel} reader accepts this file`);
  // itk-wasm loads each format's pipeline (a .wasm file) from disk when first needed; one that
  // is missing is this installation's fault, not the file's (a self-contained build has none).
  const missingPipeline = /ENOENT[^']*'([^']*pipelines\/[^']+)'/.exec(`${message}\n${reason ?? ''}`);
  if (missingPipeline)
    return fileError('UNSUPPORTED', ref, `this installation cannot read ${formatLabel} files (itk-wasm's reader ${path.basename(missingPipeline[1])} is missing)`);
  const said = !reason ? 'ITK could not read it' : reason.startsWith('HDF5: ') ? reason : `ITK: ${reason}`;
  return fileProblem(ref, `the ${formatLabel} file is truncated or corrupt (${said})`);
}

/**
 * The path to hand itk-wasm: it mounts a file's folder into its own file system, where a
 * symbolic link to a file elsewhere leads nowhere (a linked scan read as "corrupt"), so it
 * gets the link's target. A path that cannot be resolved is passed on for ITK to refuse.
 */
export async function pathForItk(filePath: string): Promise<string> {
  return realpath(filePath).catch(() => filePath);
}
