import { describe, expect, it } from 'vitest';
import { anchorOf, commentKey, composeReview, type ReviewComment } from './review';

const comment = (path: string, line: number, text: string, side: 'new' | 'old' = 'new'): ReviewComment => ({ path, line, side, code: '', text });

describe('composeReview', () => {
  it('should write one path:line — comment line per comment, in file and line order, then the note', () => {
    const prompt = composeReview(
      [comment('src/b.ts', 4, 'handle the error'), comment('src/a.ts', 12, 'rename\nthis'), comment('src/a.ts', 3, 'why remove it?', 'old'), comment('src/a.ts', 5, '  ')],
      'Also run the tests.',
    );
    expect(prompt).toMatchInlineSnapshot(`
      "Review of your changes. Please address each comment (file:line — comment):

      src/a.ts:3 (removed line) — why remove it?
      src/a.ts:12 — rename this
      src/b.ts:4 — handle the error

      Also run the tests."
    `);
  });

  it('should be the note alone, or empty, without comments', () => {
    expect(composeReview([], '  ')).toBe('');
    expect(composeReview([comment('a', 1, ' ')], 'just this')).toBe('just this');
  });
});

describe('anchorOf', () => {
  it('should anchor added and context lines by their new number and removed lines by their old one', () => {
    expect(anchorOf('a.ts', { kind: 'add', text: 'x', oldLine: null, newLine: 7 })).toEqual({ path: 'a.ts', line: 7, side: 'new' });
    expect(anchorOf('a.ts', { kind: 'ctx', text: 'x', oldLine: 5, newLine: 6 })).toEqual({ path: 'a.ts', line: 6, side: 'new' });
    expect(anchorOf('a.ts', { kind: 'del', text: 'x', oldLine: 5, newLine: null })).toEqual({ path: 'a.ts', line: 5, side: 'old' });
    expect(anchorOf('a.ts', { kind: 'hunk', text: '@@', oldLine: null, newLine: null })).toBeNull();
    expect(commentKey({ path: 'a.ts', line: 5, side: 'old' })).not.toBe(commentKey({ path: 'a.ts', line: 5, side: 'new' }));
  });
});
