// `ximorph info FILE... [--json]`: what XiMorph reads from each file, geometry first.

import type { ImageInfo } from '../../../shared/contract/index';
import { EngineError, serializeError } from '../../../shared/contract/errors';
import { describeImageFile } from '../../engine/io/index';
import { exitCodeFor, exitCodes } from '../exit-codes';

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

export async function info(files: string[], options: { json: boolean }): Promise<number> {
  let status: number = exitCodes.ok;
  const results: unknown[] = [];
  for (const file of files) {
    try {
      const described = await describeImageFile(file);
      results.push(described);
      if (!options.json) console.log(formatInfo(described));
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      status = Math.max(status, exitCodeFor(error.code));
      if (options.json) results.push({ source: file, error: serializeError(error) });
      else console.error(`ximorph: ${error.message}`);
    }
  }
  if (options.json) console.log(JSON.stringify(files.length === 1 ? results[0] : results, null, 2));
  return status;
}
