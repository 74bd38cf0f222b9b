import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDINGS_KEY, QDRANT_KEY, startVectorFixture, type VectorFixture } from './test-support/vector-fixture.js';

const BIN = fileURLToPath(new URL('../../bin/codekb.js', import.meta.url));
/** The watcher re-indexes within a second; embedding a file takes a few requests more. */
const FRESH_WITHIN_MS = 15_000;

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + FRESH_WITHIN_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

describe('codekb serve with vector search', () => {
  let fixture: VectorFixture;
  let client: Client;
  let stderr = '';
  const pointNames = (path: string) => fixture.qdrant.points(fixture.backend.collection).filter((point) => point.payload.path === path).map((point) => point.payload.name);
  const search = async (query: string) => (await client.callTool({ name: 'search', arguments: { query } })) as CallToolResult;

  beforeAll(async () => {
    fixture = await startVectorFixture();
    const base = Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !entry[0].startsWith('CODEKB_'));
    const env = { ...Object.fromEntries(base), ...fixture.env, FLOTILLA_HOME: join(fixture.repo.dir, 'home'), DEBUG: 'codekb:*' };
    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'serve', '--repo', fixture.repo.root, '--db', fixture.repo.dbPath], env, stderr: 'pipe' });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    client = new Client({ name: 'codekb-vector-test', version: '0.0.0' });
    await client.connect(transport);
  });
  afterAll(async () => {
    await client?.close();
    await fixture?.[Symbol.asyncDispose]();
  });

  it('should embed the index once it is up to date, keeping the search input contract', async () => {
    await until('the first vector pass', () => pointNames('src/shapes.ts').includes('Circle'));
    const { tools } = await client.listTools();
    const tool = tools.find((entry) => entry.name === 'search');
    expect(Object.keys(tool?.inputSchema.properties ?? {})).toEqual(['query', 'literal', 'language', 'path', 'limit']);
    expect(tool?.description).toContain('fused with vector search');
    const result = await search('Circle');
    expect(result.isError).toBeFalsy();
    expect(textOf(result).split('\n')[0]).toBe('src/shapes.ts:15  [class] export class Circle implements Shape {');
    expect(result.structuredContent).not.toHaveProperty('note');
  });

  it("should refresh an edited file's vectors after the watcher re-indexes it, and drop a deleted file's", async () => {
    await until('the first vector pass', () => pointNames('src/util.js').length > 0);
    const body = '\n/** Sends a request through the shared connection pool. */\nexport function sendRequest(url) {\n  // When the server is busy, wait and try again: exponential backoff.\n  return fetch(url);\n}\n';
    appendFileSync(join(fixture.repo.root, 'src/util.js'), body);
    await until('the edited file to be re-embedded', () => pointNames('src/util.js').includes('sendRequest'));
    const result = await search('exponential backoff when busy');
    // BM25 cites the comment line holding the words; only the re-embedded vectors find the function.
    expect((result.structuredContent as { hits: { cite: string }[] }).hits.slice(0, 2).map((hit) => hit.cite)).toEqual(['src/util.js:21', 'src/util.js:20']);
    rmSync(join(fixture.repo.root, 'go/server.go'));
    await until('the deleted file to lose its points', () => pointNames('go/server.go').length === 0);
  });

  it('should answer with BM25 and a note when Qdrant goes down', async () => {
    await fixture.qdrant.close();
    const result = await search('Circle');
    expect(result.isError).toBeFalsy();
    const lines = textOf(result).split('\n');
    expect(lines[0]).toMatch(/^note: vector search unavailable, BM25 results only \(VECTOR_STORE_UNAVAILABLE: Qdrant at http:\/\/127\.0\.0\.1:\d+ unreachable/);
    expect(lines[1]).toBe('src/shapes.ts:15  [class] export class Circle implements Shape {');
    const data = result.structuredContent as { hits: { cite: string }[]; note?: string };
    expect(data.hits[0]?.cite).toBe('src/shapes.ts:15');
    expect(data.note).toMatch(/^vector search unavailable, BM25 results only/);
  });

  it('should never write an API key to its logs', () => {
    expect(stderr).toContain('codekb:vector');
    expect(stderr).toContain('vector search on: collection codekb-index-');
    expect(stderr).not.toContain(QDRANT_KEY);
    expect(stderr).not.toContain(EMBEDDINGS_KEY);
  });
});
