import { splitIdentifier } from '../store/words.js';
import type { RepoIndex } from './repo-index.js';
import type { FoundHit, SearchHit } from './search.js';
import { SIGNATURE_PLACE, type SignaturePlace } from './symbol-text.js';

type SymbolRow = Omit<SearchHit, 'source' | 'text'> & SignaturePlace & { container: string | null };

/** Queries of more words than this are requests in prose, not a symbol's name: no lookups. */
const MAX_QUERY_WORDS = 6;
/** Symbols looked up per candidate name (a common name such as `parse` has hundreds). */
const MAX_PER_NAME = 2000;

/**
 * Symbols whose name and container together hold every word of the query — `ZodString.parse`,
 * `parse zod string` and `zodStringParse` all find the method `parse` of class `ZodString` — tightest
 * first (fewest words beyond the query's), then classes and functions before members, shorter paths
 * first. The name must be some run of consecutive query words (camelCase, snake_case or as typed),
 * looked up in the name index, so this costs a few index probes, not a scan.
 *
 * @example
 * coveringSymbols(repo, 'Circle.area', { language: undefined, keep: () => true }); // [{ name: 'area', … }]
 */
export function coveringSymbols(repo: RepoIndex, query: string, options: { language: string | undefined; keep: (path: string) => boolean }): FoundHit[] {
  const words = splitIdentifier(query);
  if (words.length === 0 || words.length > MAX_QUERY_WORDS) return [];
  const wanted = new Set(words);
  const lookup = repo.sqlite.prepare(
    `SELECT f.path, s.start_line AS line, ${SIGNATURE_PLACE}, s.name, s.kind, s.container FROM symbols s JOIN files f ON f.id = s.file_id
     WHERE s.name = ? COLLATE NOCASE AND (? IS NULL OR coalesce(f.language, 'text') = ?) LIMIT ${MAX_PER_NAME}`,
  );
  const found: { hit: FoundHit; extra: number; kind: number }[] = [];
  for (const name of candidateNames(words)) {
    for (const row of lookup.all(name, options.language ?? null, options.language ?? null) as SymbolRow[]) {
      const own = new Set([...splitIdentifier(row.name ?? ''), ...splitIdentifier(row.container ?? '')]);
      if (![...wanted].every((word) => own.has(word)) || !options.keep(row.path)) continue;
      const { container: _container, ...hit } = row;
      found.push({ hit: { ...hit, source: 'symbol' }, extra: own.size - wanted.size, kind: kindRank(row.kind) });
    }
  }
  found.sort((a, b) => a.extra - b.extra || a.kind - b.kind || a.hit.path.length - b.hit.path.length || a.hit.line - b.hit.line);
  return found.map((entry) => entry.hit);
}

/** Every run of consecutive words, joined as camelCase (case is ignored by the lookup) and as snake_case. */
function candidateNames(words: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (let start = 0; start < words.length; start++) {
    for (let end = start + 1; end <= words.length; end++) {
      const run = words.slice(start, end);
      names.add(run.join(''));
      names.add(run.join('_'));
    }
  }
  return names;
}

function kindRank(kind: string | undefined): number {
  if (kind === 'class' || kind === 'interface' || kind === 'struct' || kind === 'trait' || kind === 'enum') return 0;
  if (kind === 'function' || kind === 'type') return 1;
  if (kind === 'method') return 2;
  return 3;
}
