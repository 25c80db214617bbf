// CPU time by process while a benchmark runs: which of the browser's processes, the engine's
// server and the benchmark's own driver spent the machine's cores (Linux /proc; elsewhere the
// snapshot is empty and nothing is printed).

import { readdirSync, readFileSync } from 'node:fs';

export type CpuSnapshot = ReadonlyMap<string, number>;

/** The process's role: the Chromium process type, the XiMorph server, or this benchmark. */
function roleOf(pid: string, commandLine: string): string | null {
  if (Number(pid) === process.pid) return 'benchmark driver';
  if (/ximorph\.js serve/.test(commandLine)) return 'engine server';
  if (/chrom/.test(commandLine)) return `Chromium ${/--type=(\S+)/.exec(commandLine)?.[1] ?? 'browser'}`;
  return null;
}

/** User + system CPU milliseconds so far, summed by role over live processes (all their threads). */
export function cpuSnapshot(): CpuSnapshot {
  const byRole = new Map<string, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return byRole;
  }
  const tickMs = 10; // USER_HZ is 100 on Linux
  for (const pid of pids) {
    try {
      const role = roleOf(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
      if (!role) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byRole.set(role, (byRole.get(role) ?? 0) + (Number(fields[11]) + Number(fields[12])) * tickMs);
    } catch {
      // The process ended meanwhile.
    }
  }
  return byRole;
}

/** CPU ms per unit of work between two snapshots, by role, largest first, with the total. */
export function cpuPerUnit(before: CpuSnapshot, after: CpuSnapshot, units: number): { total: number; byRole: [string, number][] } {
  const byRole = [...after]
    .map(([role, ms]): [string, number] => [role, (ms - (before.get(role) ?? 0)) / units])
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1]);
  return { total: byRole.reduce((sum, [, ms]) => sum + ms, 0), byRole };
}
