import { resolve } from 'node:path';
import { immediate, type SqliteDatabase } from '@flotilla/kit/sqlite';
import type { z } from 'zod';
import { MemoryError } from './errors.js';
import {
  contentHash,
  LearningSchema,
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

function parseInput<T>(schema: z.ZodType<T>, value: unknown, code: 'MEMORY_INVALID_INPUT' | 'MEMORY_INVALID_IMPORT', where = ''): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'value'}: ${issue.message}`).join('; ');
  throw new MemoryError(code, `${where}${issues}`);
}

function rowById(memory: MemoryStore, id: string): MemoryRow | undefined {
  return memory.sqlite.prepare('SELECT * FROM memories WHERE id = ?').get(id) as MemoryRow | undefined;
}

function rowByHash(memory: MemoryStore, hash: string): MemoryRow | undefined {
  return memory.sqlite.prepare('SELECT * FROM memories WHERE hash = ?').get(hash) as MemoryRow | undefined;
}

/**
 * Records a learning. Remembering the same text for the same repo again does not duplicate it: the
 * tags merge, a given outcome replaces the old one and `updatedAt` moves to now.
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
      memory.sqlite
        .prepare('UPDATE memories SET tags = ?, outcome = ?, updated_at = ? WHERE seq = ?')
        .run(JSON.stringify(normalizeTags([...(JSON.parse(existing.tags) as string[]), ...(tags ?? [])])), outcome ?? existing.outcome, now, existing.seq);
      return toLearning(rowById(memory, existing.id) as MemoryRow);
    }
    const id = ulid(now);
    memory.sqlite
      .prepare('INSERT INTO memories (id, hash, text, tags, repo, outcome, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, hash, text, JSON.stringify(normalizeTags(tags)), repo ?? null, outcome ?? null, now, now);
    return toLearning(rowById(memory, id) as MemoryRow);
  });
}

/** Learnings newest first (by `updatedAt`); `repo` keeps that repo's and the global (null) ones. */
export function listMemories(memory: MemoryStore, options: { repo?: string; tag?: string; limit?: number } = {}): Learning[] {
  const rows = memory.sqlite
    .prepare(
      `SELECT * FROM memories
       WHERE (? IS NULL OR repo = ? OR repo IS NULL) AND (? IS NULL OR EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?))
       ORDER BY updated_at DESC, id DESC LIMIT ?`,
    )
    .all(options.repo ?? null, options.repo ?? null, options.tag ?? null, options.tag ?? null, options.limit ?? -1) as MemoryRow[];
  return rows.map(toLearning);
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

/** Deletes a learning; false when no learning has this id. */
export function deleteMemory(memory: MemoryStore, id: string): boolean {
  return memory.sqlite.prepare('DELETE FROM memories WHERE id = ?').run(id).changes > 0;
}

/** Every learning, oldest first: write one `JSON.stringify` per line for a JSONL export. */
export function exportMemories(memory: MemoryStore): Learning[] {
  return (memory.sqlite.prepare('SELECT * FROM memories ORDER BY created_at, id').all() as MemoryRow[]).map(toLearning);
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
 * union, `createdAt` the earlier, `updatedAt` the later, and the outcome that of the later-updated
 * side (the existing one on a tie, unless it is null), and so is the text's spelling (equal but for
 * whitespace). The merge is commutative, so hosts that
 * exchange exports converge. Every item is validated first; one invalid item imports nothing
 * (`MEMORY_INVALID_IMPORT`, naming the item).
 */
export function importMemories(memory: MemoryStore, items: readonly unknown[]): ImportResult {
  const learnings = items.map((item, index) => parseInput(LearningSchema, item, 'MEMORY_INVALID_IMPORT', `item ${index + 1}: `));
  const result: ImportResult = { added: 0, merged: 0, unchanged: 0 };
  immediate(memory.sqlite, () => {
    for (const learning of learnings) result[importOne(memory, learning)]++;
  });
  return result;
}

function importOne(memory: MemoryStore, learning: Learning): keyof ImportResult {
  const hash = contentHash(learning.text, learning.repo);
  const created = Date.parse(learning.createdAt);
  const updated = Date.parse(learning.updatedAt);
  const existing = rowByHash(memory, hash);
  if (existing === undefined) {
    const id = rowById(memory, learning.id) === undefined ? learning.id : ulid(created);
    memory.sqlite
      .prepare('INSERT INTO memories (id, hash, text, tags, repo, outcome, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, hash, learning.text.trim(), JSON.stringify(normalizeTags(learning.tags)), learning.repo, learning.outcome, created, updated);
    return 'added';
  }
  const tags = JSON.stringify(normalizeTags([...(JSON.parse(existing.tags) as string[]), ...learning.tags]));
  const incomingWins = updated > existing.updated_at || existing.outcome === null;
  const outcome = incomingWins ? (learning.outcome ?? existing.outcome) : existing.outcome;
  const text = updated > existing.updated_at ? learning.text.trim() : existing.text;
  const createdAt = Math.min(created, existing.created_at);
  const updatedAt = Math.max(updated, existing.updated_at);
  const same = text === existing.text && tags === existing.tags && outcome === existing.outcome;
  if (same && createdAt === existing.created_at && updatedAt === existing.updated_at) return 'unchanged';
  memory.sqlite
    .prepare('UPDATE memories SET text = ?, tags = ?, outcome = ?, created_at = ?, updated_at = ? WHERE seq = ?')
    .run(text, tags, outcome, createdAt, updatedAt, existing.seq);
  return 'merged';
}
