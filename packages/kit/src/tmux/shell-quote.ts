/** Characters that never need quoting in a POSIX shell word. */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Joins `argv` into one POSIX `sh` command line that the shell splits back into exactly `argv`:
 * safe words stay bare, everything else is single-quoted (`'` becomes `'\''`).
 *
 * @example shellQuote(['claude', '-p', "it's done"]) // => claude -p 'it'\''s done'
 */
export function shellQuote(argv: readonly string[]): string {
  return argv.map(quoteWord).join(' ');
}

function quoteWord(word: string): string {
  if (word === '') return "''";
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
