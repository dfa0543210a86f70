import fs from 'node:fs';
import os from 'node:os';

/** CPU time and memory of a process, read from /proc (Linux); zeros elsewhere. */
export interface ProcessSample {
  cpuMs: number;
  rssMb: number;
}

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

export function sampleProcess(pid: number | undefined): ProcessSample {
  if (!pid) return { cpuMs: 0, rssMb: 0 };
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" of the command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuMs = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpuMs, rssMb: Math.round((rssKb / 1024) * 10) / 10 };
  } catch {
    return { cpuMs: 0, rssMb: 0 };
  }
}

/** Each named process's CPU over a window (percent of one core) and its RSS at the window's end. */
export type ProcessCpu = Record<string, { cpu_percent: number; rss_mb: number }>;

/** CPU use of each named process over a window, in percent of one core. */
export class CpuMeter {
  private readonly start: Map<string, ProcessSample>;
  private readonly startedAt = Date.now();
  constructor(private readonly pids: Record<string, number | undefined>) {
    this.start = new Map(Object.entries(pids).map(([name, pid]) => [name, sampleProcess(pid)]));
  }
  stop(): ProcessCpu {
    const wall = Math.max(1, Date.now() - this.startedAt);
    const out: ProcessCpu = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const now = sampleProcess(pid);
      const before = this.start.get(name) ?? now;
      out[name] = { cpu_percent: Math.round(((now.cpuMs - before.cpuMs) / wall) * 1000) / 10, rss_mb: now.rssMb };
    }
    return out;
  }
}

export function machineInfo() {
  return {
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    total_memory_mb: Math.round(os.totalmem() / 1024 / 1024),
    load_average_at_start: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

/** A 1-minute load average at or above this share of the cores means other work competed with the run. */
const LOADED_SHARE = 0.5;

/**
 * Whether other work loaded the machine when the run started (the end's load includes the run itself),
 * and why: figures of such a run are noisy, so the report says so next to them.
 */
export function loadedMachineWarning(machine: { cpus: number; load_average_at_start: number[] }): string | undefined {
  const [oneMinute] = machine.load_average_at_start;
  if (oneMinute === undefined || oneMinute < machine.cpus * LOADED_SHARE) return undefined;
  return `the machine was loaded when the run started (1-minute load average ${oneMinute} on ${machine.cpus} cores): other work competed with these figures; compare only with the baseline of this run, or rerun on a quiet machine`;
}
