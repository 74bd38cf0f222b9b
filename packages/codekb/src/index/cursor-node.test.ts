import { describe, expect, it } from 'vitest';
import { extract } from './extract.js';
import { ParserPool } from './languages.js';

const parsers = new ParserPool();

describe('declarations read through cursors', () => {
  it('should read a long run of line comments above a method whole, from its first line', () => {
    const comments = Array.from({ length: 300 }, (_, i) => `  // note ${i}`).join('\n');
    const source = `class Dialect {\n  first() {}\n${comments}\n  second() {}\n}\n`;
    const { symbols } = extract(parsers.parse('typescript', source), 'typescript');
    const second = symbols.find((symbol) => symbol.name === 'second');
    expect(second?.doc?.startsWith('note 0\nnote 1\n')).toBe(true);
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
    expect(symbols.find((symbol) => symbol.name === 'Unknown')?.doc).toBe('Placed first.');
    expect(refs.map((ref) => ref.name)).not.toContain('Unknown');
  });

  it('should name a Go method by its receiver type found below the receiver', () => {
    const source = 'package main\n\ntype Server struct{}\n\n// Start starts listening.\nfunc (s *Server) Start() error { return nil }\n';
    const { symbols } = extract(parsers.parse('go', source), 'go');
    expect(symbols.find((symbol) => symbol.name === 'Start')).toMatchObject({ kind: 'method', container: 'Server', doc: 'Start starts listening.', startLine: 6 });
  });
});
