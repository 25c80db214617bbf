// A job made of parts that each report progress from 0 to 1 (scanning a DICOM folder, then
// reading the series) reports one fraction that only grows: each part gets a range.

import type { JobContext } from '../job-context';

/** A context whose progress fractions map into [start, end] of `context`'s. */
export function jobRange(context: JobContext, start: number, end: number): JobContext {
  return {
    token: context.token,
    progress: ({ stage, fraction, message, iteration, metrics }) =>
      context.progress({ stage, fraction: start + (end - start) * fraction, message, iteration, metrics }),
  };
}
