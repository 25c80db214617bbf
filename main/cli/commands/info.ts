// `ximorph info FILE... [--volume N] [--series UID] [--json]`: what XiMorph reads from each
// file, geometry first.

import type { ImageInfo } from '../../../shared/contract/index';
import type { ErrorCode } from '../../../shared/contract/errors';
import { exitCodeFor, exitCodes } from '../exit-codes';
import { runInJobThread } from '../job-thread/run-job-thread';

type FileInfo = Omit<ImageInfo, 'id'>;

const numbers = (v: readonly number[], digits = 4) => v.map((x) => +x.toFixed(digits)).join(', ');

function directionRows(direction: readonly number[], d: number): string {
  const rows: string[] = [];
  for (let r = 0; r < d; r++) rows.push(`[${numbers(direction.slice(r * d, r * d + d))}]`);
  return rows.join(' ');
}

export function formatInfo(info: FileInfo): string {
  const d = info.grid.size.length;
  const lines = [
    `${info.source}`,
    `  format      ${info.format}`,
    `  size        ${info.grid.size.join(' × ')}`,
    `  spacing     ${numbers(info.grid.spacing)} mm`,
    `  origin      ${numbers(info.grid.origin)} mm (LPS)`,
    `  direction   ${directionRows(info.grid.direction, d)}`,
    `  pixel type  ${info.componentType} ${info.pixelType}, ${info.components} component${info.components > 1 ? 's' : ''}`,
    `  range       ${+info.range.min.toFixed(4)} … ${+info.range.max.toFixed(4)}`,
    `  role        ${info.role}${info.labels ? ` (${info.labels.length} named labels)` : ''}`,
  ];
  for (const w of info.warnings) lines.push(`  warning     ${w}`);
  return lines.join('\n');
}

export async function info(files: string[], options: { json: boolean; volume?: number; series?: string }): Promise<number> {
  const entries = await runInJobThread('info', { files, volume: options.volume, series: options.series }, { onProgress: () => {}, cleanup: () => {} });
  let status: number = exitCodes.ok;
  for (const entry of entries) {
    if ('error' in entry) {
      status = Math.max(status, exitCodeFor(entry.error.code as ErrorCode));
      if (!options.json) console.error(`ximorph: ${entry.error.message}`);
    } else if (!options.json) console.log(formatInfo(entry.info));
  }
  // A readable file is its description; an unreadable one is {source, error}.
  const json = entries.map((entry) => ('error' in entry ? entry : entry.info));
  if (options.json) console.log(JSON.stringify(files.length === 1 ? json[0] : json, null, 2));
  return status;
}
