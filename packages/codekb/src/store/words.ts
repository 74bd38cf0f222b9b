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
