/**
 * Agent memory: learnings (text, tags, repo, outcome) in their own `memory.db`, recalled by BM25
 * and recency, exported and merged across hosts by content hash.
 */
export { isMemoryError, MemoryError } from './errors.js';
export type { MemoryErrorCode } from './errors.js';
export { contentHash, LearningSchema, OutcomeSchema, RememberInputSchema } from './model.js';
export type { Learning, Outcome, RememberInput } from './model.js';
export { RECENCY_DAYS, RECENCY_FLOOR, recall } from './recall.js';
export type { RecallHit } from './recall.js';
export { memoryRepoKey } from './repo-key.js';
export { defaultMemoryPath, MEMORY_SCHEMA_VERSION } from './schema.js';
export { deleteMemory, editMemory, exportMemories, importMemories, listMemories, openMemory, remember } from './store.js';
export type { ImportResult, MemoryPatch, MemoryStore } from './store.js';
