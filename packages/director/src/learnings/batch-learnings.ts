/**
 * The director's side of learnings for one batch: recall before its prompt is built, record when it
 * ended. Problems (codekb missing or failing) go into the cycle's notes — each said once per cycle —
 * and never fail the batch.
 */
import createDebug from 'debug';
import type { Ticket } from '../tickets/ticket.js';
import type { Learnings, RecalledLearning } from './codekb-learnings.js';
import { batchLearning, learningQuery, type BatchEnd } from './learning-text.js';

const debug = createDebug('director:learnings');

/** Learnings cited in one prompt. */
export const RECALL_LIMIT = 5;

export interface LearningsContext {
  learnings: Learnings | null;
  /** This cycle's notes for the report (a Set: each problem said once). */
  notes: Set<string>;
}

export async function recallForBatch(ctx: LearningsContext, repoPath: string, tickets: readonly Ticket[]): Promise<RecalledLearning[]> {
  if (ctx.learnings === null) return [];
  const found = await ctx.learnings.recall({ repoPath, query: learningQuery(tickets), limit: RECALL_LIMIT });
  if (found.problem !== null) ctx.notes.add(`learnings: ${found.problem}`);
  debug('recalled %d learnings for %s', found.learnings.length, tickets.map((t) => t.id).join(', '));
  return found.learnings;
}

export async function recordBatchLearning(ctx: LearningsContext, end: BatchEnd): Promise<void> {
  if (ctx.learnings === null) return;
  const recorded = await ctx.learnings.remember(batchLearning(end));
  if (!recorded.ok) ctx.notes.add(`learnings: ${recorded.problem}`);
  else debug('recorded learning %s for %s', recorded.id, end.branch);
}
