import { describe, expect, it } from 'vitest';
import { createClient } from './client.js';
import { isProtocolError } from './errors.js';
import { KnowledgeReadQuerySchema, KnowledgeSearchQuerySchema, KnowledgeSymbolQuerySchema, formatCitation } from './knowledge.js';
import { transportAnswering } from './transport.test-data.js';

const ROOT = '/src/app';
const SEARCH_ANSWER = {
  root: ROOT,
  hits: [
    { path: 'src/shapes.ts', line: 12, citation: 'src/shapes.ts:12', source: 'symbol', text: 'export class Circle', name: 'Circle', kind: 'class' },
    { path: 'docs/notes.txt', line: 3, citation: 'docs/notes.txt:3', source: 'text', text: 'a circle is round' },
  ],
};

describe('knowledge schemas', () => {
  it('should read query-string booleans, numbers and empty fields as a browser sends them', () => {
    const parsed = KnowledgeSearchQuerySchema.parse({ repo: ROOT, query: 'Circle', literal: 'false', language: '', path: 'src/**', limit: '5' });
    expect(parsed).toEqual({ repo: ROOT, query: 'Circle', literal: false, path: 'src/**', limit: 5 });
    expect(KnowledgeSearchQuerySchema.parse({ repo: ROOT, query: 'x', literal: '1' }).literal).toBe(true);
  });

  it('should refuse a relative repository, an empty query and a limit out of range', () => {
    expect(KnowledgeSearchQuerySchema.safeParse({ repo: 'app', query: 'x' }).error?.issues[0]?.message).toBe('give the repository as an absolute path');
    expect(KnowledgeSearchQuerySchema.safeParse({ repo: ROOT, query: '' }).success).toBe(false);
    expect(KnowledgeSearchQuerySchema.safeParse({ repo: ROOT, query: 'x', limit: '0' }).success).toBe(false);
    expect(KnowledgeSearchQuerySchema.safeParse({ repo: ROOT, query: 'x', literal: 'maybe' }).success).toBe(false);
    expect(KnowledgeSymbolQuerySchema.safeParse({ repo: ROOT, name: '  ' }).success).toBe(false);
  });

  it('should refuse a read range that ends before it starts or is too long', () => {
    expect(KnowledgeReadQuerySchema.parse({ repo: ROOT, path: 'a.ts', start: '3', end: '9' })).toMatchObject({ start: 3, end: 9 });
    expect(KnowledgeReadQuerySchema.safeParse({ repo: ROOT, path: 'a.ts', start: '9', end: '3' }).error?.issues[0]?.path).toEqual(['end']);
    expect(KnowledgeReadQuerySchema.safeParse({ repo: ROOT, path: 'a.ts', start: '1', end: '5000' }).success).toBe(false);
  });

  it('should cite a hit as path:line', () => {
    expect(formatCitation('src/a.ts', 7)).toBe('src/a.ts:7');
  });
});

describe('createClient knowledge methods', () => {
  it('should send a search as GET /api/knowledge/search with its filters as the query and parse the hits', async () => {
    const transport = transportAnswering(() => ({ status: 200, body: SEARCH_ANSWER }));
    const result = await createClient(transport).knowledgeSearch({ repo: ROOT, query: 'circle', literal: true, path: 'src/**' });
    expect(result.hits.map((hit) => hit.citation)).toEqual(['src/shapes.ts:12', 'docs/notes.txt:3']);
    expect(transport.seen[0]).toMatchObject({ method: 'GET', path: '/api/knowledge/search', query: { repo: ROOT, query: 'circle', literal: true, path: 'src/**' } });
  });

  it('should call the repos, definition, references and read routes', async () => {
    const answers: Record<string, unknown> = {
      '/api/knowledge/repos': [{ root: ROOT, name: 'app', indexed: true, indexedAt: '2026-01-01T00:00:00.000Z' }],
      '/api/knowledge/definition': {
        root: ROOT,
        hits: [{ path: 'src/shapes.ts', line: 12, endLine: 20, citation: 'src/shapes.ts:12', kind: 'class', name: 'Circle', container: null, signature: 'export class Circle', doc: null }],
      },
      '/api/knowledge/references': { root: ROOT, hits: [{ path: 'src/widget.tsx', line: 4, citation: 'src/widget.tsx:4', name: 'Circle', enclosing: 'Widget' }] },
      '/api/knowledge/read': { root: ROOT, path: 'src/shapes.ts', start: 12, end: 13, totalLines: 40, lines: [{ line: 12, text: 'export class Circle {' }, { line: 13, text: '}' }] },
    };
    const transport = transportAnswering((req) => ({ status: 200, body: answers[req.path] }));
    const client = createClient(transport);
    expect((await client.knowledgeRepos())[0]?.indexed).toBe(true);
    expect((await client.knowledgeDefinition({ repo: ROOT, name: 'Circle' })).hits[0]?.kind).toBe('class');
    expect((await client.knowledgeReferences({ repo: ROOT, name: 'Circle', limit: 5 })).hits[0]?.enclosing).toBe('Widget');
    expect((await client.knowledgeRead({ repo: ROOT, path: 'src/shapes.ts', start: 12, end: 13 })).lines).toHaveLength(2);
    expect(transport.seen.map((req) => [req.path, req.query])).toEqual([
      ['/api/knowledge/repos', undefined],
      ['/api/knowledge/definition', { repo: ROOT, name: 'Circle' }],
      ['/api/knowledge/references', { repo: ROOT, name: 'Circle', limit: 5 }],
      ['/api/knowledge/read', { repo: ROOT, path: 'src/shapes.ts', start: 12, end: 13 }],
    ]);
  });

  it('should turn a missing index into a NOT_FOUND ProtocolError with the fix', async () => {
    const transport = transportAnswering(() => ({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: `${ROOT} has no codekb index`, fix: `codekb index ${ROOT}` } },
    }));
    const error = await createClient(transport).knowledgeSearch({ repo: ROOT, query: 'x' }).catch((e: unknown) => e);
    expect(isProtocolError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'NOT_FOUND', fix: `codekb index ${ROOT}` });
  });
});
