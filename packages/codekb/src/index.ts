/**
 * `@flotilla/codekb` — a local code index (tree-sitter symbols and references, SQLite FTS5 and a
 * trigram text index) queried with cited answers: every hit carries a repo-relative `path` and a
 * 1-based `line`.
 */
export { indexRepository, MAX_FILE_BYTES } from './index/indexer.js';
export type { IndexOptions, IndexSummary } from './index/indexer.js';
export { languageOf } from './index/languages.js';
export type { LanguageId } from './index/languages.js';
export { defaultDbPath, flotillaHome } from './store/db-path.js';
export { openIndexDatabase, SCHEMA_VERSION } from './store/schema.js';
export type { IndexDatabase } from './store/schema.js';
export { splitIdentifier } from './store/words.js';
export { openRepoIndex } from './query/repo-index.js';
export type { RepoIndex } from './query/repo-index.js';
export { definition, outline, references } from './query/symbols.js';
export type { OutlineNode, RefHit, SymbolHit } from './query/symbols.js';
export { search } from './query/search.js';
export type { SearchHit, SearchOptions } from './query/search.js';
export { hybridSearch } from './vector/hybrid.js';
export type { HybridSearchOptions, HybridSearchResult, VectorParticipation } from './vector/hybrid.js';
export { createVectorBackend } from './vector/backend.js';
export type { VectorBackend, VectorBackendParts } from './vector/backend.js';
export { resolveVectorConfig, vectorConfigOrThrow, VectorConfigSchema } from './vector/config.js';
export type { VectorConfig, VectorConfigResult } from './vector/config.js';
export { isVectorError } from './vector/errors.js';
export type { VectorError, VectorErrorCode } from './vector/errors.js';
export type { Embedder } from './vector/embedder.js';
export type { ChunkPayload, VectorMatch, VectorPoint, VectorStore } from './vector/store.js';
export type { VectorSyncSummary } from './vector/sync.js';
export { read } from './query/read.js';
export type { ReadErrorCode, ReadResult } from './query/read.js';
export { createCodekbServer } from './mcp/server.js';
export { serveCodekbHttp, codekbTokenPath } from './mcp/http.js';
export { repoMap, countTokens } from './query/repo-map.js';
export type { RepoMap, RepoMapFile } from './query/repo-map.js';
export { related } from './query/related.js';
export type { RelatedFile } from './query/related.js';
export {
  openMemory,
  remember,
  recall,
  listMemories,
  editMemory,
  deleteMemory,
  exportMemories,
  importMemories,
  defaultMemoryPath,
  memoryRepoKey,
  MEMORY_SCHEMA_VERSION,
  RECENCY_DAYS,
  RECENCY_FLOOR,
  MemoryError,
  isMemoryError,
  LearningSchema,
  RememberInputSchema,
  OutcomeSchema,
  contentHash,
  consolidateMemories,
  ConsolidationReportSchema,
} from './memory/index.js';
export type { MemoryStore, Learning, RememberInput, Outcome, RecallHit, MemoryPatch, ImportResult, MemoryErrorCode, ConsolidationReport } from './memory/index.js';
