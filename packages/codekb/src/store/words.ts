/**
 * Splits an identifier into lower-case words on camelCase, PascalCase, acronyms, digits,
 * snake_case and kebab-case boundaries.
 *
 * @example
 * splitIdentifier('parseHTTPRequest_v2'); // ['parse', 'http', 'request', 'v2']
 */
export function splitIdentifier(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}

/** The text stored in the FTS name column: the name itself plus its words. */
export function nameTokens(name: string): string {
  const words = splitIdentifier(name);
  return words.length <= 1 ? name : `${name} ${words.join(' ')}`;
}

/** Quotes a term for an FTS5 MATCH expression. */
export function ftsQuote(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

/**
 * Runs of ASCII letters, digits and `_`, or of other non-ASCII characters; FTS5's unicode61
 * tokenizer (with `_` a token character, as in the index's tables) splits the latter further.
 */
const WORD_RUN = /[A-Za-z0-9_\u0080-\uffff]+/g;
/** A run worth splitting into identifier words: ASCII, with a capital after its first character, a `_` or a digit. */
const COMPOUND = /^(?=[A-Za-z0-9_]+$).*(?:.[A-Z]|[_0-9])/;

/** Adds a word run lower-cased, and the words of an identifier (`parseHttp_v2`: parse, http, v2). */
function addWords(run: string, words: Set<string>): void {
  words.add(run.toLowerCase());
  if (COMPOUND.test(run)) for (const part of splitIdentifier(run)) words.add(part);
}

/**
 * The distinct words of a file's text, identifiers also split into their words, space-separated:
 * what the file-level BM25 index (`files_fts`) holds. Each word once, so a file's score counts
 * which query words it has, not how often (on this repository's commit subjects → touched files
 * that ranked better than term frequencies, and keeps the index at a tenth of the text).
 *
 * @example
 * fileWords('const parseConfig = parse(cfg);'); // 'const parseconfig parse config cfg'
 */
export function fileWords(text: string): string {
  const runs = new Set(text.match(WORD_RUN));
  const words = new Set<string>();
  for (const run of runs) addWords(run, words);
  return [...words].join(' ');
}

/**
 * A query's words as `fileWords` would index them (each run lower-cased, identifiers also split),
 * in query order, each once.
 *
 * @example
 * queryWords('parseConfig loader'); // ['parseconfig', 'parse', 'config', 'loader']
 */
export function queryWords(query: string): string[] {
  const words = new Set<string>();
  for (const run of query.match(WORD_RUN) ?? []) addWords(run, words);
  return [...words];
}
