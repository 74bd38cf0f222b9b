/**
 * One discovery pass: agents the user started outside Flotilla, with what tells their state.
 * - tmux panes on the user's own servers whose process (or a descendant) is `claude` or `codex`;
 * - Claude Code sessions from `<HOME>/.claude/sessions/<pid>.json` that are not in such a pane
 *   (a terminal tab, an IDE);
 * - Claude's background sessions (`claude --bg`) from `claude agents --json`, asked only when
 *   its supervisor already runs (the command starts one otherwise) — see `ClaudeBackgroundSource`.
 * Flotilla's own agents are left out: their panes are on Flotilla's server, their processes carry
 * FLOTILLA_SESSION_ID / FLOTILLA_JOB_ID, and the pids and panes of managed sessions are passed in.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { descendantsOf, isAlive, readProcessTable, type ProcessTable } from '@flotilla/kit/process';
import { createTmux, type Tmux } from '@flotilla/kit/tmux';
import { readClaudeSessionFile, type ClaudeSessionLevel } from '../signals/claude-session-file.js';
import { listPanes, type PaneInfo } from './pane-tmux.js';
import { agentOfCommand, commandLine, startedByFlotilla, type KnownAgent } from './processes.js';

/** What tells a discovered session's state. */
export type FoundSignal =
  | { kind: 'session-file'; level: ClaudeSessionLevel }
  | { kind: 'screen'; screen: string; paneDead: boolean }
  | { kind: 'claude-agents'; state: string };

export interface Found {
  /** Identity across passes (see `storedKey`). */
  key: string;
  /** The part of the machine it was found in; a failed scope keeps its sessions as they were. */
  scope: string;
  agent: KnownAgent;
  pid: number | null;
  cwd: string;
  tmuxSocket: string | null;
  paneId: string | null;
  /** The name it would get (made unique when stored). */
  name: string;
  /** For the log: where it was found. */
  where: string;
  agentSessionId: string | null;
  signal: FoundSignal;
}

export interface ScanResult {
  found: Found[];
  /** Scopes that could not be read this pass (`tmux:<socket>`, `claude-files`, `claude-bg`). */
  failed: Set<string>;
}

/** One `claude agents --json` entry of kind `background` (docs/session-signals.md §1: `state`, not `status`). */
export interface ClaudeBackground {
  id: string;
  sessionId: string | null;
  cwd: string;
  state: string;
  name: string | null;
}

export interface ScanOptions {
  /** The HOME whose `.claude/sessions` holds the user's Claude session files. */
  home: string;
  /** Names (`tmux -L`) of the user's running tmux servers (Flotilla's own already left out). */
  tmuxSockets(): Promise<string[]>;
  /** Pids of Flotilla's sessions (managed and adopted): never discovered again. */
  managedPids: ReadonlySet<number>;
  /** `<socket>:<pane id>` of adopted sessions: never discovered again. */
  managedPanes: ReadonlySet<string>;
  /** The last known background sessions; null when they could not be listed this time. */
  claudeBackground(): Promise<ClaudeBackground[] | null>;
  /** For tests: the tmux handle of a socket (default `createTmux`). */
  tmuxFor?(socketName: string): Tmux;
}

/** Session names are `[A-Za-z0-9][A-Za-z0-9._-]{0,62}`. */
export function safeName(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (cleaned || 'session').slice(0, 63);
}

/** `work.1.0` on the default server, `<socket>.work.1.0` on another one. */
function paneName(pane: PaneInfo): string {
  const server = pane.socketName === 'default' ? '' : `${pane.socketName}.`;
  return safeName(`${server}${pane.sessionName}.${pane.windowIndex}.${pane.paneIndex}`);
}

async function agentUnder(table: ProcessTable, panePid: number): Promise<{ pid: number; agent: KnownAgent } | null> {
  for (const pid of [panePid, ...descendantsOf(table, panePid)]) {
    const argv = await commandLine(pid);
    const agent = argv ? agentOfCommand(argv) : null;
    if (agent) return { pid, agent };
  }
  return null;
}

