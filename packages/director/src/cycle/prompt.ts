import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecalledLearning } from '../learnings/codekb-learnings.js';
import { formatLearningsSection } from '../learnings/learning-text.js';
import type { Ticket } from '../tickets/ticket.js';

/** The repo's own instructions for agents, read from the worktree (first found of each). */
const REPO_GUIDES = ['CLAUDE.md', 'AGENTS.md'];

/** Long guides are cut: the agent reads the file itself when it needs more. */
const MAX_GUIDE_CHARS = 20_000;

/**
 * The job's prompt: every ticket's text and comments, then the repo's `CLAUDE.md` / `AGENTS.md`,
 * then the learnings recalled from codekb memory ("Learnings from earlier work", with their dates
 * and outcomes; none when nothing was recalled).
 */
export async function buildPrompt(tickets: readonly Ticket[], worktreePath: string, learnings: readonly RecalledLearning[] = []): Promise<string> {
  const parts = [
    tickets.length === 1 ? 'Work on this ticket in the current git worktree.' : `Work on these ${tickets.length} related tickets in the current git worktree.`,
    'Commit your work on the current branch when done; anything left uncommitted is committed for you.',
  ];
  for (const ticket of tickets) {
    parts.push(`## ${ticket.id}: ${ticket.title}${ticket.url === null ? '' : `\n${ticket.url}`}\n\n${ticket.body.trim() || '(no description)'}`);
    for (const comment of ticket.comments) parts.push(`### Comment by ${comment.author} (${comment.at})\n\n${comment.body.trim()}`);
  }
  for (const guide of REPO_GUIDES) {
    const path = join(worktreePath, guide);
    if (!existsSync(path)) continue;
    const text = await readFile(path, 'utf8');
    parts.push(`## The repository's ${guide}\n\n${text.length > MAX_GUIDE_CHARS ? `${text.slice(0, MAX_GUIDE_CHARS)}\n…(cut)` : text}`);
  }
  const recalled = formatLearningsSection(learnings);
  if (recalled !== null) parts.push(recalled);
  return parts.join('\n\n');
}
