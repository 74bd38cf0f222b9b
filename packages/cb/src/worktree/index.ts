export { findRepoRoot, currentRef, resolveCommit } from './git.js';
export { slugify, shortJobId, defaultBranchName, MAX_SLUG_LENGTH } from './slug.js';
export { WORKTREE_INCLUDE_FILE, parseWorktreeInclude, readWorktreeInclude, copyIncludedFiles } from './include.js';
export type { IncludePatterns, IncludeReport } from './include.js';
export { createWorktree, worktreePathFor, SETUP_TIMEOUT_MS } from './create.js';
export type {
  CreateWorktreeOptions,
  CreateWorktreeResult,
  CreateWorktreeErrorCode,
  CreatedWorktree,
  SetupResult,
} from './create.js';
export { changedFiles, worktreeDiff, worktreeState, untrackedFiles } from './changes.js';
export type { WorktreeAtBase, ChangesResult, WorktreeState } from './changes.js';
export { removeWorktree } from './remove.js';
export type { RemovableWorktree, RemoveWorktreeOptions, RemoveWorktreeResult } from './remove.js';