async function scanSocket(socketName: string, options: ScanOptions, table: ProcessTable, out: ScanResult): Promise<void> {
  const tmux = options.tmuxFor?.(socketName) ?? createTmux({ socketName });
  const panes = await listPanes(tmux).catch(() => null);
  if (panes === null) {
    out.failed.add(`tmux:${socketName}`);
    return;
  }
  for (const pane of panes) {
    if (pane.paneDead || pane.panePid === null || options.managedPanes.has(`${socketName}:${pane.paneId}`)) continue;
    const agent = await agentUnder(table, pane.panePid);
    if (!agent || options.managedPids.has(agent.pid) || (await startedByFlotilla(agent.pid))) continue;
    const level = agent.agent === 'claude' ? await readClaudeSessionFile(options.home, agent.pid) : null;
    let signal: FoundSignal;
    if (level) signal = { kind: 'session-file', level };
    else {
      const screen = await tmux.run(['capture-pane', '-p', '-t', pane.paneId], { timeoutMs: 3_000 });
      signal = { kind: 'screen', screen: screen.exitCode === 0 ? screen.stdout.replace(/\s+$/, '') : '', paneDead: false };
    }
    out.found.push({
      key: `tmux:${socketName}:${pane.paneId}:${agent.pid}`,
      scope: `tmux:${socketName}`,
      agent: agent.agent,
      pid: agent.pid,
      cwd: pane.cwd,
      tmuxSocket: socketName,
      paneId: pane.paneId,
      name: paneName(pane),
      where: `tmux pane ${pane.paneId} (session ${pane.sessionName}, window ${pane.windowIndex}, pane ${pane.paneIndex}) on the user's tmux server "${socketName}"`,
      agentSessionId: level?.sessionId ?? null,
      signal,
    });
  }
}

const SessionFileHead = z.looseObject({ cwd: z.string().optional(), kind: z.string().optional() });

async function scanClaudeFiles(options: ScanOptions, inTmux: ReadonlySet<number>, out: ScanResult): Promise<void> {
  const dir = join(options.home, '.claude', 'sessions');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') out.failed.add('claude-files');
    return;
  }
  for (const name of names) {
    const match = /^(\d+)\.json$/.exec(name);
    const pid = Number(match?.[1]);
    if (!match || inTmux.has(pid) || options.managedPids.has(pid) || !isAlive(pid)) continue;
    const argv = await commandLine(pid);
    // A file left by a crashed Claude whose pid now belongs to something else is not a session.
    if (argv && agentOfCommand(argv) !== 'claude') continue;
    if (await startedByFlotilla(pid)) continue;
    const level = await readClaudeSessionFile(options.home, pid);
    if (!level) continue;
    const head = SessionFileHead.safeParse(JSON.parse(await readFile(join(dir, name), 'utf8').catch(() => '{}')));
    if (head.success && head.data.kind && head.data.kind !== 'interactive') continue;
    out.found.push({
      key: `claude:${pid}`,
      scope: 'claude-files',
      agent: 'claude',
      pid,
      cwd: (head.success && head.data.cwd) || '',
      tmuxSocket: null,
      paneId: null,
      name: safeName(`claude-${pid}`),
      where: `Claude Code session (pid ${pid}) outside tmux`,
      agentSessionId: level.sessionId,
      signal: { kind: 'session-file', level },
    });
  }
}

function addBackground(entries: ClaudeBackground[], out: ScanResult): void {
  for (const entry of entries) {
    const id = entry.sessionId ?? entry.id;
    out.found.push({
      key: `claude-bg:${id}`,
      scope: 'claude-bg',
      agent: 'claude',
      pid: null,
      cwd: entry.cwd,
      tmuxSocket: null,
      paneId: null,
      name: safeName(`claude-bg-${entry.id.slice(0, 12)}`),
      where: `Claude Code background session ${entry.id} (claude --bg)`,
      agentSessionId: id,
      signal: { kind: 'claude-agents', state: entry.state },
    });
  }
}

/** One pass; never throws (a part that fails is named in `failed`). */
export async function scanExternal(options: ScanOptions): Promise<ScanResult> {
  const out: ScanResult = { found: [], failed: new Set() };
  const table = await readProcessTable().catch(() => new Map() as ProcessTable);
  const sockets = await options.tmuxSockets().catch(() => {
    out.failed.add('tmux');
    return [] as string[];
  });
  for (const socket of sockets) await scanSocket(socket, options, table, out).catch(() => out.failed.add(`tmux:${socket}`));
  const inTmux = new Set(out.found.flatMap((f) => (f.pid === null ? [] : [f.pid])));
  await scanClaudeFiles(options, inTmux, out).catch(() => out.failed.add('claude-files'));
  const background = await options.claudeBackground().catch(() => null);
  if (background === null) out.failed.add('claude-bg');
  else addBackground(background, out);
  return out;
}
