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

/** "89 ms (Chromium renderer 36.8, …)": the total and each role's share, as the benches print them. */
export function describeCpu(cpu: { total: number; byRole: [string, number][] }): string {
  return `${cpu.total.toFixed(0)} ms (${cpu.byRole.map(([role, ms]) => `${role} ${ms.toFixed(1)}`).join(', ')})`;
}

/** Machine-wide CPU ticks from /proc/stat: all of them, and those the hypervisor gave elsewhere (steal). */
export interface HostTicks {
  readonly total: number;
  readonly steal: number;
}

export function hostTicks(): HostTicks | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return null;
  }
}

/** The share (%) of the machine's CPU time stolen by the host between two readings. */
export function stolenPercent(before: HostTicks | null, after: HostTicks | null): number | null {
  if (!before || !after || after.total <= before.total) return null;
  return (100 * (after.steal - before.steal)) / (after.total - before.total);
}

/**
 * A fixed single-threaded workload, timed (ms): scattered reads of a 32 MB array, as the
 * engine's and the renderer's samples are. This machine's speed moves by up to twice between
 * runs, even minutes apart (the same build's CPU time per paged picture was 37 ms in one run and
 * 69 ms in another, with no steal by the host), so the benches print it: compare two results
 * only where their probes agree. (Seen on 2026-12-02: 51–106 ms.)
 */
export function machineProbe(): number {
  const values = new Float32Array(8 << 20);
  for (let i = 0; i < values.length; i++) values[i] = i & 1023;
  let state = 12345;
  let sum = 0;
  const start = performance.now();
  for (let i = 0; i < 4_000_000; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    sum += values[state & (values.length - 1)];
  }
  const elapsed = performance.now() - start;
  if (sum < 0) throw new Error('unreachable');
  return elapsed;
}

/**
 * The machine's state around a benchmark: the probe before and after, and the host's steal
 * between. `report` gives the line the benches print last.
 */
export function watchMachine(): { report(): string } {
  const probeBefore = machineProbe();
  const ticksBefore = hostTicks();
  return {
    report() {
      const stolen = stolenPercent(ticksBefore, hostTicks());
      const probeAfter = machineProbe();
      const steal = stolen === null ? '' : `; the host took ${stolen.toFixed(1)} % of the CPU time meanwhile (steal)`;
      return `  machine: a fixed workload (bench/cpu-time.ts) took ${probeBefore.toFixed(0)} ms before and ${probeAfter.toFixed(0)} ms after (less is a faster machine: compare runs whose probes agree)${steal}`;
    },
  };
}
