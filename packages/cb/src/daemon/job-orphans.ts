/**
 * Processes a job left behind after it ended (cancelled, timed out, or finished): anything still
 * running with the FLOTILLA_JOB_ID of an ended job — a dev server the agent started with `setsid`,
 * an MCP server that outlived the agent — outside the daemon's own children (its notification
 * hooks carry the id too). The runner already kills the agent's process group; this catches what
 * left the group.
 */
import createDebug from 'debug';
import { isTerminal } from '@flotilla/protocol';
import { descendantsOf, killTree, processesWithEnv, readProcessTable } from '@flotilla/kit/process';
import type { DaemonContext } from './context.js';

const debug = createDebug('cb:orphans');

/** An ended job's leftovers get this long to go by themselves (the runner's own kill, a finishing hook). */
export const ORPHAN_GRACE_MS = 15_000;
/** How often the daemon sweeps. */
export const ORPHAN_SWEEP_MS = 30_000;

export interface OrphanSweepOptions {
  graceMs?: number;
  /** Whose children are never orphans (default this process: the daemon's own hooks). */
  ownPid?: number;
}

/** One sweep; returns the pids it killed, by job id. */
export async function killJobOrphans(ctx: Pick<DaemonContext, 'store' | 'bus' | 'now'>, options: OrphanSweepOptions = {}): Promise<Map<string, number[]>> {
  const { graceMs = ORPHAN_GRACE_MS, ownPid = process.pid } = options;
  const killed = new Map<string, number[]>();
  const found = await processesWithEnv('FLOTILLA_JOB_ID');
  if (found.size === 0) return killed;
  const ours = new Set([ownPid, ...descendantsOf(await readProcessTable(), ownPid)]);
  const byJob = new Map<string, number[]>();
  for (const [pid, jobId] of found) if (!ours.has(pid)) byJob.set(jobId, [...(byJob.get(jobId) ?? []), pid]);
  for (const [jobId, pids] of byJob) {
    const job = await ctx.store.getJob(jobId);
    // Another Flotilla home's job, or one still running: not ours to touch.
    if (!job || !isTerminal(job.status) || !job.endedAt) continue;
    if (ctx.now().getTime() - Date.parse(job.endedAt) < graceMs) continue;
    for (const pid of pids) await killTree(pid, { signal: 'SIGTERM', graceMs: 2_000 }).catch(() => undefined);
    killed.set(jobId, pids);
    debug('killed %d orphans of %s: %o', pids.length, jobId, pids);
    await ctx.store.appendEvents([
      {
        type: 'notification',
        jobId,
        title: `killed ${pids.length} orphaned process${pids.length === 1 ? '' : 'es'}`,
        body: `job ${jobId} (${job.status}) left pid ${pids.join(', ')} running; the watchdog killed ${pids.length === 1 ? 'it' : 'them'}`,
        level: 'warning',
      },
    ]);
    ctx.bus.notify();
  }
  return killed;
}
