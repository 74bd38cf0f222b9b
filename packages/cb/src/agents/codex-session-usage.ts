import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Usage } from '@flotilla/protocol';
import { codexUsage } from './codex-accumulator.js';
import { parseJsonLine } from './lines.js';

/**
 * Token usage from Codex's own rollout file (`<codex home>/sessions/YYYY/MM/DD/rollout-…-<thread>.jsonl`),
 * for runs that ended without `turn.completed`: the last `token_count` event's thread total.
 */
export function codexSessionUsage(threadId: string, env: Readonly<Record<string, string | undefined>>): Usage | null {
  const sessions = join(env.CODEX_HOME ?? join(env.HOME ?? '/', '.codex'), 'sessions');
  let files: string[];
  try {
    files = readdirSync(sessions, { recursive: true }) as string[];
  } catch {
    return null;
  }
  const file = files.filter((f) => f.endsWith(`-${threadId}.jsonl`)).sort().pop();
  if (!file) return null;
  let usage: Usage | null = null;
  for (const raw of readFileSync(join(sessions, file), 'utf8').split('\n')) {
    const line = parseJsonLine(raw) as { type?: unknown; payload?: { type?: unknown; info?: { total_token_usage?: unknown } | null } } | null;
    if (line?.type !== 'event_msg' || line.payload?.type !== 'token_count' || !line.payload.info?.total_token_usage) continue;
    usage = codexUsage(line.payload.info.total_token_usage as Parameters<typeof codexUsage>[0]);
  }
  return usage;
}
