/**
 * `codekb memory consolidate`: merges near-duplicate learnings and settles contradicting ones
 * (`consolidation-plan.ts` decides; this applies it in one transaction). Nothing is deleted: a
 * replaced learning is kept, superseded by the one that replaced it (`memory ls --all` and export
 * show it), and recall skips it. Deterministic, no model; a second run changes nothing.
 */
import { immediate } from '@flotilla/kit/sqlite/connection';
import { z } from 'zod';
import { OutcomeSchema, type MemoryRow } from './model.js';
import { planConsolidation, type ConsolidationPlan } from './consolidation-plan.js';
import type { MemoryStore } from './store.js';

/** A learning named in a consolidation report. */
export const LearningRefSchema = z.object({
  id: z.string(),
  text: z.string(),
  repo: z.string().nullable(),
  outcome: OutcomeSchema.nullable(),
  updatedAt: z.string(),
});
export type LearningRef = z.infer<typeof LearningRefSchema>;

/** What `consolidateMemories` did (or, dry, would do); `codekb memory consolidate --json` prints it. */
export const ConsolidationReportSchema = z.object({
  dryRun: z.boolean(),
  /** Current learnings examined. */
  examined: z.number().int(),
  /** Near-duplicates merged: `into` is kept with the union of tags and the summed count. */
  merged: z.array(z.object({ into: LearningRefSchema, replaced: z.array(LearningRefSchema), timesLearned: z.number().int(), tags: z.array(z.string()) })),
  /** Older learnings overruled by newer contradicting ones. */
  superseded: z.array(z.object({ learning: LearningRefSchema, by: LearningRefSchema })),
  /** Contradicting pairs neither of which could be preferred, newer first: both current, flagged. */
  contested: z.array(z.tuple([LearningRefSchema, LearningRefSchema])),
  /** Learnings whose contested flag was cleared (their contradiction is settled or gone). */
  uncontested: z.array(LearningRefSchema),
  /** Rows written (0 on a dry run, and on a run with nothing to do). */
  changed: z.number().int(),
});
export type ConsolidationReport = z.infer<typeof ConsolidationReportSchema>;

function ref(row: MemoryRow): LearningRef {
  return { id: row.id, text: row.text, repo: row.repo, outcome: row.outcome, updatedAt: new Date(row.updated_at).toISOString() };
}

function currentRows(memory: MemoryStore): MemoryRow[] {
  return memory.sqlite.prepare('SELECT * FROM memories WHERE superseded_by IS NULL ORDER BY seq').all() as MemoryRow[];
}

/**
 * Consolidates every repo's current learnings; `dryRun` reports without writing.
 *
 * @example
 * const report = consolidateMemories(memory);
 * report.merged[0]; // { into: { id, text, … }, replaced: [{ id, text, … }], timesLearned: 2, tags: ['build', 'ci'] }
 */
export function consolidateMemories(memory: MemoryStore, options: { dryRun?: boolean } = {}): ConsolidationReport {
  const dryRun = options.dryRun === true;
  const run = (): ConsolidationReport => {
    const rows = currentRows(memory);
    const plan = planConsolidation(rows.map((row) => ({ row, tags: z.array(z.string()).parse(JSON.parse(row.tags)) })));
    const contestedIds = new Set(plan.contested.flatMap(([a, b]) => [a.id, b.id]));
    const supersededNow = new Set([...plan.merges.flatMap((m) => m.replaced.map((row) => row.id)), ...plan.overruled.map(({ loser }) => loser.id)]);
    const uncontested = rows.filter((row) => row.contested === 1 && !contestedIds.has(row.id) && !supersededNow.has(row.id));
    const report: ConsolidationReport = {
      dryRun,
      examined: rows.length,
      merged: plan.merges.map((m) => ({ into: ref(m.keep), replaced: m.replaced.map(ref), timesLearned: m.timesLearned, tags: m.tags })),
      superseded: plan.overruled.map(({ loser, winner }) => ({ learning: ref(loser), by: ref(winner) })),
      contested: plan.contested.map(([newer, older]): [LearningRef, LearningRef] => [ref(newer), ref(older)]),
      uncontested: uncontested.map(ref),
      changed: 0,
    };
    if (!dryRun) report.changed = applyPlan(memory, plan, { contestedIds, uncontested, rows });
    return report;
  };
  return dryRun ? run() : immediate(memory.sqlite, run);
}

function applyPlan(memory: MemoryStore, plan: ConsolidationPlan, state: { contestedIds: Set<string>; uncontested: MemoryRow[]; rows: MemoryRow[] }): number {
  const sql = memory.sqlite;
  const updateKept = sql.prepare('UPDATE memories SET tags = ?, times_learned = ?, created_at = ?, updated_at = ?, outcome = ? WHERE id = ?');
  const supersede = sql.prepare('UPDATE memories SET superseded_by = ?, superseded_reason = ?, contested = 0 WHERE id = ?');
  // What a replaced learning had replaced now points at the learning that replaced it: one hop.
  const repoint = sql.prepare("UPDATE memories SET superseded_by = ? WHERE superseded_by = ? AND superseded_reason = 'duplicate'");
  const flag = sql.prepare('UPDATE memories SET contested = ? WHERE id = ?');
  let changed = 0;
  for (const merge of plan.merges) {
    changed += updateKept.run(JSON.stringify(merge.tags), merge.timesLearned, merge.createdAt, merge.updatedAt, merge.outcome, merge.keep.id).changes;
    for (const replaced of merge.replaced) {
      changed += supersede.run(merge.keep.id, 'duplicate', replaced.id).changes;
      changed += repoint.run(merge.keep.id, replaced.id).changes;
    }
  }
  for (const { loser, winner } of plan.overruled) changed += supersede.run(winner.id, 'contradicted', loser.id).changes;
  const wasContested = new Set(state.rows.filter((row) => row.contested === 1).map((row) => row.id));
  for (const id of state.contestedIds) if (!wasContested.has(id)) changed += flag.run(1, id).changes;
  for (const row of state.uncontested) changed += flag.run(0, row.id).changes;
  return changed;
}
