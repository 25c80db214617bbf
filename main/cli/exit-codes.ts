// Distinct exit statuses, so scripts can tell a bad input from a failure.

import type { ErrorCode } from '../../shared/contract/errors';

export const exitCodes = {
  ok: 0,
  failure: 1,
  usage: 2,
  badInput: 3,
  cancelled: 130,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'BAD_INPUT':
    case 'NOT_FOUND':
    case 'UNSUPPORTED':
    case 'NEEDS_CHOICE':
    case 'FORBIDDEN':
    case 'INVALID_MESSAGE':
      return exitCodes.badInput;
    case 'CANCELLED':
      return exitCodes.cancelled;
    case 'FAILED':
      return exitCodes.failure;
  }
}
