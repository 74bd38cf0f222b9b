/**
 * What the knowledge page shows, kept in the address (`/knowledge?repo=…&q=…&file=…&line=…`) so a
 * cited hit is a link: it can be opened in a new tab, shared, and Back returns to the results.
 */
export const KNOWLEDGE_MODES = ['search', 'definition', 'references'] as const;
export type KnowledgeMode = (typeof KNOWLEDGE_MODES)[number];

export const MODE_LABELS: Record<KnowledgeMode, string> = { search: 'Search', definition: 'Definition', references: 'References' };

/** Languages codekb parses, plus `markdown` (heading sections) and `text` (everything else). */
export const LANGUAGES = ['typescript', 'tsx', 'javascript', 'python', 'go', 'rust', 'markdown', 'text'] as const;

export interface KnowledgeView {
  /** Absolute repository root; '' until one is chosen. */
  repo: string;
  mode: KnowledgeMode;
  /** The search text, or the symbol name for definition/references; '' asks nothing. */
  q: string;
  literal: boolean;
  language: string;
  /** Path glob (`src/**\/*.ts`). */
  glob: string;
  /** The open file (repo-relative) and the cited line; '' and 0 when none is open. */
  file: string;
  line: number;
}

export const EMPTY_VIEW: KnowledgeView = { repo: '', mode: 'search', q: '', literal: false, language: '', glob: '', file: '', line: 0 };

export function parseView(query: URLSearchParams): KnowledgeView {
  const mode = query.get('mode');
  const line = Number(query.get('line'));
  return {
    repo: query.get('repo') ?? '',
    mode: KNOWLEDGE_MODES.includes(mode as KnowledgeMode) ? (mode as KnowledgeMode) : 'search',
    q: query.get('q') ?? '',
    literal: query.get('literal') === '1',
    language: query.get('language') ?? '',
    glob: query.get('glob') ?? '',
    file: query.get('file') ?? '',
    line: Number.isInteger(line) && line > 0 ? line : 0,
  };
}

/** The address of a view; fields at their defaults are left out. */
export function viewHref(view: KnowledgeView): string {
  const params = new URLSearchParams();
  if (view.repo) params.set('repo', view.repo);
  if (view.mode !== 'search') params.set('mode', view.mode);
  if (view.q) params.set('q', view.q);
  if (view.mode === 'search' && view.literal) params.set('literal', '1');
  if (view.mode === 'search' && view.language) params.set('language', view.language);
  if (view.mode === 'search' && view.glob) params.set('glob', view.glob);
  if (view.file) params.set('file', view.file);
  if (view.file && view.line > 0) params.set('line', String(view.line));
  const search = params.toString();
  return search ? `/knowledge?${search}` : '/knowledge';
}

/** The file view of a cited hit, keeping the query that found it. */
export function citationHref(view: KnowledgeView, hit: { path: string; line: number }): string {
  return viewHref({ ...view, file: hit.path, line: hit.line });
}

/** Lines shown on each side of the cited line when a file opens. */
export const CONTEXT_LINES = 40;
/** Lines added when the reader asks for more above or below. */
export const MORE_LINES = 80;

/** The first read of a file opened at `line` (1-based; 0 opens the top). */
export function initialRange(line: number): { start: number; end: number } {
  const start = Math.max(1, line - CONTEXT_LINES);
  return { start, end: Math.max(line, 1) + CONTEXT_LINES };
}
