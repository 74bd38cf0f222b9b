import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_DIR } from '../test-support/fixture.js';
import { extract } from './extract.js';
import { ParserPool, type LanguageId } from './languages.js';
import { NodeTable, readRows, rowsByCursor } from './node-table.js';

const parsers = new ParserPool();

const require = createRequire(import.meta.url);
/** The fixture repository's file of each grammar, this package's own sources, and the binding's JavaScript. */
const SAMPLES: [LanguageId, string][] = [
  ['typescript', join(FIXTURE_DIR, 'src/shapes.ts')],
  ['typescript', new URL('./extract.ts', import.meta.url).pathname],
  ['tsx', join(FIXTURE_DIR, 'src/widget.tsx')],
  ['javascript', join(FIXTURE_DIR, 'src/util.js')],
  ['javascript', require.resolve('tree-sitter')],
  ['python', join(FIXTURE_DIR, 'py/app.py')],
  ['go', join(FIXTURE_DIR, 'go/server.go')],
  ['rust', join(FIXTURE_DIR, 'rust/lib.rs')],
];

describe('node table', () => {
  it('should read the same rows natively (the patched binding) as through a cursor walk, for every grammar', () => {
    const tree = parsers.parse('typescript', 'const a = 1;');
    expect(typeof (tree.walk() as { preorder?: unknown }).preorder, 'the tree-sitter patch is not applied (patches/tree-sitter@0.25.1.patch)').toBe('function');
    for (const [language, path] of SAMPLES) {
      const source = readFileSync(path, 'utf8');
      const parsed = parsers.parse(language, source);
      const native = readRows(parsed);
      expect(native.length, path).toBeGreaterThan(6 * 50);
      expect(Array.from(native), path).toEqual(Array.from(rowsByCursor(parsed.walk(), parsed.rootNode.descendantCount)));
    }
    // A file that does not parse: ERROR and MISSING nodes are rows like any other.
    const broken = parsers.parse('typescript', 'export function (a: {\n  const x = [1, 2;\nclass { m( }\n');
    expect(broken.rootNode.hasError).toBe(true);
    expect(Array.from(readRows(broken))).toEqual(Array.from(rowsByCursor(broken.walk(), broken.rootNode.descendantCount)));
  });

  it('should read what the binding says of each node: type, field, offsets, parent and children', () => {
    const source = 'function f(x) { return x + 1; }\nclass C { m() {} }\n';
    const tree = parsers.parse('javascript', source);
    const table = new NodeTable(tree, source);
    expect(table.count).toBe(tree.rootNode.descendantCount);
    const cursor = tree.walk();
    for (let row = 0; row < table.count; row++) {
      cursor.gotoDescendant(row);
      expect([table.type(row), table.isNamed(row), table.field(row), table.start(row), table.end(row)]).toEqual([
        cursor.nodeType,
        cursor.nodeIsNamed,
        cursor.currentFieldName ?? null,
        cursor.startIndex,
        cursor.endIndex,
      ]);
      const node = cursor.currentNode;
      expect(table.children(row).map((child) => table.start(child))).toEqual(node.children.map((child) => child.startIndex));
      expect(table.parent(row) === -1).toBe(node.parent === null);
    }
  });

  it('should refuse a table with a row left unfilled instead of walking it forever', () => {
    const tree = parsers.parse('javascript', 'let a = 1;');
    const rows = readRows(tree);
    rows[rows.length - 2] = 0; // the last row's descendant count
    expect(() => new NodeTable(tree, 'let a = 1;', rows)).toThrow(/incomplete at row/);
  });
});

describe('declarations read through the node table', () => {
  it('should read a long run of line comments above a method whole, from its first line', () => {
    const comments = Array.from({ length: 300 }, (_, i) => `  // note ${i}`).join('\n');
    const source = `class Dialect {\n  first() {}\n${comments}\n  second() {}\n}\n`;
    const { symbols } = extract(parsers.parse('typescript', source), 'typescript');
    const second = symbols.find((symbol) => symbol.name === 'second');
    expect(second?.doc?.text.startsWith('note 0\nnote 1\n')).toBe(true);
    expect(second).toMatchObject({ kind: 'method', container: 'Dialect', startLine: 303 });
  });

  it('should find every member of an enum whose members are commented, with their lines', () => {
    const source = ['/** Codes. */', 'export const enum KeyCode {', '\tDependsOnKbLayout = -1,', '', '\t/**', '\t * Placed first.', '\t */', '\tUnknown = 0,', '', '\tBackspace,', '\tTab,', '}', ''].join('\n');
    const { symbols, refs } = extract(parsers.parse('typescript', source), 'typescript');
    expect(symbols.map((symbol) => `${symbol.kind} ${symbol.name}:${symbol.startLine}`)).toEqual([
      'enum KeyCode:2',
      'enum_member Backspace:10',
      'enum_member Tab:11',
      'enum_member DependsOnKbLayout:3',
      'enum_member Unknown:8',
    ]);
    expect(symbols.find((symbol) => symbol.name === 'Unknown')?.doc?.text).toBe('Placed first.');
    expect(refs.map((ref) => ref.name)).not.toContain('Unknown');
  });

  it('should name a Go method by its receiver type found below the receiver', () => {
    const source = 'package main\n\ntype Server struct{}\n\n// Start starts listening.\nfunc (s *Server) Start() error { return nil }\n';
    const { symbols } = extract(parsers.parse('go', source), 'go');
    expect(symbols.find((symbol) => symbol.name === 'Start')).toMatchObject({ kind: 'method', container: 'Server', doc: { text: 'Start starts listening.' }, startLine: 6 });
  });
});
