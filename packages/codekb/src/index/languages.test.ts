import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PARSE_TIMEOUT_MS, ParserPool } from './languages.js';
import { readRecord } from './read-record.js';

/** ~300 KB of TypeScript: tens of thousands of parse operations, far past a 1 µs budget. */
const LARGE = Array.from({ length: 6000 }, (_, i) => `export function f${i}(a: number, b: string): number { return a + b.length * ${i}; }`).join('\n');

const dir = mkdtempSync(join(tmpdir(), 'codekb-parse-timeout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ParserPool', () => {
  it('should give up on a parse past its timeout, and parse the next file from the start', () => {
    const pool = new ParserPool({ timeoutMs: 0.001 });
    expect(() => pool.parse('typescript', LARGE)).toThrow(/^tree-sitter gave up after 0\.001 ms \(parse timeout\)$/);
    // Too small to reach the timeout check; a parser left mid-parse would resume the large file instead.
    const small = pool.parse('typescript', 'const small = 1;');
    expect(small.rootNode.hasError).toBe(false);
    expect(small.rootNode.text).toBe('const small = 1;');
    expect(small.rootNode.firstChild?.type).toBe('lexical_declaration');
  });

  it('should parse a large file whole under the default timeout', () => {
    expect(PARSE_TIMEOUT_MS).toBe(10_000);
    const tree = new ParserPool().parse('typescript', LARGE);
    expect(tree.rootNode.childCount).toBe(6000);
    expect(tree.rootNode.hasError).toBe(false);
  });

  it('should index a file whose parse timed out as text, saying why', () => {
    writeFileSync(join(dir, 'slow.ts'), LARGE);
    const record = readRecord(dir, 'slow.ts', new ParserPool({ timeoutMs: 0.001 }), undefined);
    expect(record).toMatchObject({ status: 'error', note: 'tree-sitter gave up after 0.001 ms (parse timeout)', language: 'typescript', extraction: null, text: LARGE });
    expect(record !== undefined && record !== 'unchanged' && record.words).toContain('f5999');
  });
});
