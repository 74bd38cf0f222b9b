import { createHash } from 'node:crypto';
import type { Task } from '@flotilla/protocol';
import { z } from 'zod';
import { normalise } from '../flow/quote-check.js';
import type { CheckedProposal } from './proposals.js';
import type { ScoutRecord } from './scout-record.js';

/**
 * "Never twice" for proposals. A proposal is a duplicate of
 * 1. a board task (any status: a proposal a person declined stays declined) that carries the same
 *    fingerprint — the repo and the set of quotes its checked evidence cites, by file;
 * 2. an open board task (proposed, todo, doing, review) of the repo with the same title, words
 *    normalised — a person's own task counts too;
 * 3. an open scout task of the repo that already cites every quote this one cites;
 * 4. a proposal in the scout's own record (same fingerprint or title), even when the board has lost it.
 */
export const OPEN_STATUSES: ReadonlySet<Task['status']> = new Set(['proposed', 'todo', 'doing', 'review']);

/** The last line of a proposed task's body: what the next run compares against. */
const MARKER_PREFIX = 'flotilla-scout: ';
const MarkerSchema = z.object({ fingerprint: z.string(), cites: z.array(z.string()) });
export type ScoutMarker = z.infer<typeof MarkerSchema>;

export interface ProposalIdentity {
  fingerprint: string;
  titleKey: string;
  /** `path#<quote hash>` of every checked quote. */
  cites: string[];
}

export type Duplicate = { of: string; reason: string } | null;

/** The title without a `[repo]` prefix, lower case, punctuation and runs of spaces folded. */
export function titleKeyOf(title: string): string {
  return title
    .replace(/^\s*(\[[^\]]*\]\s*)+/, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * A proposal's identity: its checked quotes as `path#<hash of the quote, whitespace folded>` (lines
 * move as code changes; the quoted text does not), the fingerprint over all of them, and its title key.
 */
export function identityOf(repo: string, proposal: CheckedProposal): ProposalIdentity {
  const verified = proposal.evidence.filter((e) => e.mark === 'verified');
  const cites = [...new Set(verified.map((e) => `${e.path.replace(/^\.\//, '')}#${hash(normalise(e.quote)).slice(0, 8)}`))].sort();
  return { fingerprint: hash(`${repo}\n${cites.join('\n')}`).slice(0, 16), titleKey: titleKeyOf(proposal.title), cites };
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function markerLine(identity: ProposalIdentity): string {
  return `${MARKER_PREFIX}${JSON.stringify({ fingerprint: identity.fingerprint, cites: identity.cites })}`;
}

/** The scout's marker in a task's body, when the task is the scout's. */
export function markerOf(task: Pick<Task, 'body'>): ScoutMarker | null {
  const line = task.body.split('\n').reverse().find((l) => l.startsWith(MARKER_PREFIX));
  if (line === undefined) return null;
  try {
    const parsed = MarkerSchema.safeParse(JSON.parse(line.slice(MARKER_PREFIX.length)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Whether the task is the repo's: its title starts with `[repo]` (how the director routes it). */
export function isRepoTask(task: Pick<Task, 'title'>, repo: string): boolean {
  return task.title.trim().toLowerCase().startsWith(`[${repo.toLowerCase()}]`);
}

/** The first rule that makes this proposal a duplicate, in words; null when it is new. */
export function findDuplicate(repo: string, identity: ProposalIdentity, board: readonly Task[], record: ScoutRecord | null): Duplicate {
  const repoTasks = board.filter((task) => isRepoTask(task, repo));
  for (const task of repoTasks) {
    if (markerOf(task)?.fingerprint === identity.fingerprint) return { of: task.key, reason: `${task.key} (${task.status}) was proposed from the same evidence` };
  }
  for (const task of repoTasks) {
    if (OPEN_STATUSES.has(task.status) && titleKeyOf(task.title) === identity.titleKey) return { of: task.key, reason: `${task.key} (${task.status}) has the same title` };
  }
  if (identity.cites.length > 0) {
    for (const task of repoTasks) {
      const marker = OPEN_STATUSES.has(task.status) ? markerOf(task) : null;
      if (marker !== null && identity.cites.every((cite) => marker.cites.includes(cite))) return { of: task.key, reason: `${task.key} (${task.status}) already cites every quote this one does` };
    }
  }
  const earlier = record?.findProposal(repo, identity.fingerprint, identity.titleKey) ?? null;
  if (earlier !== null) return { of: earlier.taskKey, reason: `proposed before as ${earlier.taskKey} on ${earlier.proposedAt.slice(0, 10)} (the scout's record)` };
  return null;
}
