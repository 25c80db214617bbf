// Files dropped on the UI travel to the engine in chunks: begin an upload that announces the
// files and their sizes, send each file's bytes in order, a few MiB per message, then load
// from the upload's id (an image source of kind 'upload'). The engine writes each chunk to
// its private staging folder as it arrives, so neither side of a transport ever holds a
// whole file in one message, and browser mode can refuse any frame larger than one chunk.

import { z } from 'zod';
import { bytesSchema, emptySchema, noProgressSchema } from './common-schemas';

/** The most one upload.chunk carries. Large enough that a loopback round trip is cheap. */
export const uploadChunkBytes = 4 * 1024 ** 2;

/** The largest message a client ever needs to send: one chunk and its envelope. */
export const maxClientMessageBytes = uploadChunkBytes + 1024 ** 2;

export const uploadIdSchema = z.string().regex(/^[\w-]{8,64}$/, 'not an upload id');

export const uploadChannels = {
  'upload.begin': {
    request: z.object({
      files: z
        .array(z.object({ name: z.string().min(1).max(1024), size: z.int().nonnegative() }))
        .min(1)
        .max(20_000),
    }),
    progress: noProgressSchema,
    result: z.object({ uploadId: uploadIdSchema }),
  },
  'upload.chunk': {
    request: z.object({
      uploadId: uploadIdSchema,
      /** Which announced file, by its index in upload.begin's list. */
      file: z.int().nonnegative(),
      /** Where the bytes go; chunks of one file arrive in order, so this is what arrived so far. */
      offset: z.int().nonnegative(),
      bytes: bytesSchema.refine((b) => b.byteLength > 0 && b.byteLength <= uploadChunkBytes, `a chunk holds 1 to ${uploadChunkBytes} bytes`),
    }),
    progress: noProgressSchema,
    result: emptySchema,
  },
  /** Removes an upload nobody will load (the user cancelled a choice). Loading removes it too. */
  'upload.discard': {
    request: z.object({ uploadId: uploadIdSchema }),
    progress: noProgressSchema,
    result: emptySchema,
  },
} as const;
