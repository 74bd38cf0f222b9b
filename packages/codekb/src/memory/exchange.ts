/**
 * Export and import of learnings (JSON Lines), so a hub can merge the memories of many hosts.
 * Superseded learnings travel too, with what replaced them, so a merge or an overruling made on one
 * host is not undone — nor its history lost — on another.
 */
import { immediate } from '@flotilla/kit/sqlite/connection';
import { contentHash, LearningSchema, normalizeTags, ulid, type Learning, type MemoryRow } from './model.js';
import { parseInput, rowByHash, rowById, withReplaces, type MemoryStore } from './store.js';

/** Every learning, superseded ones included, oldest first: write one `JSON.stringify` per line for a JSONL export. */
export function exportMemories(memory: MemoryStore): Learning[] {
  return withReplaces(memory, memory.sqlite.prepare('SELECT * FROM memories ORDER BY created_at, id').all() as MemoryRow[]);
}

export interface ImportResult {
  added: number;
  /** Already present (same text and repo) and changed by the merge. */
  merged: number;
  unchanged: number;
}

/**
 * Merges exported learnings in by content hash (text + repo), in one transaction, so importing the
 * same export twice, or exports from several hosts, never duplicates. On a match the tags are the
 * union, `createdAt` the earlier, `updatedAt` the later, `timesLearned` the larger, `contested`
 * either's, and the outcome that of the later-updated side (the existing one on a tie, unless it is
 * null), and so is the text's spelling (equal but for whitespace). A learning superseded on either
 * side stays superseded, by the learning with the smaller id when both name one (ids of the export
 * are translated to the ones they were merged into here; a link to a learning absent here, or one
 * that would close a cycle, is not made). The merge is commutative, so hosts that exchange exports
 * converge. Every item is validated first; one invalid item imports nothing
 * (`MEMORY_INVALID_IMPORT`, naming the item).
 */
export function importMemories(memory: MemoryStore, items: readonly unknown[]): ImportResult {
  const learnings = items.map((item, index) => parseInput(LearningSchema, item, 'MEMORY_INVALID_IMPORT', `item ${index + 1}: `));
  const result: ImportResult = { added: 0, merged: 0, unchanged: 0 };
  immediate(memory.sqlite, () => {
    const localIds = new Map<string, string>();
    const outcomes = learnings.map((learning) => {
      const { outcome, id } = importOne(memory, learning);
      localIds.set(learning.id, id);
      return outcome;
    });
    learnings.forEach((learning, index) => {
      if (linkSuperseded(memory, learning, localIds) && outcomes[index] === 'unchanged') outcomes[index] = 'merged';
    });
    for (const outcome of outcomes) result[outcome]++;
  });
  return result;
}

function importOne(memory: MemoryStore, learning: Learning): { outcome: keyof ImportResult; id: string } {
  const hash = contentHash(learning.text, learning.repo);
  const created = Date.parse(learning.createdAt);
  const updated = Date.parse(learning.updatedAt);
  const contested = learning.contested ? 1 : 0;
  const existing = rowByHash(memory, hash);
  if (existing === undefined) {
    const id = rowById(memory, learning.id) === undefined ? learning.id : ulid(created);
    memory.sqlite
      .prepare('INSERT INTO memories (id, hash, text, tags, repo, outcome, created_at, updated_at, times_learned, contested) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, hash, learning.text.trim(), JSON.stringify(normalizeTags(learning.tags)), learning.repo, learning.outcome, created, updated, learning.timesLearned, contested);
    return { outcome: 'added', id };
  }
  const tags = JSON.stringify(normalizeTags([...(JSON.parse(existing.tags) as string[]), ...learning.tags]));
  const incomingWins = updated > existing.updated_at || existing.outcome === null;
  const next = {
    text: updated > existing.updated_at ? learning.text.trim() : existing.text,
    tags,
    outcome: incomingWins ? (learning.outcome ?? existing.outcome) : existing.outcome,
    created_at: Math.min(created, existing.created_at),
    updated_at: Math.max(updated, existing.updated_at),
    times_learned: Math.max(learning.timesLearned, existing.times_learned),
    contested: Math.max(contested, existing.contested),
  };
  const fields = Object.keys(next) as (keyof typeof next)[];
  if (fields.every((field) => next[field] === existing[field])) return { outcome: 'unchanged', id: existing.id };
  memory.sqlite
    .prepare('UPDATE memories SET text = ?, tags = ?, outcome = ?, created_at = ?, updated_at = ?, times_learned = ?, contested = ? WHERE seq = ?')
    .run(next.text, next.tags, next.outcome, next.created_at, next.updated_at, next.times_learned, next.contested, existing.seq);
  return { outcome: 'merged', id: existing.id };
}

/** Supersedes the imported learning's row here as the export says; true when that changed it. */
function linkSuperseded(memory: MemoryStore, learning: Learning, localIds: ReadonlyMap<string, string>): boolean {
  if (learning.supersededBy === null || learning.supersededReason === null) return false;
  const row = rowById(memory, localIds.get(learning.id) ?? learning.id);
  const target = localIds.get(learning.supersededBy) ?? learning.supersededBy;
  if (row === undefined || target === row.id || rowById(memory, target) === undefined) return false;
  if (row.superseded_by !== null && row.superseded_by <= target) return false;
  if (leadsTo(memory, target, row.id)) return false;
  memory.sqlite.prepare('UPDATE memories SET superseded_by = ?, superseded_reason = ?, contested = 0 WHERE seq = ?').run(target, learning.supersededReason, row.seq);
  return true;
}

/** True when following `superseded_by` from `start` reaches `id` (a link to it would close a cycle). */
function leadsTo(memory: MemoryStore, start: string, id: string): boolean {
  let next: string | null = start;
  for (let hop = 0; hop < 64 && next !== null; hop++) {
    if (next === id) return true;
    next = rowById(memory, next)?.superseded_by ?? null;
  }
  return false;
}
