import { describe, expect, it } from 'vitest';
import { DOC_MAX_CHARS, DocForm, docText } from './doc-text.js';

describe('docText', () => {
  it('should clean comments of their markers line by line, keeping blank lines and indentation inside', () => {
    expect(docText('/**\n * A circle.\n *\n * @param r  the radius\n */', DocForm.Comments)).toBe('A circle.\n\n@param r  the radius');
    expect(docText('/** One line. */', DocForm.Comments)).toBe('One line.');
    expect(docText('/* first */\n/*second*/', DocForm.Comments)).toBe('first\nsecond');
    expect(docText('// Example:\n//   call(x)\r\n// done', DocForm.Comments)).toBe('Example:\n  call(x)\ndone');
    expect(docText('/// Rust doc\n/// more', DocForm.Comments)).toBe('Rust doc\nmore');
    expect(docText('# Python comment\n# two', DocForm.Comments)).toBe('Python comment\ntwo');
    expect(docText('/**\n */', DocForm.Comments)).toBeNull();
    expect(docText('//', DocForm.Comments)).toBeNull();
  });

  it('should take a docstring without its prefix and quotes, and a Markdown line trimmed and cut', () => {
    expect(docText('r"""Raw docstring.\n\n    Details."""', DocForm.Docstring)).toBe('Raw docstring.\n\n    Details.');
    expect(docText("'single'", DocForm.Docstring)).toBe('single');
    expect(docText('""""""', DocForm.Docstring)).toBeNull();
    expect(docText(`  ${'word '.repeat(100)}`, DocForm.Line)).toBe('word '.repeat(40)); // 200 characters
  });

  it('should keep at most DOC_MAX_CHARS characters', () => {
    expect(docText(`// ${'x'.repeat(3000)}`, DocForm.Comments)).toHaveLength(DOC_MAX_CHARS);
  });
});
