import { resolve } from 'node:path';
import { immediate, type SqliteDatabase } from '@flotilla/kit/sqlite/connection';
import type { z } from 'zod';
import { MemoryError } from './errors.js';
import {
  contentHash,
  normalizeTags,
  RememberInputSchema,
  toLearning,
  ulid,
  type Learning,
  type MemoryRow,
  type Outcome,
  type RememberInput,
} from './model.js';
import { defaultMemoryPath, openMemoryDatabase } from './schema.js';

/** An opened `memory.db`; what every memory function takes. */
export interface MemoryStore extends Disposable {
  readonly path: string;
  readonly sqlite: SqliteDatabase;
  /** Milliseconds since the epoch; injectable so ranking by recency is testable. */
  readonly now: () => number;
  close(): void;
}

/**
 * Opens (creating and migrating) the agent memory database, by default
 * `$FLOTILLA_HOME/codekb/memory.db` — a file of its own, so a re-index never touches it.
 *
 * @example
 * using memory = openMemory();
 * remember(memory, { text: 'run pnpm build before the tests', tags: ['build'], outcome: 'success' });
 */
export function openMemory(options: { path?: string; now?: () => number } = {}): MemoryStore {
  const path = resolve(options.path ?? defaultMemoryPath());
  const { sqlite, close } = openMemoryDatabase(path);
  return { path, sqlite, now: options.now ?? Date.now, close, [Symbol.dispose]: close };
}

