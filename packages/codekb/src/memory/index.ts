/**
 * Agent memory: learnings (text, tags, repo, outcome) in their own `memory.db`, recalled by BM25,
 * recency and evidence, consolidated (near-duplicates merged, contradictions settled), exported and
 * merged across hosts by content hash.
 */
export { isMemoryError, MemoryError } from './errors.js';
export type { MemoryErrorCode } from './errors.js';
export { contentHash, LearningSchema, OutcomeSchema, RememberInputSchema, SupersedeReasonSchema } from './model.js';
export type { Learning, Outcome, RememberInput, SupersedeReason } from './model.js';
export { CONTESTED_FACTOR, evidenceFactor, RECENCY_DAYS, RECENCY_FLOOR, recall } from './recall.js';
export type { RecallHit } from './recall.js';
export { memoryRepoKey } from './repo-key.js';
export { defaultMemoryPath, MEMORY_SCHEMA_VERSION } from './schema.js';
export { deleteMemory, editMemory, listMemories, openMemory, remember } from './store.js';
export type { MemoryPatch, MemoryStore } from './store.js';
export { exportMemories, importMemories } from './exchange.js';
export type { ImportResult } from './exchange.js';
export { consolidateMemories, ConsolidationReportSchema, LearningRefSchema } from './consolidate.js';
export type { ConsolidationReport, LearningRef } from './consolidate.js';
export { CONTRADICTION_SIMILARITY, DUPLICATE_SIMILARITY, planConsolidation, SUBSTITUTED_SIMILARITY } from './consolidation-plan.js';
export type { ConsolidationPlan, PlannedMerge, PlanRow } from './consolidation-plan.js';
export { conflictingSpecifics, differentThings, learningFeatures, sameNumberOrder, substituted, swappedInPlace } from './learning-features.js';
export type { LearningFeatures } from './learning-features.js';
export { similarPairs } from './similar-pairs.js';
export { relatedPairs } from './related-pairs.js';
export type { SimilarPair } from './similar-pairs.js';
