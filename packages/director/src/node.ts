/**
 * `@flotilla/director/node` — the Node-side director: config files, the SQLite ledger, git,
 * the ticket sources over HTTP, and the cycle.
 */
export { parseConfig, loadConfig, formatConfigIssue } from './config/load-config.js';
export type { ConfigIssue, ConfigResult } from './config/load-config.js';

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

export { openSqliteLedger } from './ledger/sqlite-ledger.js';
export type { SqliteLedgerOptions } from './ledger/sqlite-ledger.js';

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
export { buildPrompt } from './cycle/prompt.js';

export { createFleet, judgeDoctor } from './hub/fleet.js';
export type { Fleet, FleetOptions } from './hub/fleet.js';
export { createFleetRunJob } from './hub/dispatch.js';
export type { FleetRunJobOptions } from './hub/dispatch.js';
export { findServer, findLocalDaemon } from './hub/server.js';
export type { FlotillaServer } from './hub/server.js';

export { openFlowLedger } from './flow/flow-ledger.js';
export type { FlowLedger, FlowRecord, FlowStepRecord, FlowStatus } from './flow/flow-ledger.js';
export { createFlowRunner } from './flow/flow-runner.js';
export type { FlowRunner, FlowRunnerOptions, FlowJobRequest, FlowRunJob } from './flow/flow-runner.js';
export { createFlowRunJob } from './flow/flow-run-job.js';
export { runFlowCommand } from './cli/flow-command.js';
export type { FlowCommandDeps } from './cli/flow-command.js';

export { createCodekbLearnings } from './learnings/codekb-learnings.js';
export { ledgerMetricsText } from './metrics/ledger-metrics.js';
export { startMetricsServer } from './metrics/metrics-server.js';
export type { MetricsServer } from './metrics/metrics-server.js';

export { consolidateLearnings } from './learnings/consolidate-learnings.js';
export type { ConsolidationOutcome, ConsolidationSummary } from './learnings/consolidate-learnings.js';
export { createLearningsConsolidation } from './learnings/consolidation-schedule.js';
export type { LearningsConsolidation, LearningsConsolidationOptions } from './learnings/consolidation-schedule.js';

export { runScout } from './scout/scout-run.js';
export type { ScoutOptions, ScoutReport, ScoutRepoReport } from './scout/scout-run.js';
export { startScoutSchedule } from './scout/scout-schedule.js';
export type { ScoutSchedule, ScoutScheduleOptions } from './scout/scout-schedule.js';
export { openScoutRecord } from './scout/scout-record.js';
export type { ScoutRecord } from './scout/scout-record.js';

export { createPipelineReporter } from './pipeline/pipeline-reporter.js';
export type { PipelineReporter, PipelineReporterOptions } from './pipeline/pipeline-reporter.js';
export { buildDirectorReport } from './pipeline/pipeline-report.js';
