import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexRepository } from '../index/indexer.js';
import { tempFixtureRepo, type TempRepo } from '../test-support/fixture.js';

const BIN = fileURLToPath(new URL('../../bin/codekb.js', import.meta.url));

/** A client talking to a real `codekb serve` child over its stdin/stdout. */
async function connectStdio(args: string[], env: Record<string, string>): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'serve', ...args], env: { ...(process.env as Record<string, string>), ...env }, stderr: 'pipe' });
  const client = new Client({ name: 'codekb-test', version: '0.0.0' });
  await client.connect(transport);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

describe('codekb serve over stdio', () => {
  let fixture: TempRepo;
  let client: Client;
  beforeAll(async () => {
    fixture = tempFixtureRepo();
    await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    client = await connectStdio(['--repo', fixture.root, '--db', fixture.dbPath], { FLOTILLA_HOME: join(fixture.dir, 'home') });
  });
  afterAll(async () => {
    await client?.close();
    fixture?.[Symbol.dispose]();
  });

  it('should list exactly the issue\'s tools, the five queries each with an output schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['search', 'definition', 'references', 'outline', 'read', 'repo_map', 'related', 'remember', 'recall']);
    expect(Object.keys(tools.find((tool) => tool.name === 'search')?.inputSchema.properties ?? {})).toEqual(['query', 'literal', 'language', 'path', 'limit']);
    expect(Object.keys(tools.find((tool) => tool.name === 'read')?.inputSchema.properties ?? {})).toEqual(['path', 'start', 'end']);
    for (const tool of tools.slice(0, 5)) expect(tool.outputSchema, tool.name).toBeDefined();
    expect(Object.keys(tools.find((tool) => tool.name === 'remember')?.inputSchema.properties ?? {})).toEqual(['text', 'tags', 'outcome']);
    expect(Object.keys(tools.find((tool) => tool.name === 'recall')?.inputSchema.properties ?? {})).toEqual(['query', 'limit']);
  });

  it('should remember a learning and recall it, and map and relate files', async () => {
    const saved = await call(client, 'remember', { text: 'Circle.area must use Math.PI, not 3.14', tags: ['geometry'], outcome: 'failure' });
    expect(saved.isError).toBeFalsy();
    const recalled = await call(client, 'recall', { query: 'circle area' });
    expect(textOf(recalled)).toContain('Math.PI');
    // Learned again: the agent reads how often, so a lesson many runs taught weighs more.
    await call(client, 'remember', { text: 'Circle.area must use Math.PI, not 3.14', tags: ['geometry'], outcome: 'failure' });
    expect(textOf(await call(client, 'recall', { query: 'circle area' }))).toBe('- Circle.area must use Math.PI, not 3.14  [geometry]  (failure)  (learned 2×)');
    const map = await call(client, 'repo_map', { budget: 200 });
    expect(textOf(map)).toContain('src/shapes.ts');
    const near = await call(client, 'related', { path: 'src/shapes.ts' });
    expect(near.isError).toBeFalsy();
    expect((await call(client, 'related', { path: 'nope.ts' })).isError).toBe(true);
  });

  it('should answer search with path:line citations and the same hits as data', async () => {
    const result = await call(client, 'search', { query: 'Circle' });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('src/shapes.ts:15');
    const hits = (result.structuredContent as { hits: { path: string; line: number }[] }).hits;
    expect(hits[0]).toMatchObject({ cite: 'src/shapes.ts:15', path: 'src/shapes.ts', line: 15, source: 'symbol', name: 'Circle', kind: 'class' });
    for (const hit of hits) expect(textOf(result)).toContain(`${hit.path}:${hit.line}`);
  });

  it('should answer literal search with a path filter', async () => {
    const result = await call(client, 'search', { query: 'needle', literal: true, path: 'docs/**' });
    expect(result.isError).toBeFalsy();
    const hits = (result.structuredContent as { hits: { path: string }[] }).hits;
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((hit) => hit.path.startsWith('docs/'))).toBe(true);
  });

  it('should answer definition, references and outline with citations', async () => {
    const def = await call(client, 'definition', { name: 'Circle.area' });
    expect(textOf(def)).toMatch(/^src\/shapes\.ts:20 {2}method Circle\.area/);
    expect(def.structuredContent).toMatchObject({ hits: [{ path: 'src/shapes.ts', line: 20, kind: 'method', container: 'Circle' }] });

    const refs = await call(client, 'references', { name: 'totalArea' });
    expect(textOf(refs)).toBe('src/widget.tsx:1  totalArea\nsrc/widget.tsx:10  totalArea  (in AreaWidget)');
    expect(refs.structuredContent).toEqual({
      hits: [
        { cite: 'src/widget.tsx:1', path: 'src/widget.tsx', line: 1, name: 'totalArea', enclosing: null },
        { cite: 'src/widget.tsx:10', path: 'src/widget.tsx', line: 10, name: 'totalArea', enclosing: 'AreaWidget' },
      ],
    });

    const tree = await call(client, 'outline', { path: './py/app.py' });
    expect(tree.isError).toBeFalsy();
    expect(textOf(tree)).toMatch(/class Application {2}py\/app\.py:\d+-\d+/);
    const app = (tree.structuredContent as { path: string; symbols: { name: string; children: unknown[] }[] }).symbols.find((node) => node.name === 'Application');
    expect(app?.children.length).toBeGreaterThan(0);
  });

  it('should read numbered lines and cite where they start', async () => {
    const result = await call(client, 'read', { path: 'src/shapes.ts', start: 15, end: 16 });
    expect(result.isError).toBeFalsy();
    expect(textOf(result).split('\n')[0]).toMatch(/^src\/shapes\.ts:15-16 \(of \d+\)$/);
    expect(result.structuredContent).toMatchObject({ path: 'src/shapes.ts', start: 15, end: 16, lines: [{ line: 15 }, { line: 16 }] });
  });

  it('should refuse reads outside the repository and other failures as isError results', async () => {
    for (const path of ['../x', '/etc/passwd', 'src/../../x']) {
      const result = await call(client, 'read', { path });
      expect(result.isError, path).toBe(true);
      expect(textOf(result)).toMatch(/^PATH_OUTSIDE_REPO: refused/);
    }
    expect(textOf(await call(client, 'read', { path: 'no/such.ts' }))).toMatch(/^NOT_FOUND/);
    expect((await call(client, 'read', { path: 'src/shapes.ts', start: 100000 })).isError).toBe(true);
    const outline = await call(client, 'outline', { path: 'no/such.ts' });
    expect(outline).toMatchObject({ isError: true });
    expect(textOf(outline)).toContain('not in the index: no/such.ts');
    const skipped = await call(client, 'outline', { path: 'web/app.min.js' });
    expect(skipped.isError).toBeFalsy();
    expect(textOf(skipped)).toBe('no symbols in web/app.min.js: skipped: generated: minified');
    // The server is still answering after every refusal.
    expect((await call(client, 'definition', { name: 'Circle' })).isError).toBeFalsy();
  });

  it('should report invalid arguments as an error, not a crash', async () => {
    const result = await call(client, 'read', { path: 'src/shapes.ts', start: 0 });
    expect(result.isError).toBe(true);
    expect((await client.listTools()).tools).toHaveLength(9);
  });
});

describe('codekb serve over stdio without an index', () => {
  let dir: string;
  let client: Client;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'codekb-noindex-'));
    mkdirSync(join(dir, 'repo'));
    writeFileSync(join(dir, 'repo', 'alpha.ts'), 'export function alpha(): number {\n  return 1;\n}\n');
    client = await connectStdio(['--repo', join(dir, 'repo')], { FLOTILLA_HOME: join(dir, 'home') });
  });
  afterAll(async () => {
    await client?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should list its tools at once, then build the missing index itself and answer from it', async () => {
    expect((await client.listTools()).tools).toHaveLength(9);
    const first = await call(client, 'definition', { name: 'alpha' });
    if (first.isError) expect(textOf(first)).toMatch(/^index not built yet/); // asked before the first build finished
    // The index file exists (empty) a moment before the first build commits: poll for the answer itself.
    const deadline = Date.now() + 20_000;
    let answer = first;
    while (!textOf(answer).includes('alpha.ts:1') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      answer = await call(client, 'definition', { name: 'alpha' });
    }
    expect(textOf(answer)).toContain('alpha.ts:1');
  });
});
