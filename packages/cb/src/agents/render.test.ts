import { describe, expect, it } from 'vitest';
import type { TranscriptEntry } from '@flotilla/protocol';
import { formatEntry, toolSummary } from './render.js';

const plain = (entry: TranscriptEntry) => formatEntry(entry, { color: false });
const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n');

describe('formatEntry', () => {
  it('should render text with continuation lines indented', () => {
    expect(plain({ type: 'text', at: 0, text: 'First.\nSecond.' })).toMatchInlineSnapshot(`
      "● First.
        Second."
    `);
  });

  it('should render a tool call with its most telling argument', () => {
    expect(plain({ type: 'tool_call', at: 0, id: 't', tool: 'Write', input: { file_path: 'hello.txt', content: 'hi' } })).toMatchInlineSnapshot(`"⏺ Write hello.txt"`);
    expect(plain({ type: 'tool_call', at: 0, id: 't', tool: 'TodoWrite', input: {} })).toMatchInlineSnapshot(`"⏺ TodoWrite"`);
  });

  it('should render tool results briefly, errors marked', () => {
    expect(plain({ type: 'tool_result', at: 0, id: 't', output: numbered(5), isError: false })).toMatchInlineSnapshot(`
      "  ⎿ line 1
          line 2
          line 3
          … 2 more lines"
    `);
    expect(plain({ type: 'tool_result', at: 0, id: 't', output: 'denied', isError: true })).toMatchInlineSnapshot(`"  ⎿ ✘ denied"`);
    expect(plain({ type: 'tool_result', at: 0, id: 't', output: '', isError: false })).toMatchInlineSnapshot(`"  ⎿ (no output)"`);
  });

  it('should render an edit as its diff without file headers', () => {
    const diff = '--- /dev/null\n+++ b/hello.txt\n@@ -0,0 +1,2 @@\n+hi\n+there';
    expect(plain({ type: 'edit', at: 0, path: 'hello.txt', diff })).toMatchInlineSnapshot(`
      "✎ hello.txt
          @@ -0,0 +1,2 @@
          +hi
          +there"
    `);
    expect(plain({ type: 'edit', at: 0, path: 'a.ts', diff: '' })).toMatchInlineSnapshot(`"✎ a.ts"`);
  });

  it('should cut long diffs and long lines', () => {
    const long = `@@ -1,40 +1,40 @@\n+${'x'.repeat(300)}\n${numbered(40).replace(/^/gm, '+')}`;
    const lines = plain({ type: 'edit', at: 0, path: 'big.txt', diff: long }).split('\n');
    expect(lines).toHaveLength(1 + 30 + 1);
    expect(lines[2]).toHaveLength(4 + 160);
    expect(lines.at(-1)).toBe('    … 12 more lines');
  });

  it('should render a command with short output and its exit code', () => {
    expect(plain({ type: 'command', at: 0, command: 'npm test', output: 'ok', exitCode: 0 })).toMatchInlineSnapshot(`
      "$ npm test
        ok
        exit 0"
    `);
    expect(plain({ type: 'command', at: 0, command: 'make\nmake install', output: numbered(12), exitCode: 2 })).toMatchInlineSnapshot(`
      "$ make … (+1 line)
        line 1
        line 2
        line 3
        line 4
        line 5
        … 4 more lines
        line 10
        line 11
        line 12
        exit 2"
    `);
    expect(plain({ type: 'command', at: 0, command: 'sleep 1', output: '', exitCode: null })).toMatchInlineSnapshot(`"$ sleep 1"`);
  });

  it('should render the final answer and failures', () => {
    expect(plain({ type: 'final', at: 0, text: 'Created hello.txt.', isError: false })).toMatchInlineSnapshot(`"✔ done: Created hello.txt."`);
    expect(plain({ type: 'final', at: 0, text: '', isError: false })).toMatchInlineSnapshot(`"✔ done"`);
    expect(plain({ type: 'final', at: 0, text: 'API Error: 529 Overloaded.', isError: true })).toMatchInlineSnapshot(`"✘ API Error: 529 Overloaded."`);
    expect(plain({ type: 'notice', at: 0, text: 'API retry 1/2: rate_limit (429)' })).toMatchInlineSnapshot(`"· API retry 1/2: rate_limit (429)"`);
  });

  it('should strip escape sequences from agent text and colour only when asked', () => {
    const entry: TranscriptEntry = { type: 'text', at: 0, text: '\u001b[31mred\u001b[0m\u001b]0;title\u0007 \u0008done' };
    expect(plain(entry)).toBe('● red done');
    const coloured = formatEntry({ type: 'command', at: 0, command: 'false', output: '', exitCode: 1 }, { color: true });
    expect(coloured).toContain('\u001b[31mexit 1\u001b[39m');
    expect(plain({ type: 'command', at: 0, command: 'false', output: '', exitCode: 1 })).not.toContain('\u001b');
  });
});

describe('toolSummary', () => {
  it.each([
    [{ command: 'git status\ngit diff' }, 'git status …'],
    [{ pattern: 'TODO', path: 'src' }, 'src'],
    [{ url: 'https://example.com' }, 'https://example.com'],
    [{ a: 1 }, '{"a":1}'],
    [null, ''],
    ['plain', 'plain'],
  ])('should summarise %j as %j', (input, expected) => {
    expect(toolSummary(input)).toBe(expected);
  });
});
