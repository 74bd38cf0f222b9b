import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** One row of the OS process table. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Process group id. */
  pgid: number;
  /** One-letter state (`R`, `S`, `Z` for zombie, …). */
  state: string;
}

export type ProcessTable = Map<number, ProcessInfo>;

/** A snapshot of every process, keyed by pid. One implementation per OS behind one function. */
export async function readProcessTable(): Promise<ProcessTable> {
  return process.platform === 'linux' ? readProcessTableLinux() : readProcessTablePs();
}

/** Descendants of `pid` in `table`, breadth-first (children before grandchildren); `pid` excluded. */
export function descendantsOf(table: ProcessTable, pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const info of table.values()) {
    const list = children.get(info.ppid);
    if (list) list.push(info.pid);
    else children.set(info.ppid, [info.pid]);
  }
  const result: number[] = [];
  const seen = new Set<number>([pid]);
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}

/** True when the table holds `pid` as a running (not zombie) process. */
export function isRunningIn(table: ProcessTable, pid: number): boolean {
  const info = table.get(pid);
  return info !== undefined && info.state !== 'Z' && info.state !== 'X';
}

/** Parses `/proc/<pid>/stat`; the command name may hold spaces and parentheses, so split after the last `)`. */
export function parseProcStat(text: string): { pid: number; fields: string[] } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // fields[0] is field 3 of proc(5) (state), fields[1] is field 4 (ppid), fields[19] is field 22 (starttime).
  const fields = text.slice(close + 2).trim().split(' ');
  return Number.isInteger(pid) ? { pid, fields } : undefined;
}

function infoFromStat(text: string): ProcessInfo | undefined {
  const parsed = parseProcStat(text);
  if (!parsed) return undefined;
  const [state = '?', ppid = 'NaN', pgid = 'NaN'] = parsed.fields;
  return { pid: parsed.pid, ppid: Number(ppid), pgid: Number(pgid), state };
}

async function readProcessTableLinux(): Promise<ProcessTable> {
  const names = await readdir('/proc');
  const table: ProcessTable = new Map();
  await Promise.all(
    names.map(async (name) => {
      if (!/^\d+$/.test(name)) return;
      try {
        const info = infoFromStat(await readFile(`/proc/${name}/stat`, 'utf8'));
        if (info) table.set(info.pid, info);
      } catch {
        // The process exited between readdir and readFile.
      }
    }),
  );
  return table;
}

async function readProcessTablePs(): Promise<ProcessTable> {
  const { stdout } = await execFileAsync('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat='], { maxBuffer: 16 * 1024 * 1024 });
  const table: ProcessTable = new Map();
  for (const line of stdout.split('\n')) {
    const [pid, ppid, pgid, stat] = line.trim().split(/\s+/);
    if (pid === undefined || ppid === undefined || pgid === undefined) continue;
    table.set(Number(pid), { pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), state: (stat ?? '?').charAt(0) });
  }
  return table;
}

/** Linux only: the state letter of one process, or undefined when it is gone. */
export function procStateSync(pid: number): string | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.fields[0];
  } catch {
    return undefined;
  }
}
