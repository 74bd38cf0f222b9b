/**
 * What an adopted agent's tracker needs that hooks would have told it: an adopted agent was not
 * started with Flotilla's settings, so no hook ever names its transcript (where Claude's prompt
 * receipts are read). Adoption writes one record into the session's hook log, in the recorder's
 * format, with an event no state table knows (`FlotillaAdopted`): the tracker takes the
 * transcript path and the conversation id from it and changes no state.
 */
import { mkdirSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tmux } from '@flotilla/kit/tmux';
import { ProtocolError, type Session } from '@flotilla/protocol';
import type { SessionDeps } from '../deps.js';
import { logEntry } from '../state.js';
import { HOOK_LOG_FILE } from '../signals/index.js';
import { findClaudeTranscript } from '../signals/claude-session-file.js';

export const ADOPTION_EVENT = 'FlotillaAdopted';

/** Appends the adoption record to `<dir>/hooks.jsonl`; returns the transcript it names, or null (then nothing is written). */
export async function recordAdoption(dir: string, options: { home: string; agentSessionId: string | null; cwd: string }): Promise<string | null> {
  if (!options.agentSessionId) return null;
  const transcript = await findClaudeTranscript(options.home, options.agentSessionId);
  if (!transcript) return null;
  const record = { at: Date.now(), event: ADOPTION_EVENT, payload: { session_id: options.agentSessionId, transcript_path: transcript, cwd: options.cwd } };
  await appendFile(join(dir, HOOK_LOG_FILE), `${JSON.stringify(record)}\n`, { mode: 0o600 });
  return transcript;
}

/**
 * A discovered agent in a pane of the user's tmux server becomes managed: checked (a pane, still
 * running), its transcript recorded for receipts, `external` cleared with a log line saying it has
 * no hooks. Returns the stored session; the manager attaches its tracker.
 */
export async function adoptDiscovered(deps: SessionDeps, session: Session, tmux: Tmux): Promise<Session> {
  if (!session.external) throw new ProtocolError('CONFLICT', `session ${session.name} is already managed by Flotilla`, { fix: `talk to it: cb send ${session.name} "…"` });
  if (session.state === 'exited') throw new ProtocolError('SESSION_NOT_RUNNING', `session ${session.name} has exited`, { fix: 'list the running ones: cb session ls' });
  if (!session.tmuxSocket || !session.tmuxSession) {
    const background = session.pid === null;
    throw new ProtocolError(
      'CONFLICT',
      background
        ? `session ${session.name} is a Claude Code background session (claude --bg): it runs under Claude's own supervisor with no terminal, so it cannot be adopted into tmux`
        : `session ${session.name} is a Claude Code session outside tmux (pid ${session.pid}): Flotilla can only drive an agent in a tmux pane`,
      {
        fix: background
          ? `keep using Claude's own commands (claude agents, claude logs), or continue the conversation in tmux (claude --resume ${session.agentSessionId ?? '<session id>'} in a tmux pane) and adopt that pane`
          : `quit it and continue the conversation inside tmux (claude --resume ${session.agentSessionId ?? '<session id>'}), then adopt that pane`,
      },
    );
  }
  const pane = (await tmux.listSessions().catch(() => [])).find((p) => p.name === session.tmuxSession);
  if (!pane || pane.paneDead) throw new ProtocolError('SESSION_NOT_RUNNING', `the agent of session ${session.name} is gone`, { fix: 'list the running ones: cb session ls' });
  const dir = deps.paths.sessionDir(session.id);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // No hook will name Claude's transcript (where receipts are read): the adoption record does.
  const home = deps.config.env.HOME ?? deps.env.HOME ?? '';
  const transcript = session.agent === 'claude' ? await recordAdoption(dir, { home, agentSessionId: session.agentSessionId, cwd: session.cwd }).catch(() => null) : null;
  const where = `tmux pane ${session.tmuxSession} on the user's tmux server "${session.tmuxSocket}"`;
  const receipts = session.agent === 'claude' ? (transcript ? 'receipts from its transcript' : 'no transcript found, so sends cannot be confirmed') : 'receipts from the screen';
  const message = `adopted: ${session.agent} in ${where}; state from ${session.agent === 'claude' ? "Claude's session file and the screen" : 'the screen'} only — no hooks, since the agent was not started with Flotilla's settings (${receipts})`;
  const adopted = await deps.store.updateSession(session.id, (current) => {
    if (!current.external || current.state === 'exited') return null;
    const next = { ...current, external: false };
    return { session: next, events: [{ type: 'session.state', session: next, previous: current.state }], log: [logEntry(current, 'lifecycle', message)] };
  });
  if (!adopted || adopted.external) throw new ProtocolError('CONFLICT', `session ${session.name} changed while being adopted`, { fix: `look again: cb session ls` });
  deps.bus.notify();
  return adopted;
}
