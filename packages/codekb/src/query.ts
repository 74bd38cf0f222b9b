/**
 * `@flotilla/codekb/query`: the read-only query API alone, for processes that answer questions
 * from an index another process writes (the `cb` daemon's `/api/knowledge/*`). It loads neither the
 * indexer (tree-sitter grammars) nor the MCP server, which the package root does.
 */
export { defaultDbPath, flotillaHome } from './store/db-path.js';
export { openRepoIndex } from './query/repo-index.js';
export type { RepoIndex } from './query/repo-index.js';
export { definition, outline, references } from './query/symbols.js';
export type { OutlineNode, RefHit, SymbolHit } from './query/symbols.js';
export { search } from './query/search.js';
export type { SearchHit, SearchOptions } from './query/search.js';
export { read } from './query/read.js';
export type { ReadErrorCode, ReadResult } from './query/read.js';
