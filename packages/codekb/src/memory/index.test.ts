import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultMemoryPath,
  deleteMemory,
  editMemory,
  exportMemories,
  importMemories,
  isMemoryError,
  listMemories,
  MEMORY_SCHEMA_VERSION,
  openMemory,
  recall,
  remember,
  type MemoryStore,
} from './index.js';
import { normalizeRemote } from './repo-key.js';

const DAY = 86_400_000;
const T0 = Date.parse('2025-01-01T00:00:00Z');

describe('memory', () => {
  let dir: string;
  let clock: number;
  let memory: MemoryStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'codekb-memory-'));
    clock = T0;
    memory = openMemory({ path: join(dir, 'memory.db'), now: () => clock });
  });
  afterEach(() => {
    memory.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should live in its own versioned file under FLOTILLA_HOME', () => {
    expect(defaultMemoryPath({ FLOTILLA_HOME: '/x' })).toBe('/x/codekb/memory.db');
    expect(memory.sqlite.pragma('user_version', { simple: true })).toBe(MEMORY_SCHEMA_VERSION);
  });

  it('should remember a learning and merge a repeat instead of duplicating it', () => {
    const first = remember(memory, { text: 'Run pnpm build before the tests', tags: ['build', ' build '], outcome: 'success', repo: 'acme/app' });
    expect(first).toMatchObject({ text: 'Run pnpm build before the tests', tags: ['build'], outcome: 'success', repo: 'acme/app', createdAt: '2025-01-01T00:00:00.000Z' });
    expect(first.id).toMatch(/^[0-9A-Z]{26}$/);
    clock += DAY;
    const again = remember(memory, { text: 'Run  pnpm build before the tests ', tags: ['ci'], repo: 'acme/app' });
    expect(again).toMatchObject({ id: first.id, tags: ['build', 'ci'], outcome: 'success', updatedAt: '2025-01-02T00:00:00.000Z' });
    expect(listMemories(memory)).toHaveLength(1);
    expect(() => remember(memory, { text: '   ' })).toThrow(/text must not be empty/);
  });

  it('should rank a recent memory above an older, equally relevant one', () => {
    const old = remember(memory, { text: 'alpha: vitest needs the forks pool here' });
    clock += 90 * DAY;
    const recent = remember(memory, { text: 'omega: vitest needs the forks pool here' });
    remember(memory, { text: 'unrelated note about docker networking' });
    const hits = recall(memory, { query: 'vitest forks pool' });
    expect(hits.map((hit) => hit.id)).toEqual([recent.id, old.id]);
    expect(hits[0]?.relevance).toBeCloseTo(1);
    expect(hits[1]?.relevance).toBeCloseTo(1);
    expect(hits[1]?.recency).toBeCloseTo(Math.exp(-3));
    expect(hits[1]?.score).toBeCloseTo(0.5 + 0.5 * Math.exp(-3));
  });

  it('should let relevance outweigh recency, match tags, and filter by repo', () => {
    const exact = remember(memory, { text: 'the tree-sitter native binding leaks trees; recycle workers', tags: ['memory'], repo: 'acme/app' });
    clock += 60 * DAY;
    remember(memory, { text: 'workers are fine', repo: 'acme/app' });
    remember(memory, { text: 'tree-sitter in another repo', repo: 'other/repo' });
    expect(recall(memory, { query: 'tree-sitter binding leaks workers', repo: 'acme/app' })[0]?.id).toBe(exact.id);
    expect(recall(memory, { query: 'memory' }).map((hit) => hit.id)).toEqual([exact.id]);
    expect(recall(memory, { query: 'tree-sitter', repo: 'acme/app' }).map((hit) => hit.repo)).toEqual(['acme/app']);
    expect(recall(memory, { query: '  ?! ' })).toEqual([]);
  });

  it('should edit, refuse an edit that duplicates another learning, and delete', () => {
    const a = remember(memory, { text: 'first' });
    const b = remember(memory, { text: 'second' });
    clock += DAY;
    expect(editMemory(memory, a.id, { text: 'first, revised', tags: ['x'], outcome: 'note' })).toMatchObject({ text: 'first, revised', tags: ['x'], outcome: 'note', updatedAt: '2025-01-02T00:00:00.000Z' });
    expect(recall(memory, { query: 'revised' }).map((hit) => hit.id)).toEqual([a.id]);
    let caught: unknown;
    try {
      editMemory(memory, a.id, { text: 'second' });
    } catch (error) {
      caught = error;
    }
    expect(isMemoryError(caught, 'MEMORY_DUPLICATE')).toBe(true);
    expect(editMemory(memory, 'nope', { text: 'x' })).toBeUndefined();
    expect(deleteMemory(memory, b.id)).toBe(true);
    expect(deleteMemory(memory, b.id)).toBe(false);
    expect(recall(memory, { query: 'second' })).toEqual([]);
  });

  it('should import idempotently and merge exports from two hosts', () => {
    remember(memory, { text: 'shared learning', tags: ['a'], repo: 'acme/app' });
    remember(memory, { text: 'only here', outcome: 'failure' });
    const exported = JSON.parse(JSON.stringify(exportMemories(memory))) as unknown[];

    using other = openMemory({ path: join(dir, 'other.db'), now: () => T0 + 5 * DAY });
    remember(other, { text: 'shared   learning', tags: ['b'], outcome: 'success', repo: 'acme/app' });
    expect(importMemories(other, exported)).toEqual({ added: 1, merged: 1, unchanged: 0 });
    expect(importMemories(other, exported)).toEqual({ added: 0, merged: 0, unchanged: 2 });
    const byText = (a: { text: string }, b: { text: string }) => a.text.localeCompare(b.text);
    const merged = exportMemories(other).sort(byText);
    expect(merged.map((l) => [l.text, l.tags, l.outcome, l.createdAt, l.updatedAt])).toEqual([
      ['only here', [], 'failure', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
      ['shared   learning', ['a', 'b'], 'success', '2025-01-01T00:00:00.000Z', '2025-01-06T00:00:00.000Z'],
    ]);
    // Back to the first host: it converges on the same state, and a second pass changes nothing.
    expect(importMemories(memory, merged)).toEqual({ added: 0, merged: 1, unchanged: 1 });
    expect(importMemories(memory, merged)).toEqual({ added: 0, merged: 0, unchanged: 2 });
    expect(exportMemories(memory).sort(byText).map(({ id: _id, ...rest }) => rest)).toEqual(merged.map(({ id: _id, ...rest }) => rest));
  });

  it('should reject an invalid import as a whole, naming the item', () => {
    const good = { id: 'X1', text: 'ok', tags: [], repo: null, outcome: null, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z' };
    expect(() => importMemories(memory, [good, { ...good, outcome: 'maybe' }])).toThrow(/item 2: outcome/);
    expect(listMemories(memory)).toEqual([]);
  });

  it('should normalise git remotes into a host-independent repo key', () => {
    expect(normalizeRemote('git@github.com:acme/app.git')).toBe('github.com/acme/app');
    expect(normalizeRemote('https://user@github.com/acme/app/')).toBe('github.com/acme/app');
  });
});
