import { z } from 'zod';
import {
  AgentNameSchema,
  HostNameSchema,
  IdSchema,
  PermissionModeSchema,
  TimestampSchema,
} from './common.js';
import { FailureKindSchema, JobStatusSchema } from './lifecycle.js';

export const FailureSchema = z.object({
  kind: FailureKindSchema,
  /** Human-readable summary, e.g. the agent's own error text. */
  message: z.string(),
  /** For `rate_limited`: when the limit resets, if the agent said so. */
  resetsAt: TimestampSchema.nullable().optional(),
  /** HTTP status the agent reported, when it reported one. */
  httpStatus: z.number().int().nullable().optional(),
  /** For `timeout`: which limit was hit (an idle timeout does not consume a task attempt). */
  timeout: z.enum(['wall', 'idle']).optional(),
  /** The last lines of output, kept when nothing more specific was recognised. */
  rawTail: z.string().optional(),
});
export type Failure = z.infer<typeof FailureSchema>;

export const UsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadTokens: z.number().int().nonnegative(),
  cacheWriteTokens: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof UsageSchema>;
export const EMPTY_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

export const CostSchema = z.object({
  usd: z.number().nonnegative(),
  /** `agent`: the agent's own figure; `price_table`: tokens × the configured prices; `unknown`: neither. */
  source: z.enum(['agent', 'price_table', 'unknown']),
});
export type Cost = z.infer<typeof CostSchema>;

export const WorktreeSchema = z.object({
  path: z.string(),
  branch: z.string(),
  /** The ref the branch was made from, as given (or the current branch). */
  base: z.string(),
  /** The commit `base` pointed at when the job was created. */
  baseCommit: z.string(),
  repoRoot: z.string(),
  /** Files changed relative to `base` (committed or not), repo-relative. */
  changedFiles: z.array(z.string()),
  removed: z.boolean(),
});
export type Worktree = z.infer<typeof WorktreeSchema>;

/**
 * A job whose work is published on `origin` as `branch` (the director's jobs on another host): when
 * created, the daemon fetches `origin` and starts the worktree from `origin/<branch>` when origin has
 * it (earlier attempts' work), else from `base`; when an attempt succeeds, it commits what the agent
 * left uncommitted with `message` and pushes the worktree's HEAD to `origin` as `branch` (never
 * forced). A failed commit or push fails the attempt (`crashed`), in the daemon's own finalize path.
 */
export const JobPublishSchema = z.object({
  branch: z.string().min(1).max(250),
  message: z.string().min(1).max(10_000),
});
export type JobPublish = z.infer<typeof JobPublishSchema>;

export const AttemptStatusSchema = z.enum(['starting', 'running', 'succeeded', 'failed', 'cancelled']);
export type AttemptStatus = z.infer<typeof AttemptStatusSchema>;

export const AttemptSchema = z.object({
  n: z.number().int().positive(),
  status: AttemptStatusSchema,
  /** `new`, `retry` or `resume` (a follow-up prompt in the same conversation). */
  reason: z.enum(['new', 'retry', 'resume']),
  prompt: z.string(),
  model: z.string().nullable(),
  /** The agent conversation this attempt continued, for a resume. */
  resumedSessionId: z.string().nullable(),
  /** Non-secret fingerprint of the credential the attempt ran with. */
  credential: z.string().nullable(),
  agentSessionId: z.string().nullable(),
  tmuxSession: z.string(),
  startedAt: TimestampSchema.nullable(),
  endedAt: TimestampSchema.nullable(),
  exitCode: z.number().int().nullable(),
  failure: FailureSchema.nullable(),
  usage: UsageSchema,
  cost: CostSchema,
  /** Whether it consumed one of the job's task attempts. */
  consumedAttempt: z.boolean(),
});
export type Attempt = z.infer<typeof AttemptSchema>;

