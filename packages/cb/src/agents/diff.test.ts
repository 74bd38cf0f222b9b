import { describe, expect, it } from 'vitest';
import { createdFileDiff, hunksDiff, replacementHunk, replacementsDiff } from './diff.js';

describe('createdFileDiff', () => {
  it('should add every line', () => {
    expect(createdFileDiff('a.txt', 'one\ntwo\n')).toBe('--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1,2 @@\n+one\n+two');
    expect(createdFileDiff('empty.txt', '')).toBe('--- /dev/null\n+++ b/empty.txt');
  });
});

describe('replacementHunk', () => {
  it('should keep up to 3 unchanged lines around the change as context', () => {
    const oldText = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].join('\n');
    const newText = oldText.replace('e', 'E');
    expect(replacementHunk(oldText, newText)).toEqual({
      oldStart: 2,
      oldLines: 7,
      newStart: 2,
      newLines: 7,
      lines: [' b', ' c', ' d', '-e', '+E', ' f', ' g', ' h'],
    });
  });

  it('should handle pure insertions and deletions', () => {
    expect(replacementHunk('', 'x\ny').lines).toEqual(['+x', '+y']);
    expect(replacementHunk('x\ny', 'x').lines).toEqual([' x', '-y']);
  });
});

describe('replacementsDiff / hunksDiff', () => {
  it('should put one hunk per edit under one header', () => {
    expect(replacementsDiff('f.ts', [{ oldText: 'a', newText: 'b' }, { oldText: 'c', newText: 'd' }])).toBe(
      '--- a/f.ts\n+++ b/f.ts\n@@ -1,1 +1,1 @@\n-a\n+b\n@@ -1,1 +1,1 @@\n-c\n+d',
    );
    expect(hunksDiff('f.ts', [])).toBe('--- a/f.ts\n+++ b/f.ts');
  });
});
