import { decodeLines } from '../store/line-list.js';
import { FILE_SYMBOLS } from '../store/schema.js';
import { inTextSnapshot, type RepoIndex } from './repo-index.js';
import { DOC_PLACE, SIGNATURE_PLACE, withSymbolText, type DocPlace, type SignaturePlace } from './symbol-text.js';

/** A symbol hit: where it is declared, with what it looks like. */
export interface SymbolHit {
  path: string;
  line: number;
  endLine: number;
  kind: string;
  name: string;
  container: string | null;
  signature: string;
  doc: string | null;
}

/** A reference hit: an identifier occurrence and the symbol it sits in. */
export interface RefHit {
  path: string;
  line: number;
  name: string;
  /** The enclosing symbol's name, or null at top level. */
  enclosing: string | null;
}

const DEFAULT_LIMIT = 20;
const KIND_RANK = `CASE s.kind
  WHEN 'class' THEN 0 WHEN 'interface' THEN 0 WHEN 'struct' THEN 0 WHEN 'trait' THEN 0 WHEN 'enum' THEN 0
  WHEN 'function' THEN 1 WHEN 'type' THEN 1 WHEN 'method' THEN 2 WHEN 'impl' THEN 3 ELSE 4 END`;
const SYMBOL_COLUMNS = `f.path, s.start_line AS line, s.end_line AS endLine, s.kind, s.name, s.container, ${SIGNATURE_PLACE}, ${DOC_PLACE}`;
type SymbolRow = Omit<SymbolHit, 'signature' | 'doc'> & SignaturePlace & DocPlace;

/**
 * Where a symbol is defined, best first: exact-case names before case-insensitive ones, types and
 * functions before members and variables, source before tests. `Container.member` narrows to a
 * container (class, impl target, Go receiver).
 *
 * @example
 * definition(repo, 'Parser.parse'); // [{ path: 'src/parser.ts', line: 12, kind: 'method', … }]
 */
export function definition(repo: RepoIndex, name: string, options: { limit?: number } = {}): SymbolHit[] {
  const dot = name.lastIndexOf('.');
  const member = dot > 0 ? name.slice(dot + 1) : name;
  const container = dot > 0 ? name.slice(0, dot) : null;
  return inTextSnapshot(repo, () => {
    const rows = repo.sqlite
      .prepare(
        `SELECT ${SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id
         WHERE s.name = ? COLLATE NOCASE AND (? IS NULL OR s.container = ? COLLATE NOCASE OR s.container LIKE '%.' || ?)
         ORDER BY (s.name = ?) DESC, ${KIND_RANK}, (f.path LIKE '%test%') ASC, length(f.path), f.path, s.start_line
         LIMIT ?`,
      )
      .all(member, container, container, container, member, options.limit ?? DEFAULT_LIMIT) as SymbolRow[];
    return rows.map((row) => withSymbolText(repo, row));
  });
}

/**
 * Where a name is used (identifier occurrences, declarations excluded), with the enclosing symbol.
 *
 * @example
 * references(repo, 'parse'); // [{ path: 'src/cli.ts', line: 40, name: 'parse', enclosing: 'main' }]
 */
export function references(repo: RepoIndex, name: string, options: { limit?: number } = {}): RefHit[] {
  const dot = name.lastIndexOf('.');
  const member = dot > 0 ? name.slice(dot + 1) : name;
  const limit = options.limit ?? 100;
  const rows = repo.sqlite
    .prepare('SELECT r.file_id AS fileId, f.path, r.lines FROM refs r JOIN files f ON f.id = r.file_id WHERE r.name = ? ORDER BY f.path')
    .all(member) as { fileId: number; path: string; lines: Buffer }[];
  const spansOf = repo.sqlite.prepare(
    `SELECT s.name, s.start_line AS startLine, s.end_line AS endLine FROM files f JOIN symbols s ON ${FILE_SYMBOLS}
     WHERE f.id = ? ORDER BY s.start_line, s.id`,
  );
  const hits: RefHit[] = [];
  for (const row of rows) {
    const spans = spansOf.all(row.fileId) as SymbolSpan[];
    for (const line of decodeLines(row.lines)) {
      if (hits.length >= limit) return hits;
      hits.push({ path: row.path, line, name: member, enclosing: innermostAt(spans, line) });
    }
  }
  return hits;
}

interface SymbolSpan {
  name: string;
  startLine: number;
  endLine: number;
}

/** The innermost symbol whose range holds `line` (spans sorted by start; later ones nest deeper), or null. */
function innermostAt(spans: readonly SymbolSpan[], line: number): string | null {
  let best: SymbolSpan | undefined;
  for (const span of spans) {
    if (span.startLine > line) break;
    if (span.endLine >= line && (best === undefined || span.startLine > best.startLine || span.endLine <= best.endLine)) best = span;
  }
  return best?.name ?? null;
}

/** A file's symbols as a tree with line ranges. */
export interface OutlineNode extends SymbolHit {
  children: OutlineNode[];
}

/**
 * A file's symbols as a tree (members under their class, nested functions under their function).
 * Returns undefined when the file is not in the index.
 */
export function outline(repo: RepoIndex, path: string): OutlineNode[] | undefined {
  return inTextSnapshot(repo, () => {
    const file = repo.sqlite.prepare('SELECT id FROM files WHERE path = ?').get(path) as { id: number } | undefined;
    if (file === undefined) return undefined;
    const rows = repo.sqlite
      .prepare(`SELECT s.id, s.parent_id AS parentId, ${SYMBOL_COLUMNS} FROM files f JOIN symbols s ON ${FILE_SYMBOLS} WHERE f.id = ? ORDER BY s.start_line, s.id`)
      .all(file.id) as (SymbolRow & { id: number; parentId: number | null })[];
    const nodes = new Map<number, OutlineNode>();
    const roots: OutlineNode[] = [];
    for (const { id, parentId, ...hit } of rows) {
      const node: OutlineNode = { ...withSymbolText(repo, hit), children: [] };
      nodes.set(id, node);
      const parent = parentId === null ? undefined : nodes.get(parentId);
      (parent?.children ?? roots).push(node);
    }
    return roots;
  });
}

/** What an indexed file's status says about its symbols, when it was not parsed for them. */
const UNPARSED: Record<string, string> = {
  text: 'indexed as text only (no parser for its language); search finds its lines',
  'skipped-large': 'skipped',
  'skipped-binary': 'skipped',
  'skipped-generated': 'skipped',
  error: 'not parsed',
};

/**
 * Why a file in the index has no symbols, when it was not parsed for them (`skipped: generated:
 * source map`, `not parsed: …`), else null — so an empty outline is not taken for a file without
 * declarations.
 *
 * @example
 * noSymbolsReason(repo, 'web/app.js.map'); // 'skipped: generated: source map'
 */
export function noSymbolsReason(repo: RepoIndex, path: string): string | null {
  const file = repo.sqlite.prepare('SELECT status, note FROM files WHERE path = ?').get(path) as { status: string; note: string | null } | undefined;
  const reason = file === undefined ? undefined : UNPARSED[file.status];
  if (file === undefined || reason === undefined) return null;
  return file.note === null ? reason : `${reason}: ${file.note}`;
}
