import { describe, expect, it } from 'vitest';
import type { TranscriptEntry } from '@flotilla/protocol';
import { toolSummary, transcriptItems } from './transcript-model';

// The shape Claude's transcript takes for the `edit-bash` fixture in packages/cb.
const ENTRIES: TranscriptEntry[] = [
  { type: 'notice', at: 0, text: 'session s1 · model sonnet' },
  { type: 'text', at: 1, text: 'Let me look.' },
  { type: 'tool_call', at: 1, id: 't1', tool: 'Read', input: { file_path: '/repo/notes.txt' } },
  { type: 'tool_result', at: 2, id: 't1', output: 'one\ntwo', isError: false },
  { type: 'tool_call', at: 3, id: 't2', tool: 'Edit', input: { file_path: '/repo/notes.txt', old_string: 'two', new_string: 'TWO' } },
  { type: 'edit', at: 4, path: '/repo/notes.txt', diff: '--- a/notes.txt\n+++ b/notes.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO' },
  { type: 'tool_call', at: 5, id: 't3', tool: 'Bash', input: { command: 'cat notes.txt && ls missing', description: 'show' } },
  { type: 'command', at: 6, command: 'cat notes.txt && ls missing', output: 'one\nTWO\nls: missing', exitCode: 2 },
  { type: 'tool_call', at: 7, id: 't4', tool: 'Grep', input: { pattern: 'TODO' } },
  { type: 'text', at: 8, text: 'Done editing.' },
  { type: 'final', at: 9, text: 'Done editing.', isError: false },
];

describe('transcriptItems', () => {
  it('should pair calls with results, put commands and edits in place of their calls and drop the text the final answer repeats', () => {
    const items = transcriptItems(ENTRIES);
    expect(items.map((i) => `${i.key} ${i.kind}`)).toEqual(['e0 notice', 'e1 text', 'e2 tool', 'e4 edit', 'e6 command', 'e8 tool', 'e10 final']);
    expect(items[2]).toMatchObject({ tool: 'Read', summary: '/repo/notes.txt', output: 'one\ntwo', isError: false });
    expect(items[3]).toMatchObject({ kind: 'edit', path: '/repo/notes.txt', added: 1, removed: 1 });
    expect(items[4]).toMatchObject({ kind: 'command', command: 'cat notes.txt && ls missing', exitCode: 2 });
    expect(items[5]).toMatchObject({ tool: 'Grep', summary: 'TODO', output: null });
  });

  it('should keep the keys of earlier items as the transcript grows', () => {
    const early = transcriptItems(ENTRIES.slice(0, 7)).map((i) => i.key);
    const later = transcriptItems(ENTRIES).map((i) => i.key);
    expect(later.slice(0, early.length)).toEqual(early);
  });

  it('should show commands and edits that came without a call, and results without a call', () => {
    const items = transcriptItems([
      { type: 'command', at: 0, command: 'npm test', output: 'ok', exitCode: 0 },
      { type: 'edit', at: 1, path: 'a.ts', diff: '' },
      { type: 'tool_result', at: 2, id: 'x', output: 'denied', isError: true },
    ]);
    expect(items.map((i) => i.kind)).toEqual(['command', 'edit', 'tool']);
    expect(items[2]).toMatchObject({ output: 'denied', isError: true });
  });
});

describe('toolSummary', () => {
  it('should pick the most telling argument', () => {
    expect(toolSummary({ description: 'x', command: 'ls -la\nmore' })).toBe('ls -la …');
    expect(toolSummary({ command: ['bash', '-lc', 'ls'] })).toBe('bash -lc ls');
    expect(toolSummary({})).toBe('');
    expect(toolSummary({ a: 1 })).toBe('{"a":1}');
  });
});
