// A job context for commands: progress to the printer, Ctrl-C cancels (exit status 130).

import { CancellationTokenSource } from '../../shared/rpc/cancellation';
import type { JobContext } from '../engine/job-context';
import type { ProgressPrinter } from './progress-printer';

export function cliJob(printer: ProgressPrinter): { context: JobContext; dispose(): void } {
  const source = new CancellationTokenSource();
  const onSignal = () => source.cancel();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    context: { token: source.token, progress: (p) => printer.progress(p) },
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      printer.finish();
    },
  };
}
