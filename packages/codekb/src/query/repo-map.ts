import type { RepoIndex } from './repo-index.js';

/** One file of a repo map, with the symbols shown for it. */
export interface RepoMapFile {
  path: string;
  /** Incoming references from other files (see `repoMap`). */
  score: number;
  symbols: { name: string; container: string | null; kind: string; line: number }[];
}

export interface RepoMap {
  /** `path` lines, each followed by indented `kind name :line` lines; within the budget. */
  text: string;
  /** Exactly the files and symbols in `text`, in order. */
  files: RepoMapFile[];
  /** `ceil(text.length / 4)`. */
  tokens: number;
}

const DEFAULT_BUDGET = 1024;
/** Symbols listed per file at most, so one large file cannot take the whole map. */
const MAX_SYMBOLS_PER_FILE = 8;

/** Tokens as the map counts them: a character is a quarter token, rounded up. */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

interface SymbolRow {
  fileId: number;
  path: string;
  name: string;
  container: string | null;
  kind: string;
  line: number;
  topLevel: number;
  score: number;
}

/**
 * Every symbol with its incoming score: references to its name from *other* files, divided by the
 * number of files that define that name (references are resolved by name, so a name defined in
 * three files gives each a third).
 */
function scoredSymbols(repo: RepoIndex): SymbolRow[] {
  return repo.sqlite
    .prepare(
      `WITH defs AS (SELECT name, count(DISTINCT file_id) AS n FROM symbols GROUP BY name),
            uses AS (SELECT name, file_id, count AS c FROM refs)
       SELECT s.file_id AS fileId, f.path, s.name, s.container, s.kind, s.start_line AS line, (s.parent_id IS NULL) AS topLevel,
              coalesce((SELECT sum(u.c) FROM uses u WHERE u.name = s.name AND u.file_id != s.file_id), 0) * 1.0 / d.n AS score
       FROM symbols s JOIN files f ON f.id = s.file_id JOIN defs d ON d.name = s.name`,
    )
    .all() as SymbolRow[];
}

/**
 * Files ranked by the sum of their symbols' scores, then by how many top-level symbols they have.
 * A file shows its top-level symbols first (its API), most referenced first, then members.
 */
function rankFiles(rows: SymbolRow[]): RepoMapFile[] {
  const files = new Map<number, { file: RepoMapFile; rows: SymbolRow[]; topLevel: number }>();
  for (const row of rows) {
    let entry = files.get(row.fileId);
    if (entry === undefined) {
      entry = { file: { path: row.path, score: 0, symbols: [] }, rows: [], topLevel: 0 };
      files.set(row.fileId, entry);
    }
    entry.file.score += row.score;
    entry.topLevel += row.topLevel;
    entry.rows.push(row);
  }
  const ranked = [...files.values()].sort((a, b) => b.file.score - a.file.score || b.topLevel - a.topLevel || (a.file.path < b.file.path ? -1 : 1));
  return ranked.map(({ file, rows: symbols }) => {
    const top = symbols.sort((a, b) => b.topLevel - a.topLevel || b.score - a.score || a.line - b.line).slice(0, MAX_SYMBOLS_PER_FILE);
    top.sort((a, b) => a.line - b.line);
    return { ...file, score: Math.round(file.score * 100) / 100, symbols: top.map(({ name, container, kind, line }) => ({ name, container, kind, line })) };
  });
}

function symbolLine(symbol: RepoMapFile['symbols'][number]): string {
  return `  ${symbol.kind} ${symbol.container === null ? '' : `${symbol.container}.`}${symbol.name} :${symbol.line}`;
}

/**
 * A compact map of the repository for an agent's context: the most important files, each with its
 * most referenced symbols, within `budget` tokens (`ceil(chars / 4)`). A file's importance is the
 * sum of references to its symbols from other files (see `scoredSymbols`); files nobody references
 * follow, by number of top-level symbols. Files are added whole-line by line while they fit; the
 * map stops at the first file whose path and first symbol no longer fit.
 *
 * @example
 * repoMap(repo, { budget: 512 }).text;
 * // src/shapes.ts
 * //   class Circle :15
 * //   function totalArea :32
 */
export function repoMap(repo: RepoIndex, options: { budget?: number } = {}): RepoMap {
  const budgetChars = (options.budget ?? DEFAULT_BUDGET) * 4;
  const lines: string[] = [];
  const files: RepoMapFile[] = [];
  let used = 0;
  for (const file of rankFiles(scoredSymbols(repo))) {
    const first = file.symbols[0];
    if (first === undefined) continue;
    const pathCost = file.path.length + (lines.length === 0 ? 0 : 1);
    if (used + pathCost + 1 + symbolLine(first).length > budgetChars) break;
    lines.push(file.path);
    used += pathCost;
    const shown: RepoMapFile['symbols'] = [];
    for (const symbol of file.symbols) {
      const line = symbolLine(symbol);
      if (used + line.length + 1 > budgetChars) break;
      lines.push(line);
      used += line.length + 1;
      shown.push(symbol);
    }
    files.push({ ...file, symbols: shown });
  }
  const text = lines.join('\n');
  return { text, files, tokens: countTokens(text) };
}
