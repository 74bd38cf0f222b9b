/** What became of an agent whose session was reported ended: dead (how), still running, or killed. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Session } from '@flotilla/protocol';
import { killTree } from '@flotilla/kit/process';
import type { TmuxSessionInfo } from '@flotilla/kit/tmux';
import type { StateChange } from '../contract.js';
import type { SessionDeps } from '../deps.js';
import { paneExit } from '../panes.js';

const POLL_MS = 200;

export interface ExitFacts {
  /** The pane is alive and the report came from the process side: an earlier incarnation's exit. */
  stale: boolean;
  /** What was killed because it had said it ended but never exited; null when nothing was. */
  killed: string | null;
  /** Exit status 0. */
  clean: boolean;
  /** `exit status 1`, `killed by signal 9`, `its tmux session is gone`. */
  description: string;
}

async function paneOf(deps: SessionDeps, session: Session): Promise<TmuxSessionInfo | null> {
  return (await deps.tmux.listSessions()).find((s) => s.name === session.tmuxSession) ?? null;
}


/**
 * Settles an exit report. A pane still alive after the agent itself said it ended (SessionEnd) gets
 * `graceMs` to exit before its process tree is killed; a pane still alive when the report came
 * from the process side is stale.
 */
export async function waitForExit(deps: SessionDeps, session: Session, change: StateChange, graceMs: number): Promise<ExitFacts> {
  let pane = await paneOf(deps, session);
  let killed: string | null = null;
  if (pane && !pane.paneDead) {
    if (change.source === 'process') return { stale: true, killed: null, clean: false, description: 'still running' };
    const deadline = Date.now() + graceMs;
    while (pane && !pane.paneDead && Date.now() < deadline) {
      await sleep(POLL_MS);
      pane = await paneOf(deps, session);
    }
    if (pane && !pane.paneDead && pane.panePid !== null) {
      const survivors = await killTree(pane.panePid, { signal: 'SIGTERM', graceMs: 3_000 });
      killed = `its process tree (pid ${pane.panePid}${survivors.length ? `; ${survivors.length} survived SIGKILL` : ''})`;
      for (let i = 0; i < 10 && pane && !pane.paneDead; i++) {
        await sleep(POLL_MS);
        pane = await paneOf(deps, session);
      }
    }
  }
  const facts = paneExit(pane);
  const last = pane ? await lastWords(deps, session) : '';
  return { stale: false, killed, ...facts, description: last ? `${facts.description}; its last words: ${last}` : facts.description };
}

/** The last few non-blank lines a dead pane shows (why it exited, as often as not), on one line. */
async function lastWords(deps: SessionDeps, session: Session): Promise<string> {
  const screen = await deps.tmux.capturePane(session.tmuxSession, { lines: 50 }).catch(() => '');
  const lines = screen
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => /[\p{L}\p{N}]/u.test(l) && !/^Pane is dead/.test(l));
  return lines.slice(-3).join(' | ').slice(0, 300);
}