export function parseInput<T>(schema: z.ZodType<T>, value: unknown, code: 'MEMORY_INVALID_INPUT' | 'MEMORY_INVALID_IMPORT', where = ''): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'value'}: ${issue.message}`).join('; ');
  throw new MemoryError(code, `${where}${issues}`);
}

export function rowById(memory: MemoryStore, id: string): MemoryRow | undefined {
  return memory.sqlite.prepare('SELECT * FROM memories WHERE id = ?').get(id) as MemoryRow | undefined;
}

export function rowByHash(memory: MemoryStore, hash: string): MemoryRow | undefined {
  return memory.sqlite.prepare('SELECT * FROM memories WHERE hash = ?').get(hash) as MemoryRow | undefined;
}

/**
 * Records a learning. Remembering the same text for the same repo again does not duplicate it: it
 * counts as learned once more (`timesLearned`), the tags merge, a given outcome replaces the old one
 * and `updatedAt` moves to now. When that text was merged into another learning by a consolidation,
 * the learning that replaced it is the one learned again (and returned); when it (or the learning
 * it was merged into) had been overruled by a contradiction, that one is current again — new
 * evidence the next consolidation weighs.
 *
 * @example
 * remember(memory, { text: 'vitest needs --pool=forks here', tags: ['test'], outcome: 'failure', repo: 'github.com/acme/app' });
 */
export function remember(memory: MemoryStore, input: RememberInput): Learning {
  const { text, tags, outcome, repo } = parseInput(RememberInputSchema, input, 'MEMORY_INVALID_INPUT');
  const now = memory.now();
  const hash = contentHash(text, repo ?? null);
  return immediate(memory.sqlite, () => {
    const existing = rowByHash(memory, hash);
    if (existing !== undefined) {
      const target = existing.superseded_reason === 'duplicate' ? mergedInto(memory, existing) : undefined;
      const row = target ?? existing;
      const newOutcome = target === undefined ? (outcome ?? existing.outcome) : (target.outcome ?? outcome ?? null);
      memory.sqlite
        .prepare('UPDATE memories SET tags = ?, outcome = ?, updated_at = ?, times_learned = times_learned + 1, superseded_by = NULL, superseded_reason = NULL WHERE seq = ?')
        .run(JSON.stringify(normalizeTags([...(JSON.parse(row.tags) as string[]), ...(tags ?? [])])), newOutcome, now, row.seq);
      return toLearning(rowById(memory, row.id) as MemoryRow);
    }
    const id = ulid(now);
    memory.sqlite
      .prepare('INSERT INTO memories (id, hash, text, tags, repo, outcome, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, hash, text, JSON.stringify(normalizeTags(tags)), repo ?? null, outcome ?? null, now, now);
    return toLearning(rowById(memory, id) as MemoryRow);
  });
}

/** Hops followed through `superseded_by` before giving up (chains are one hop; this bounds a cycle). */
const MAX_HOPS = 16;

/**
 * The learning `row` was merged into, following `duplicate` links only: a current learning, or one
 * overruled by a contradiction (the lesson it says is the one learned again); undefined when a link
 * leads nowhere.
 */
export function mergedInto(memory: MemoryStore, row: MemoryRow): MemoryRow | undefined {
  let current: MemoryRow = row;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (current.superseded_reason !== 'duplicate' || current.superseded_by === null) return current;
    const next = rowById(memory, current.superseded_by);
    if (next === undefined) return undefined;
    current = next;
  }
  return undefined;
}

/**
 * Learnings newest first (by `updatedAt`), each with the ids it replaced; `repo` keeps that repo's
 * and the global (null) ones; superseded learnings only with `all`.
 */
export function listMemories(memory: MemoryStore, options: { repo?: string; tag?: string; limit?: number; all?: boolean } = {}): Learning[] {
  const rows = memory.sqlite
    .prepare(
      `SELECT * FROM memories
       WHERE (? IS NULL OR repo = ? OR repo IS NULL) AND (? IS NULL OR EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?))
         AND (? OR superseded_by IS NULL)
       ORDER BY updated_at DESC, id DESC LIMIT ?`,
    )
    .all(options.repo ?? null, options.repo ?? null, options.tag ?? null, options.tag ?? null, options.all === true ? 1 : 0, options.limit ?? -1) as MemoryRow[];
  return withReplaces(memory, rows);
}

/** Learnings with `replaces`: the ids of the learnings superseded by each. */
export function withReplaces(memory: MemoryStore, rows: readonly MemoryRow[]): Learning[] {
  const links = memory.sqlite.prepare('SELECT id, superseded_by FROM memories WHERE superseded_by IS NOT NULL ORDER BY id').all() as { id: string; superseded_by: string }[];
  const replaces = new Map<string, string[]>();
  for (const link of links) {
    const list = replaces.get(link.superseded_by);
    if (list === undefined) replaces.set(link.superseded_by, [link.id]);
    else list.push(link.id);
  }
  return rows.map((row) => {
    const learning = toLearning(row);
    const replaced = replaces.get(row.id);
    return replaced === undefined ? learning : { ...learning, replaces: replaced };
  });
}

/** Fields `editMemory` can change. */
export interface MemoryPatch {
  text?: string;
  tags?: string[];
  outcome?: Outcome | null;
  repo?: string | null;
}

/**
 * Changes a learning; returns it, or undefined when no learning has this id. Throws
 * `MEMORY_DUPLICATE` when the new text (and repo) equals another learning's.
 */
export function editMemory(memory: MemoryStore, id: string, patch: MemoryPatch): Learning | undefined {
  return immediate(memory.sqlite, () => {
    const row = rowById(memory, id);
    if (row === undefined) return undefined;
    const current = toLearning(row);
    const next = parseInput(RememberInputSchema, { ...current, ...patch }, 'MEMORY_INVALID_INPUT');
    const repo = next.repo ?? null;
    const hash = contentHash(next.text, repo);
    const clash = rowByHash(memory, hash);
    if (clash !== undefined && clash.id !== id) throw new MemoryError('MEMORY_DUPLICATE', `learning ${clash.id} already says this; edit or delete that one`);
    memory.sqlite
      .prepare('UPDATE memories SET hash = ?, text = ?, tags = ?, repo = ?, outcome = ?, updated_at = ? WHERE seq = ?')
      .run(hash, next.text, JSON.stringify(normalizeTags(next.tags)), repo, next.outcome ?? null, memory.now(), row.seq);
    return toLearning(rowById(memory, id) as MemoryRow);
  });
}

/**
 * Deletes a learning; false when no learning has this id. Learnings it had overruled by
 * contradiction are current again (the one that overruled them is gone); its merged duplicates say
 * what was deleted and stay superseded (`memory ls --all` shows them).
 */
export function deleteMemory(memory: MemoryStore, id: string): boolean {
  return immediate(memory.sqlite, () => {
    memory.sqlite.prepare("UPDATE memories SET superseded_by = NULL, superseded_reason = NULL WHERE superseded_by = ? AND superseded_reason = 'contradicted'").run(id);
    return memory.sqlite.prepare('DELETE FROM memories WHERE id = ?').run(id).changes > 0;
  });
}
