/** Linux /proc readings: CPU time, RSS, liveness. Every function is synchronous and never throws for a gone pid. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sleepSync } from './cleanup.mjs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (almost always 100). */
export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields of /proc/<pid>/stat after the `(comm)` field, which may itself contain spaces. */
function statFields(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** utime + stime in seconds, or null when the process is gone. */
export function cpuSeconds(pid) {
  const fields = statFields(pid);
  if (!fields) return null;
  // After the comm: [0] state, …, [11] utime, [12] stime (fields 14 and 15 of proc(5)).
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** VmRSS in KiB, or null when the process is gone (or a zombie, which has none). */
export function rssKiB(pid) {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Running or sleeping; a zombie (our exited child not yet reaped) counts as gone. */
export function isAlive(pid) {
  const fields = statFields(pid);
  return fields !== null && fields[0] !== 'Z' && fields[0] !== 'X';
}

/** Sends `signal` to a pid (or a process group with a negative pid), ignoring ESRCH. */
export function signal(pid, name) {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL; returns once all are gone (or after another second). */
export function terminate(pids, graceMs = 3000) {
  const live = pids.filter((pid) => pid > 0 && isAlive(pid));
  for (const pid of live) signal(pid, 'SIGTERM');
  if (!waitGone(live, graceMs)) {
    for (const pid of live) signal(pid, 'SIGKILL');
    waitGone(live, 1000);
  }
}

export function waitGone(pids, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (pids.every((pid) => !isAlive(pid))) return true;
    if (Date.now() >= deadline) return false;
    sleepSync(20);
  }
}

export const MiB = (kib) => kib / 1024;

/**
 * CPU of a changing set of processes: each call returns the CPU seconds the given pids used
 * since the previous call (a pid not seen before counts from its start). A pid that exits
 * between calls loses its last interval.
 */
export function createGroupCpu() {
  let last = new Map();
  return (pids) => {
    const next = new Map();
    let used = 0;
    for (const pid of pids) {
      const cpu = cpuSeconds(pid);
      if (cpu === null) continue;
      next.set(pid, cpu);
      used += cpu - (last.get(pid) ?? 0);
    }
    last = next;
    return used;
  };
}

/** The host's CPU time so far from /proc/stat, in jiffies: `{ busy, total }` over all cores. */
export function hostCpu() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** Share of all cores busy between two `hostCpu()` readings, in % (100 = every core busy). */
export function hostBusyPct(from, to) {
  const total = to.total - from.total;
  return total > 0 ? ((to.busy - from.busy) / total) * 100 : NaN;
}
