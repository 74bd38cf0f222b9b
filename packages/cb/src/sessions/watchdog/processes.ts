/**
 * Processes a session left behind: anything still running with the FLOTILLA_SESSION_ID of a
 * session that has exited (MCP servers, dev servers, hook children that escaped the pane's tree)
 * is killed; zombies under a live agent are reported (only their parent can reap them).
 */
import type { Session } from '@flotilla/protocol';
import { descendantsOf, killTree, processesWithEnv, readProcessTable } from '@flotilla/kit/process';
import type { SessionDeps } from '../deps.js';

export type WatchdogLog = (session: Session, message: string) => Promise<void>;

const reportedZombies = new Set<number>();

async function killOrphans(deps: SessionDeps, log: WatchdogLog): Promise<void> {
  const bySession = new Map<string, number[]>();
  for (const [pid, id] of await processesWithEnv('FLOTILLA_SESSION_ID')) {
    if (pid === process.pid) continue;
    bySession.set(id, [...(bySession.get(id) ?? []), pid]);
  }
  for (const [id, pids] of bySession) {
    const session = await deps.store.getSession(id);
    // Another Flotilla home's session, or one still live: not ours to touch.
    if (!session || session.state !== 'exited') continue;
    for (const pid of pids) await killTree(pid, { signal: 'SIGTERM', graceMs: 2_000 }).catch(() => undefined);
    await log(session, `killed ${pids.length} orphaned process${pids.length === 1 ? '' : 'es'} left after it exited (pid ${pids.join(', ')})`);
  }
}

async function reportZombies(live: Session[], log: WatchdogLog): Promise<void> {
  const table = await readProcessTable();
  for (const session of live) {
    if (session.pid === null) continue;
    const zombies = descendantsOf(table, session.pid).filter((pid) => table.get(pid)?.state === 'Z' && !reportedZombies.has(pid));
    if (zombies.length === 0) continue;
    for (const pid of zombies) reportedZombies.add(pid);
    const parents = zombies.map((pid) => `${pid} (parent ${table.get(pid)?.ppid ?? '?'})`);
    await log(session, `zombie process${zombies.length === 1 ? '' : 'es'} under the agent: ${parents.join(', ')}`);
  }
}

/** One sweep of the process table. */
export async function sweepProcesses(deps: SessionDeps, live: Session[], log: WatchdogLog): Promise<void> {
  await killOrphans(deps, log);
  await reportZombies(live.filter((s) => s.state !== 'exited'), log);
}
