// Errors cross every boundary as plain data: a code the UI and the CLI can act on (the CLI
// maps codes to exit statuses), a message a person can read and, for bad input, the file.
// Nothing internal crosses: no stack, no paths into the build. An unexpected error's stack
// is logged where it happened, and the other side gets its message only.

export const errorCodes = ['BAD_INPUT', 'UNSUPPORTED', 'NEEDS_CHOICE', 'CANCELLED', 'NOT_FOUND', 'FORBIDDEN', 'INVALID_MESSAGE', 'FAILED'] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface SerializedError {
  code: ErrorCode;
  message: string;
  file?: string;
  details?: Record<string, unknown>;
}

export class EngineError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { file?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.code = code;
    this.file = options.file;
    this.details = options.details;
  }
}

/** A bad-input error whose message names the file and the reason, as users need to see it. */
export function badInput(file: string, reason: string, details?: Record<string, unknown>): EngineError {
  return new EngineError('BAD_INPUT', `${file}: ${reason}`, { file, details });
}

export function cancelledError(): EngineError {
  return new EngineError('CANCELLED', 'cancelled');
}

export function isCancelled(error: unknown): boolean {
  return error instanceof EngineError ? error.code === 'CANCELLED' : (error as SerializedError | undefined)?.code === 'CANCELLED';
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof EngineError) {
    const data: SerializedError = { code: error.code, message: error.message };
    if (error.file !== undefined) data.file = error.file;
    if (error.details !== undefined) data.details = error.details;
    return data;
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'FAILED', message: `internal error: ${message.split('\n')[0]}` };
}

export function deserializeError(data: SerializedError): EngineError {
  return new EngineError(data.code, data.message, { file: data.file, details: data.details });
}
