import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { errnoCode } from '../internal/errors.js';
import { descendantsOf, parseProcStat, procStateSync, readProcessTable } from './process-table.js';

const execFileAsync = promisify(execFile);

/**
 * Every descendant of `pid` (children, grandchildren, …), breadth-first, `pid` itself excluded.
 * Linux reads `/proc/<pid>/stat`; macOS asks `ps -A -o pid=,ppid=`.
 *
 * @example const pids = await listProcessTree(panePid);
 */
export async function listProcessTree(pid: number): Promise<number[]> {
  return descendantsOf(await readProcessTable(), pid);
}

/**
 * True while `pid` exists and is not a zombie (a zombie has exited; it only waits to be reaped).
 * A process owned by another user counts as alive.
 */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (errnoCode(error) !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  const state = procStateSync(pid);
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/**
 * An opaque, comparable start time of `pid`, or null when it does not exist. Store it next to a pid
 * and compare later: a different value means the pid was reused by another process.
 * Linux: field 22 of `/proc/<pid>/stat` (clock ticks since boot); macOS: `ps -o lstart=` (epoch ms).
 */
export async function processStartTime(pid: number): Promise<number | null> {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (process.platform === 'linux') return processStartTimeLinux(pid);
  return processStartTimePs(pid);
}

async function processStartTimeLinux(pid: number): Promise<number | null> {
  try {
    const parsed = parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
    const value = Number(parsed?.fields[19]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

async function processStartTimePs(pid: number): Promise<number | null> {
  try {
    const { stdout } = await execFileAsync('ps', ['-o', 'lstart=', '-p', String(pid)], { env: { ...process.env, LC_ALL: 'C' } });
    const value = Date.parse(stdout.trim());
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}
