// Progress on the command line: a one-line bar on a terminal, JSON lines when piped (or with
// --json), so scripts can follow a job as closely as the UI does.

import type { Progress } from '../../shared/contract/common-schemas';

export interface ProgressPrinter {
  progress(update: Progress): void;
  /** Ends the bar line before other output. */
  finish(): void;
  /** A final machine-readable record (JSON mode) or nothing. */
  event(name: string, payload: Record<string, unknown>): void;
}

const formatSeconds = (s: number | undefined) => (s === undefined ? '' : s < 60 ? `${s.toFixed(0)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

export function progressPrinter(json: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressPrinter {
  const bar = !json && stream.isTTY;
  let lastLine = '';
  return {
    progress(p) {
      if (json) {
        process.stdout.write(JSON.stringify({ event: 'progress', ...p }) + '\n');
        return;
      }
      if (!bar) return;
      const width = 28;
      const filled = Math.round(p.fraction * width);
      const metric = p.metrics ? Object.entries(p.metrics).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(' ') : '';
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(p.fraction * 100).toFixed(0).padStart(3)}% ${p.stage}${p.iteration !== undefined ? ` #${p.iteration}` : ''} ${metric} ${p.etaSeconds !== undefined ? `ETA ${formatSeconds(p.etaSeconds)}` : ''}`;
      const columns = stream.columns ?? 100;
      lastLine = line.slice(0, columns - 1);
      stream.write(`\r${lastLine.padEnd(columns - 1)}`);
    },
    finish() {
      if (bar && lastLine) stream.write('\n');
      lastLine = '';
    },
    event(name, payload) {
      if (json) process.stdout.write(JSON.stringify({ event: name, ...payload }) + '\n');
    },
  };
}
