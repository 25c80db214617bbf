// Errors cross every boundary as plain data: name, message, stack, plus a code the UI and
// the CLI can act on (the CLI maps codes to exit statuses) and, for bad input, the file.

export const errorCodes = ['BAD_INPUT', 'UNSUPPORTED', 'NEEDS_CHOICE', 'CANCELLED', 'NOT_FOUND', 'FORBIDDEN', 'INVALID_MESSAGE', 'FAILED'] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code: ErrorCode;
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
  if (error instanceof EngineError)
    return { name: error.name, message: error.message, stack: error.stack, code: error.code, file: error.file, details: error.details };
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack, code: 'FAILED' };
  return { name: 'Error', message: String(error), code: 'FAILED' };
}

export function deserializeError(data: SerializedError): EngineError {
  const error = new EngineError(data.code, data.message, { file: data.file, details: data.details });
  error.name = data.name;
  if (data.stack) error.stack = data.stack;
  return error;
}