export const JobSchema = z.object({
  id: IdSchema,
  host: HostNameSchema,
  status: JobStatusSchema,
  agent: AgentNameSchema,
  model: z.string().nullable(),
  prompt: z.string(),
  cwd: z.string(),
  permissions: PermissionModeSchema,
  tags: z.array(z.string()),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  startedAt: TimestampSchema.nullable(),
  endedAt: TimestampSchema.nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
  /** Final answer of the last attempt. */
  result: z.string().nullable(),
  failure: FailureSchema.nullable(),
  agentSessionId: z.string().nullable(),
  usage: UsageSchema,
  cost: CostSchema,
  attempts: z.array(AttemptSchema),
  /** Task attempts used / allowed; infra retries used / allowed. */
  attemptsUsed: z.number().int().nonnegative(),
  maxAttempts: z.number().int().positive(),
  infraRetries: z.number().int().nonnegative(),
  /** When a `retry_wait` job becomes runnable again. */
  retryAt: TimestampSchema.nullable(),
  worktree: WorktreeSchema.nullable(),
  unread: z.boolean(),
  idempotencyKey: z.string().nullable(),
  timeoutMs: z.number().int().positive().nullable(),
  idleTimeoutMs: z.number().int().positive().nullable(),
  budgetUsd: z.number().positive().nullable(),
  modelLadder: z.array(z.string()),
  /** What the next attempt will be, while the job waits for one (queued or retry_wait). */
  pending: z
    .object({
      reason: z.enum(['new', 'retry', 'resume']),
      prompt: z.string(),
      resumeSessionId: z.string().nullable(),
      model: z.string().nullable(),
    })
    .nullable(),
  /** For `--in-job`: the job whose worktree and branch this one works in. */
  inJob: IdSchema.nullable(),
  /** Keys of `--env` values; their values are never returned. */
  envKeys: z.array(z.string()),
  /** Where the job's work is published (absent from daemons older than the field). */
  publish: JobPublishSchema.nullable().optional(),
});
export type Job = z.infer<typeof JobSchema>;

const EnvKeySchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not a valid environment variable name');

/** What a new job is made of; everything else starts empty. */
export interface NewJobFields {
  id: string;
  host: string;
  agent: string;
  model: string | null;
  prompt: string;
  cwd: string;
  permissions: Job['permissions'];
  /** ISO time of creation. */
  now: string;
}

/**
 * A job as created, before its first attempt starts: queued, nothing run, no usage, no cost,
 * pending a `new` start on `model`. `more` sets what the creator decided beyond that (attempts,
 * worktree, budgets, the model ladder…). Every server that makes jobs starts from here.
 */
export function newJob(fields: NewJobFields, more: Partial<Omit<Job, keyof NewJobFields>> = {}): Job {
  const { now, ...given } = fields;
  return {
    ...given,
    status: 'queued',
    tags: [],
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    result: null,
    failure: null,
    agentSessionId: null,
    usage: EMPTY_USAGE,
    cost: { usd: 0, source: 'unknown' },
    attempts: [],
    attemptsUsed: 0,
    maxAttempts: 1,
    infraRetries: 0,
    retryAt: null,
    worktree: null,
    unread: false,
    idempotencyKey: null,
    timeoutMs: null,
    idleTimeoutMs: null,
    budgetUsd: null,
    modelLadder: [],
    pending: { reason: 'new', prompt: fields.prompt, resumeSessionId: null, model: fields.model },
    inJob: null,
    envKeys: [],
    ...more,
  };
}


export const CreateJobRequestSchema = z.object({
  prompt: z.string().min(1, 'the prompt is empty').max(1_000_000),
  agent: AgentNameSchema.optional(),
  model: z.string().min(1).optional(),
  permissions: PermissionModeSchema.optional(),
  cwd: z.string().min(1).optional(),
  worktree: z.boolean().optional(),
  base: z.string().min(1).optional(),
  branch: z.string().min(1).optional(),
  inJob: IdSchema.optional(),
  env: z.record(EnvKeySchema, z.string()).optional(),
  /** Variables captured from the invoking shell (filtered by the daemon's allowlist). */
  clientEnv: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().int().positive().optional(),
  idleTimeoutMs: z.number().int().positive().optional(),
  budgetUsd: z.number().positive().optional(),
  tags: z.array(z.string().min(1).max(64)).max(32).optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
  attempts: z.number().int().min(1).max(20).optional(),
  modelLadder: z.array(z.string().min(1)).optional(),
  jsonSchema: z.unknown().optional(),
  /** Publish the work on `origin` (needs `worktree` and an `origin` remote); see `JobPublishSchema`. */
  publish: JobPublishSchema.optional(),
});
export type CreateJobRequest = z.infer<typeof CreateJobRequestSchema>;

export const ResumeJobRequestSchema = z.object({ prompt: z.string().min(1, 'the follow-up prompt is empty') });
export type ResumeJobRequest = z.infer<typeof ResumeJobRequestSchema>;

export const JobListQuerySchema = z.object({
  status: z.union([JobStatusSchema, z.array(JobStatusSchema)]).optional(),
  agent: AgentNameSchema.optional(),
  tag: z.string().optional(),
  unread: z.coerce.boolean().optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().optional(),
});
export type JobListQuery = z.infer<typeof JobListQuerySchema>;

export const JobPageSchema = z.object({ items: z.array(JobSchema), nextCursor: z.string().nullable() });
export type JobPage = z.infer<typeof JobPageSchema>;
