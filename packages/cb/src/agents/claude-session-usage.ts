import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Usage } from '@flotilla/protocol';
import { toUsage } from './claude-accumulator.js';
import { maxUsage, sumUsage } from './usage.js';
import { parseJsonLine } from './lines.js';

/**
 * Token usage from Claude Code's own session transcript (`<config dir>/projects/<cwd>/<session>.jsonl`),
 * for runs that ended without a result line (timeout, cancel, crash). Each content block repeats its
 * message's usage, so it is deduplicated by message id, keeping the final (largest) figures.
 */
export function claudeSessionUsage(sessionId: string, env: Readonly<Record<string, string | undefined>>): Usage | null {
  const configDir = env.CLAUDE_CONFIG_DIR ?? join(env.HOME ?? '/', '.claude');
  const projects = join(configDir, 'projects');
  let dirs: string[];
  try {
    dirs = readdirSync(projects);
  } catch {
    return null;
  }
  for (const dir of dirs) {
    let text: string;
    try {
      text = readFileSync(join(projects, dir, `${sessionId}.jsonl`), 'utf8');
    } catch {
      continue;
    }
    const byMessage = new Map<string, Usage>();
    for (const raw of text.split('\n')) {
      const line = parseJsonLine(raw) as { type?: unknown; message?: { id?: unknown; usage?: unknown } } | null;
      if (line?.type !== 'assistant' || typeof line.message?.id !== 'string' || !line.message.usage) continue;
      const usage = toUsage(line.message.usage as Parameters<typeof toUsage>[0]);
      byMessage.set(line.message.id, maxUsage(byMessage.get(line.message.id) ?? usage, usage));
    }
    return sumUsage(byMessage.values());
  }
  return null;
}
