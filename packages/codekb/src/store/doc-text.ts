/**
 * A symbol's doc is not stored as text either (see signature.ts): the index keeps where its source
 * lies in the file's UTF-8 bytes (`symbols.doc_start`, `doc_length`) and in what form
 * (`doc_form`), and this module makes the doc from that source — where the parse worker makes the
 * doc for the symbol FTS index and where a query reads it back, so both see the same text.
 */

/**
 * How a doc's source is read, stored as `symbols.doc_form`: comments right above a declaration
 * (`//`, `///`, `#`, block comments), cleaned of their markers line by line; a Python docstring
 * without its prefix and quotes; a Markdown section's first paragraph line.
 */
export const DocForm = { Comments: 0, Docstring: 1, Line: 2 } as const;
export type DocForm = (typeof DocForm)[keyof typeof DocForm];

/** Characters of a doc kept; a Markdown section's doc (one line) keeps fewer. */
export const DOC_MAX_CHARS = 1000;
const LINE_DOC_MAX_CHARS = 200;
/** UTF-16 units of a doc's source kept: room for `DOC_MAX_CHARS` after comment markers and indentation go. */
export const DOC_SOURCE_MAX_UNITS = 2 * DOC_MAX_CHARS;

/**
 * The doc made from its source text, or null when nothing is left.
 *
 * @example
 * docText('/**\n * A circle.\n *\/', DocForm.Comments); // 'A circle.'
 * docText('"""Return the area."""', DocForm.Docstring); // 'Return the area.'
 */
export function docText(source: string, form: DocForm): string | null {
  const doc =
    form === DocForm.Comments
      ? cleanComments(source).slice(0, DOC_MAX_CHARS)
      : form === DocForm.Docstring
        ? stripQuotes(source).slice(0, DOC_MAX_CHARS)
        : source.trim().slice(0, LINE_DOC_MAX_CHARS);
  return doc === '' ? null : doc;
}

/**
 * Each line without its comment markers (a block's opening and closing, a leading `//`, `///`, `#`
 * or `*`; a line holding only a block's opening or closing goes), trimmed as a whole.
 */
function cleanComments(source: string): string {
  return source
    .split('\n')
    .filter((line) => !BLOCK_MARK_LINE.test(line))
    .map((line) =>
      line
        .replace(/^\s*\/\*\*?\s*/, '')
        .replace(/\*\/\s*$/, '')
        .replace(/^\s*(\/\/\/?|#|\*)\s?/, '')
        .trimEnd(),
    )
    .join('\n')
    .trim();
}

/** A line that only opens (`/*`, `/**`) or closes a block comment. */
const BLOCK_MARK_LINE = /^\s*(\/\*\*?|\*\/)\s*$/;

function stripQuotes(source: string): string {
  return source
    .replace(/^[rbuf]*("""|'''|"|')/i, '')
    .replace(/("""|'''|"|')$/, '')
    .trim();
}
