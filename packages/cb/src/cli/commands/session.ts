import { resolve } from 'node:path';
import type { FlotillaClient, Session, SessionLogEntry } from '@flotilla/protocol';
import { styleFor } from '../format/ansi.js';
import { formatCommand, formatSessionLog, formatSessionTable, formatSince } from '../format/session.js';
import { printJson, printLine, widthOf, type CliStreams } from '../streams.js';

interface Common {
  client: FlotillaClient;
  streams: CliStreams;
  json?: boolean;
}

export interface SessionNewOptions extends Common {
  name: string;
  agent?: string;
  model?: string;
  /** Relative to `cwd`; default `cwd`. */
  dir?: string;
  cwd: string;
  worktree?: boolean;
  /** A watcher session: the command's argv. */
  command?: string[];
  /** A watcher's alert patterns. */
  alerts?: string[];
}

/** `cb session new NAME`: starts the agent's own UI (or a watcher's command) in tmux; prints the session (or its name and how to reach it). */
export async function sessionNew(options: SessionNewOptions): Promise<Session> {
  const session = await options.client.createSession({
    name: options.name,
    cwd: resolve(options.cwd, options.dir ?? '.'),
    worktree: options.worktree ?? false,
    ...(options.agent ? { agent: options.agent } : {}),
    ...(options.model ? { model: options.model } : {}),
    ...(options.command ? { command: options.command } : {}),
    ...(options.alerts?.length ? { alerts: options.alerts } : {}),
  });
  if (options.json) printJson(options.streams.stdout, session);
  else {
    printLine(options.streams.stdout, session.name);
    if (!options.streams.stderr.isTTY) return session;
    const where = session.worktree ? ` in a worktree on ${session.worktree.branch}` : '';
    if (session.kind === 'watcher') {
      const on = session.alerts.length > 0 ? `, alerting on ${session.alerts.map((a) => `/${a}/`).join(' ')}` : ' (no alert patterns)';
      printLine(options.streams.stderr, `watching ${formatCommand(session.command ?? [])}${where}${on} · alerts: cb session log ${session.name} · look: cb peek ${session.name}`);
    } else {
      printLine(options.streams.stderr, `${session.agent} started${where} · send: cb send ${session.name} "…" · look: cb peek ${session.name} · attach: cb attach ${session.name}`);
    }
  }
  return session;
}

export interface SessionLsOptions extends Common {
  all?: boolean;
  now?: () => number;
  env?: Readonly<Record<string, string | undefined>>;
}

/** `cb session ls`: live sessions (with --all, ended ones too) with their state and how long they have been in it. */
export async function sessionLs(options: SessionLsOptions): Promise<Session[]> {
  const sessions = await options.client.listSessions(options.all ? { all: true } : {});
  const { stdout, stderr } = options.streams;
  if (options.json) printJson(stdout, sessions);
  else if (sessions.length === 0) printLine(stderr, options.all ? 'no sessions yet: start one with cb session new NAME' : 'no live sessions (cb session ls --all shows ended ones)');
  else {
    printLine(stdout, formatSessionTable(sessions, { now: (options.now ?? Date.now)(), width: widthOf(stdout), style: styleFor(stdout, options.env) }));
    const external = sessions.find((s) => s.external && s.state !== 'exited' && s.tmuxSocket);
    if (external && stderr.isTTY) printLine(stderr, `(external): started outside Flotilla, read-only until adopted: cb session adopt ${external.name}`);
  }
  return sessions;
}

/** `cb session adopt NAME`: a discovered agent in a tmux pane becomes a managed session. */
export async function sessionAdopt(options: SessionNameOptions): Promise<Session> {
  const session = await options.client.adoptSession(options.name);
  if (options.json) printJson(options.streams.stdout, session);
  else {
    printLine(options.streams.stdout, `${session.name} adopted (${session.state})`);
    if (options.streams.stderr.isTTY) {
      printLine(options.streams.stderr, `no hooks (it was not started by Flotilla): state from the session file and the screen · send: cb send ${session.name} "…" · attach: cb attach ${session.name}`);
    }
  }
  return session;
}

export interface SessionNameOptions extends Common {
  name: string;
  now?: () => number;
}

/** `cb session stop NAME`: the agent's own exit keys, then its tmux session is killed. */
export async function sessionStop(options: SessionNameOptions): Promise<Session> {
  const session = await options.client.stopSession(options.name);
  if (options.json) printJson(options.streams.stdout, session);
  else {
    const lived = formatSince(Date.parse(session.endedAt ?? session.updatedAt) - Date.parse(session.createdAt));
    printLine(options.streams.stdout, `${session.name} ${session.state} (ran ${lived})`);
  }
  return session;
}

/** `cb session log NAME`: state changes, sends, answers and lifecycle, oldest first. */
export async function sessionLog(options: SessionNameOptions): Promise<SessionLogEntry[]> {
  const entries = await options.client.sessionLog(options.name);
  if (options.json) printJson(options.streams.stdout, entries);
  else if (entries.length > 0) printLine(options.streams.stdout, formatSessionLog(entries));
  return entries;
}
