import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess, type RunProcessResult } from '@flotilla/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDINGS_KEY, QDRANT_KEY, startVectorFixture, type VectorFixture } from './test-support/vector-fixture.js';

const BIN = fileURLToPath(new URL('../../bin/codekb.js', import.meta.url));
const CLIENT_TS = `/** Sends a request through the shared connection pool. */
export async function sendRequest(url: string): Promise<Response> {
  // When the server is busy, wait and try again: exponential backoff.
  return fetch(url);
}
`;

/** The parent's environment without any CODEKB_* setting, plus `extra`. */
function environment(fixture: VectorFixture, extra: Record<string, string>): Record<string, string> {
  const base = Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !entry[0].startsWith('CODEKB_'));
  return { ...Object.fromEntries(base), FLOTILLA_HOME: join(fixture.repo.dir, 'home'), DEBUG: 'codekb:*', ...extra };
}

function codekb(fixture: VectorFixture, args: string[], extra: Record<string, string> = {}): Promise<RunProcessResult> {
  return runProcess({ command: process.execPath, args: [BIN, ...args], cwd: fixture.repo.root, env: environment(fixture, extra), timeoutMs: 60_000 });
}

function expectNoKeys(run: RunProcessResult): void {
  for (const key of [QDRANT_KEY, EMBEDDINGS_KEY]) expect(`${run.stdout}${run.stderr}`).not.toContain(key);
}

describe('codekb CLI with vector search', () => {
  let fixture: VectorFixture;
  beforeAll(async () => {
    fixture = await startVectorFixture({ 'src/net/client.ts': CLIENT_TS });
  });
  afterAll(async () => {
    await fixture?.[Symbol.asyncDispose]();
  });

  it('should embed after indexing and report it in the summary, with debug logs on and no key in them', async () => {
    const run = await codekb(fixture, ['index', fixture.repo.root, '--db', fixture.repo.dbPath], fixture.env);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\n {2}vectors {4}9 files embedded \(\d+ chunks\), 0 unchanged, 0 removed in [\d.]+ s → codekb-index-[0-9a-f]{8} \(hash-embed-256\)$/m);
    expect(run.stderr).toContain('codekb:vector');
    expectNoKeys(run);
    const again = await codekb(fixture, ['index', fixture.repo.root, '--db', fixture.repo.dbPath, '--json'], fixture.env);
    expect(JSON.parse(again.stdout)).toMatchObject({ updated: 0, vectors: { ok: true, embedded: 0, unchanged: 9 } });
  });

  it('should search with vectors fused in', async () => {
    const run = await codekb(fixture, ['search', 'exponential', 'backoff', 'when', 'busy', '--repo', fixture.repo.root, '--db', fixture.repo.dbPath], fixture.env);
    expect(run.exitCode, run.stderr).toBe(0);
    // BM25 cites the comment holding the words; only the vectors find the function itself.
    expect(run.stdout.split('\n').slice(0, 2)).toEqual([
      'src/net/client.ts:3  // When the server is busy, wait and try again: exponential backoff.',
      'src/net/client.ts:2  [function] export async function sendRequest(url: string): Promise<Response> {',
    ]);
    expectNoKeys(run);
  });

  it('should keep the SQLite index and exit 1 with a clear report when Qdrant is down', async () => {
    const down = ['--qdrant-url', 'http://127.0.0.1:9'];
    const run = await codekb(fixture, ['index', fixture.repo.root, '--db', fixture.repo.dbPath, ...down], fixture.env);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^indexed /);
    expect(run.stdout).toMatch(/\n {2}vectors {4}FAILED VECTOR_STORE_UNAVAILABLE: Qdrant at http:\/\/127\.0\.0\.1:9 unreachable/);
    expect(run.stderr).toContain('codekb: vector index failed (VECTOR_STORE_UNAVAILABLE); the SQLite index is complete and search answers with BM25');
    expectNoKeys(run);
    const search = await codekb(fixture, ['search', 'Circle', '--repo', fixture.repo.root, '--db', fixture.repo.dbPath, ...down], fixture.env);
    expect(search.exitCode, search.stderr).toBe(0);
    expect(search.stdout.split('\n')[0]).toBe('src/shapes.ts:15  [class] export class Circle implements Shape {');
    expect(search.stderr).toMatch(/^codekb: vector search unavailable, BM25 results only \(VECTOR_STORE_UNAVAILABLE: /m);
    expectNoKeys(search);
  });

  it('should refuse a bad configuration with exit 2 and say what to fix', async () => {
    const run = await codekb(fixture, ['search', 'Circle', '--repo', fixture.repo.root, '--db', fixture.repo.dbPath], {
      CODEKB_QDRANT_URL: 'localhost:6333',
      CODEKB_EMBEDDINGS_API_KEY: EMBEDDINGS_KEY,
    });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      [
        'codekb: invalid vector search configuration:',
        '  - CODEKB_QDRANT_URL (or --qdrant-url) must be an http(s) URL such as http://127.0.0.1:6333 (got "localhost:6333")',
        '  - CODEKB_EMBEDDINGS_URL (or --embeddings-url) is required: vector search needs a Qdrant URL, an embeddings URL and a model',
        '  - CODEKB_EMBEDDINGS_MODEL (or --embeddings-model) is required: vector search needs a Qdrant URL, an embeddings URL and a model',
        '',
      ].join('\n'),
    );
  });

  it('should index with BM25 only, as before, when nothing is configured', async () => {
    const run = await codekb(fixture, ['index', fixture.repo.root, '--db', fixture.repo.dbPath, '--json'], {});
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).not.toHaveProperty('vectors');
  });
});
