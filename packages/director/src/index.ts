/**
 * `@flotilla/director` — tickets in (the Flotilla board, GitHub Issues, Linear), one branch or
 * pull request out per ticket: never twice, never burning attempts on infrastructure failures.
 *
 * This entry has no Node-only code (schemas, routing, types, the attempt rules), so a browser
 * bundle may import it; the ledger, git, sources and the cycle are in `@flotilla/director/node`.
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
export { routeTicket } from './config/routing.js';
export type { RouteDecision } from './config/routing.js';

export { SOURCE_NAMES, SourceNameSchema, TicketSchema, ticketKey, ticketBranch, refSafe } from './tickets/ticket.js';
export type { SourceName, Ticket, TicketComment } from './tickets/ticket.js';
export type { TicketSource, TicketStatusUpdate } from './sources/ticket-source.js';
export { HttpApiError, isHttpApiError } from './sources/http-errors.js';
export type { HttpApiErrorCode } from './sources/http-errors.js';

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

export { RunJobResultSchema } from './cycle/run-job.js';
export type { RunJob, RunJobRequest, RunJobResult } from './cycle/run-job.js';
export type { CycleReport, BatchReport, BatchRunOutcome } from './cycle/report.js';
export { createPauseGate, STORM_MIN_RUNS, FIRST_BACKOFF_MS, MAX_BACKOFF_MS } from './cycle/pause.js';
export type { Pause, PauseGate } from './cycle/pause.js';

export { FlowDefinitionSchema, FlowItemSchema, FlowStepSchema, LoopSchema } from './flow/flow-definition.js';
export { VerdictSchema, FindingSchema, VERDICT_JSON_SCHEMA, parseVerdict } from './flow/verdict.js';
export type { Verdict, Finding, VerdictParse } from './flow/verdict.js';
