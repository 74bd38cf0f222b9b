/** What a session's pane says about its agent: how it ended, and waiting for it to end. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Tmux, TmuxSessionInfo } from '@flotilla/kit/tmux';

/** How often a stopping session is checked for having quit. */
const STOP_POLL_MS = 100;

/** `killed by signal 9`, `exit status 1`, `its tmux session is gone`; `clean` for status 0. */
export function paneExit(pane: TmuxSessionInfo | null | undefined): { clean: boolean; description: string } {
  if (!pane) return { clean: false, description: 'its tmux session is gone' };
  if (pane.exitSignal !== null) return { clean: false, description: `killed by signal ${pane.exitSignal}` };
  if (pane.exitStatus === null) return { clean: false, description: 'exit status unknown' };
  return { clean: pane.exitStatus === 0, description: `exit status ${pane.exitStatus}` };
}

/** Every session on one tmux server, by name. */
export async function panesOf(tmux: Tmux): Promise<Map<string, TmuxSessionInfo>> {
  return new Map((await tmux.listSessions()).map((s) => [s.name, s]));
}

/** True once the pane is dead or its tmux session gone, false when `graceMs` passed first. */
export async function waitUntilPaneGone(tmux: Tmux, tmuxSession: string, graceMs: number): Promise<boolean> {
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    const pane = (await tmux.listSessions()).find((s) => s.name === tmuxSession);
    if (!pane || pane.paneDead) return true;
    await sleep(STOP_POLL_MS);
  }
  return false;
}
