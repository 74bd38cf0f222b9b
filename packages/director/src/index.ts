/**
 * `@flotilla/director` — tickets in (the Flotilla board, GitHub Issues, Linear), one branch or
 * pull request out per ticket: never twice, never burning attempts on infrastructure failures.
 */
export {
  DirectorConfigSchema,
  RepoConfigSchema,
  BoardSourceConfigSchema,
  GitHubSourceConfigSchema,
  LinearSourceConfigSchema,
  KeywordRuleSchema,
} from './config/config-schema.js';
export type {
  DirectorConfig,
  DirectorConfigInput,
  RepoConfig,
  BoardSourceConfig,
  GitHubSourceConfig,
  LinearSourceConfig,
  KeywordRule,
} from './config/config-schema.js';
export { parseConfig, loadConfig, formatConfigIssue } from './config/load-config.js';
export type { ConfigIssue, ConfigResult } from './config/load-config.js';
export { routeTicket } from './config/routing.js';
export type { RouteDecision } from './config/routing.js';

export { SOURCE_NAMES, SourceNameSchema, TicketSchema, ticketKey, ticketBranch, refSafe } from './tickets/ticket.js';
export type { SourceName, Ticket, TicketComment } from './tickets/ticket.js';

export type { TicketSource, TicketStatusUpdate } from './sources/ticket-source.js';
export { createSources } from './sources/create-sources.js';
export type { CreateSourcesOptions, CreateSourcesResult } from './sources/create-sources.js';
export { createBoardSource } from './sources/board/board-source.js';
export type { BoardSourceOptions } from './sources/board/board-source.js';
export { createGitHubApi } from './sources/github/github-api.js';
export type { GitHubApi, GitHubApiOptions, GitHubIssue, GitHubComment, GitHubPull } from './sources/github/github-api.js';
export { createGitHubIssuesSource } from './sources/github/github-source.js';
export { createLinearApi } from './sources/linear/linear-api.js';
export type { LinearApi, LinearApiOptions, LinearIssue, LinearState } from './sources/linear/linear-api.js';
export { createLinearSource } from './sources/linear/linear-source.js';
export { HttpApiError, isHttpApiError } from './sources/http-errors.js';
export type { HttpApiErrorCode } from './sources/http-errors.js';

export { openSqliteLedger } from './ledger/sqlite-ledger.js';
export type { SqliteLedgerOptions } from './ledger/sqlite-ledger.js';
export { ticketSetOf } from './ledger/ledger.js';
export type {
  Ledger,
  LedgerTicket,
  LedgerBatch,
  TicketStatus,
  BatchStage,
  BatchOutcome,
  ClaimBatchInput,
  ClaimBatchResult,
  AttemptEnd,
  AttemptRecord,
  AttemptResult,
  PullRequestRecord,
  IntendPullRequestInput,
  IntendResult,
} from './ledger/ledger.js';
export { ATTEMPT_COST, burnsAttempt, modelForAttempt } from './ledger/attempt-cost.js';

export { ensureWorktree, removeWorktree, worktreeOfBranch } from './git/worktree.js';
export type { EnsureWorktreeInput, Worktree } from './git/worktree.js';
export { commitLeftovers, commitsAhead, pushBranch, commitMessage } from './git/commit-push.js';
export type { CommitResult, PushResult } from './git/commit-push.js';
export { GitError } from './git/run-git.js';

export { createDirector, DEFAULT_BATCH_LEASE_MS } from './cycle/director.js';
export type { Director, DirectorOptions } from './cycle/director.js';
export type { DirectorHooks } from './cycle/process-batch.js';
export { ensurePullRequest } from './cycle/pull-request.js';
export type { EnsurePullRequestInput, EnsurePullRequestResult } from './cycle/pull-request.js';
export { RunJobResultSchema } from './cycle/run-job.js';
export type { RunJob, RunJobRequest, RunJobResult } from './cycle/run-job.js';
export type { CycleReport, BatchReport, BatchRunOutcome } from './cycle/report.js';
export { buildPrompt } from './cycle/prompt.js';
