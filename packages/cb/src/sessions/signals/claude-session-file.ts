/**
 * Claude Code's live session file `<HOME>/.claude/sessions/<pid>.json` — the level source the hook
 * edges are reconciled against (docs/session-signals.md §1): `status` idle | busy | waiting.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { listProcessTree } from '@flotilla/kit/process';
import type { SessionState } from '@flotilla/protocol';

const ClaudeSessionFileSchema = z.looseObject({
  pid: z.number().optional(),
  sessionId: z.string().optional(),
  status: z.string().optional(),
  waitingFor: z.string().nullish(),
  updatedAt: z.number().optional(),
  statusUpdatedAt: z.number().optional(),
});

export interface ClaudeSessionLevel {
  pid: number;
  sessionId: string | null;
  status: 'idle' | 'busy' | 'waiting';
  waitingFor: string | null;
  /** When the status was written (epoch ms). */
  at: number;
}

function sessionFilePath(home: string, pid: number): string {
  return join(home, '.claude', 'sessions', `${pid}.json`);
}

/** The session file of `pid`; null when there is none (not Claude, exited) or it does not parse. */
export async function readClaudeSessionFile(home: string, pid: number): Promise<ClaudeSessionLevel | null> {
  let text: string;
  try {
    text = await readFile(sessionFilePath(home, pid), 'utf8');
  } catch {
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null; // caught mid-write; the next round sees it whole
  }
  const parsed = ClaudeSessionFileSchema.safeParse(value);
  if (!parsed.success) return null;
  const { status } = parsed.data;
  if (status !== 'idle' && status !== 'busy' && status !== 'waiting') return null;
  return {
    pid,
    sessionId: parsed.data.sessionId ?? null,
    status,
    waitingFor: parsed.data.waitingFor ?? null,
    at: parsed.data.statusUpdatedAt ?? parsed.data.updatedAt ?? 0,
  };
}

/**
 * Claude's pid under a pane: the pane's own process when the pane execs Claude directly, else the
 * first descendant that has a session file (a wrapper such as `env` or a shell in between).
 */
export async function findClaudePid(home: string, panePid: number): Promise<number | null> {
  if (await readClaudeSessionFile(home, panePid)) return panePid;
  for (const pid of await listProcessTree(panePid).catch(() => [] as number[])) {
    if (await readClaudeSessionFile(home, pid)) return pid;
  }
  return null;
}

/**
 * What the level says about `current`, or null to keep it. Only news newer than the current
 * state's signal counts, and only the transitions hooks can miss: a rejected permission (Escape:
 * no hook fires), a lost Stop, a lost prompt. `busy` never leaves `idle` (Claude goes busy for a
 * moment after `/clear`), nor `rate_limited`/`compacting` (it stays busy through both).
 */
export function reconcileWithSessionFile(
  level: ClaudeSessionLevel,
  current: { state: SessionState; atMs: number },
): { state: SessionState; waitingFor: string | null } | null {
  if (level.at <= current.atMs && current.state !== 'unknown') return null;
  const from = current.state;
  switch (level.status) {
    case 'idle':
      if (from === 'unknown') return { state: 'idle', waitingFor: null };
      if (from === 'working' || from === 'waiting_permission' || from === 'compacting' || from === 'rate_limited') {
        return { state: 'waiting_input', waitingFor: null };
      }
      return null;
    case 'busy':
      return from === 'waiting_input' || from === 'waiting_permission' || from === 'unknown' ? { state: 'working', waitingFor: null } : null;
    case 'waiting':
      return from === 'working' || from === 'unknown' ? { state: 'waiting_permission', waitingFor: level.waitingFor ?? 'permission prompt' } : null;
  }
}

/** `<home>/.claude/projects/<munged cwd>/<sessionId>.jsonl`, found without re-deriving Claude's munging. */
export async function findClaudeTranscript(home: string, sessionId: string): Promise<string | null> {
  const projects = join(home, '.claude', 'projects');
  const dirs = await readdir(projects).catch(() => [] as string[]);
  for (const dir of dirs) {
    const path = join(projects, dir, `${sessionId}.jsonl`);
    if (await stat(path).then((s) => s.isFile(), () => false)) return path;
  }
  return null;
}
