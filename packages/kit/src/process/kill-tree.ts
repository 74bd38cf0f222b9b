import { setTimeout as sleep } from 'node:timers/promises';
import createDebug from 'debug';
import { KitError, errnoCode } from '../internal/errors.js';
import { descendantsOf, isRunningIn, readProcessTable, type ProcessTable } from './process-table.js';

const debug = createDebug('kit:process');

/** How often the tree is re-read while waiting: fast enough to return soon after the last exit. */
const POLL_MS = 25;
/** After SIGKILL the kernel needs a moment to tear processes down; longer means they are stuck (D state). */
const KILL_WAIT_MS = 2000;

export type KillTreeErrorCode = 'PROCESS_KILL_SELF';

export interface KillTreeOptions {
  /** First signal (default SIGTERM), sent to the whole tree. */
  signal?: NodeJS.Signals;
  /** How long to wait for the tree to exit after the first signal before SIGKILL (default 3000). */
  graceMs?: number;
}

/**
 * Stops `pid` and every descendant: collects the tree first (children are re-parented when their
 * parent dies, so they must be known before any signal), signals the process group when `pid`
 * leads one plus every collected pid, waits up to `graceMs` (picking up children forked meanwhile),
 * then SIGKILLs the survivors. Resolves to the pids still alive at the end — normally `[]`.
 *
 * @example const survivors = await killTree(agentPid, { graceMs: 5000 });
 */
export async function killTree(pid: number, options: KillTreeOptions = {}): Promise<number[]> {
  if (pid === process.pid) throw new KitError<KillTreeErrorCode>('PROCESS_KILL_SELF', 'killTree refuses to kill the calling process');
  const signal = options.signal ?? 'SIGTERM';
  const graceMs = options.graceMs ?? 3000;
  let table = await readProcessTable();
  const group = leadsOwnGroup(table, pid) ? pid : undefined;
  const targets = new Set([pid, ...descendantsOf(table, pid), ...groupMembers(table, group)]);
  targets.delete(process.pid);
  debug('killTree %d (%s, group %s): %o', pid, signal, group ?? '-', [...targets]);

  signalAll(targets, group, signal);
  table = await waitForExit(targets, group, signal, graceMs);
  let alive = [...targets].filter((p) => isRunningIn(table, p));
  if (alive.length === 0) return [];

  debug('killTree %d: SIGKILL %o', pid, alive);
  signalAll(new Set(alive), group, 'SIGKILL');
  table = await waitForExit(targets, group, 'SIGKILL', KILL_WAIT_MS);
  alive = [...targets].filter((p) => isRunningIn(table, p));
  if (alive.length > 0) debug('killTree %d: survivors %o', pid, alive);
  return alive;
}

function leadsOwnGroup(table: ProcessTable, pid: number): boolean {
  const info = table.get(pid);
  // Never signal our own group: that would take the caller down with the tree.
  return info !== undefined && info.pgid === pid && pid !== process.pid && table.get(process.pid)?.pgid !== pid;
}

function groupMembers(table: ProcessTable, group: number | undefined): number[] {
  if (group === undefined) return [];
  return [...table.values()].filter((info) => info.pgid === group).map((info) => info.pid);
}

function signalAll(pids: Set<number>, group: number | undefined, signal: NodeJS.Signals): void {
  if (group !== undefined) trySignal(-group, signal);
  // Deepest first, so a parent does not get the chance to react to a child's death by forking anew.
  for (const p of [...pids].reverse()) trySignal(p, signal);
}

/** Polls until every target is gone or `ms` passes; signals descendants that appear meanwhile. */
async function waitForExit(targets: Set<number>, group: number | undefined, signal: NodeJS.Signals, ms: number): Promise<ProcessTable> {
  const deadline = Date.now() + ms;
  for (;;) {
    const table = await readProcessTable();
    const alive = [...targets].filter((p) => isRunningIn(table, p));
    for (const p of alive) {
      for (const child of descendantsOf(table, p)) {
        if (targets.has(child) || child === process.pid) continue;
        targets.add(child);
        trySignal(child, signal);
      }
    }
    if (alive.length === 0 || Date.now() >= deadline) return table;
    await sleep(POLL_MS);
  }
}

function trySignal(pid: number, signal: NodeJS.Signals): void {
  if (!(Math.abs(pid) > 1)) return; // kill(0) or kill(-1) would signal our own group or every process (pid < -1 is a group)
  try {
    process.kill(pid, signal);
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'ESRCH') debug('kill(%d, %s) failed: %s', pid, signal, code ?? error);
  }
}
