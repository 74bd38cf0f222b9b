import { z } from 'zod';
import { AgentNameSchema, HostNameSchema, IdSchema, TimestampSchema } from './common.js';
import { FailureKindSchema, JobStatusSchema } from './lifecycle.js';
import { UsageSchema } from './job.js';
import type { Session } from './session.js';

export const HealthSchema = z.object({ pid: z.number().int(), version: z.string(), protocol: z.number().int() });
export type Health = z.infer<typeof HealthSchema>;

export const DaemonStatusSchema = HealthSchema.extend({
  host: HostNameSchema,
  home: z.string(),
  socket: z.string(),
  startedAt: TimestampSchema,
  uptimeMs: z.number().int(),
  httpUrl: z.string().nullable(),
  slots: z.number().int(),
  running: z.number().int(),
  queued: z.number().int(),
  /**
   * True when no `cb` daemon answers: a hub drives the host's tmux over SSH exec itself (no durable
   * event log, fewer features). Absent from daemons.
   */
  bare: z.boolean().optional(),
});
export type DaemonStatus = z.infer<typeof DaemonStatusSchema>;

export const CapabilitiesSchema = z.object({
  kind: z.enum(['daemon', 'hub']),
  host: HostNameSchema,
  version: z.string(),
  protocol: z.number().int(),
  agents: z.array(AgentNameSchema),
  addons: z.array(z.string()),
  features: z.array(z.string()),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

export const PauseSchema = z.object({
  id: IdSchema,
  host: HostNameSchema,
  agent: AgentNameSchema,
  /** A stable, non-secret fingerprint of the credential (never the secret itself). */
  credential: z.string(),
  reason: FailureKindSchema,
  message: z.string(),
  startedAt: TimestampSchema,
  resetsAt: TimestampSchema,
  endedAt: TimestampSchema.nullable(),
});
export type Pause = z.infer<typeof PauseSchema>;

/** A finished job nobody has read yet. */
export const InboxItemSchema = z.object({
  kind: z.literal('job'),
  jobId: IdSchema,
  host: HostNameSchema,
  status: JobStatusSchema,
  agent: AgentNameSchema,
  title: z.string(),
  summary: z.string(),
  endedAt: TimestampSchema.nullable(),
  unread: z.boolean(),
});
export type InboxItem = z.infer<typeof InboxItemSchema>;

/** A session that needs its person now: it asks permission, or finished a turn and waits for input. */
export const SessionInboxItemSchema = z.object({
  kind: z.literal('session'),
  sessionId: IdSchema,
  name: z.string(),
  host: HostNameSchema,
  agent: z.string(),
  state: z.enum(['waiting_permission', 'waiting_input']),
  /** What a permission question asks. */
  waitingFor: z.string().nullable(),
  /** Since when it waits. */
  since: TimestampSchema,
  title: z.string(),
});
export type SessionInboxItem = z.infer<typeof SessionInboxItemSchema>;

/**
 * A session's inbox entry, or null when it does not need its person: an agent session (not a
 * discovered one) asking permission or waiting for input. The one rule the daemon's `/api/inbox`
 * and a client applying `session.state` events both use.
 */
export function sessionInboxItem(session: Session): SessionInboxItem | null {
  if (session.external || (session.state !== 'waiting_permission' && session.state !== 'waiting_input')) return null;
  const title = session.state === 'waiting_permission' ? `asks permission: ${session.waitingFor ?? 'a tool'}` : 'waits for input';
  const { id: sessionId, name, host, agent, state, waitingFor, since } = session;
  return { kind: 'session', sessionId, name, host, agent, state, waitingFor, since, title };
}

/** `GET /api/inbox`: sessions that need you (longest waiting first), then unread results. */
export const InboxEntrySchema = z.discriminatedUnion('kind', [SessionInboxItemSchema, InboxItemSchema]);
export type InboxEntry = z.infer<typeof InboxEntrySchema>;

const CountRow = z.object({ key: z.string(), jobs: z.number().int(), costUsd: z.number(), usage: UsageSchema });
export const StatsSchema = z.object({
  host: HostNameSchema,
  since: TimestampSchema,
  byStatus: z.record(z.string(), z.number().int()),
  byDay: z.array(CountRow),
  byAgent: z.array(CountRow),
  byModel: z.array(CountRow),
  failuresByKind: z.record(z.string(), z.number().int()),
  totals: z.object({ jobs: z.number().int(), costUsd: z.number(), usage: UsageSchema }),
  /**
   * Failed attempts per UTC day (the day the attempt ended), by failure kind; days without a
   * failure are left out. Sorted by day.
   */
  failuresByDay: z.array(z.object({ key: z.string(), kinds: z.record(z.string(), z.number().int()) })),
  /**
   * Wall-clock durations of the jobs that ran and ended in the period (first start to end). The
   * percentiles are nearest-rank, null when no job ended. `buckets` always lists every bound, in
   * order: the jobs that took at most `leMs` and more than the previous bound; the last bucket's
   * `leMs` is null (longer than every bound).
   */
  durations: z.object({
    jobs: z.number().int(),
    p50Ms: z.number().int().nullable(),
    p90Ms: z.number().int().nullable(),
    maxMs: z.number().int().nullable(),
    buckets: z.array(z.object({ leMs: z.number().int().nullable(), jobs: z.number().int() })),
  }),
  /**
   * Ended jobs by how many attempts they took (`'1'`, `'2'`, …): every run of the job counts
   * (task retries, infrastructure retries and follow-up resumes).
   */
  attempts: z.record(z.string(), z.number().int()),
});
export type Stats = z.infer<typeof StatsSchema>;

export const DoctorCheckSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  /** What was found (a version, a path). */
  detail: z.string(),
  /** Exactly what to do when not ok. */
  fix: z.string().nullable(),
});
export const DoctorReportSchema = z.object({
  host: HostNameSchema,
  ok: z.boolean(),
  checks: z.array(DoctorCheckSchema),
});
export type DoctorCheck = z.infer<typeof DoctorCheckSchema>;
export type DoctorReport = z.infer<typeof DoctorReportSchema>;

export const RepoSchema = z.object({
  root: z.string(),
  host: HostNameSchema,
  jobs: z.number().int(),
  worktrees: z.array(
    z.object({ jobId: IdSchema, path: z.string(), branch: z.string(), removed: z.boolean() }),
  ),
});
export type Repo = z.infer<typeof RepoSchema>;

export const GcRequestSchema = z.object({ dryRun: z.boolean().optional(), olderThanDays: z.number().nonnegative().optional() });
export const GcReportSchema = z.object({
  jobsRemoved: z.array(IdSchema),
  worktreesRemoved: z.array(z.string()),
  worktreesKept: z.array(z.object({ path: z.string(), reason: z.string() })),
  bytesFreed: z.number().int(),
  dryRun: z.boolean(),
});
export type GcRequest = z.infer<typeof GcRequestSchema>;
export type GcReport = z.infer<typeof GcReportSchema>;

export const DiffSchema = z.object({ jobId: IdSchema, base: z.string(), branch: z.string(), diff: z.string(), changedFiles: z.array(z.string()) });
export type Diff = z.infer<typeof DiffSchema>;

/** A browser signed in through a `cb serve` link: its cookie token, by a fingerprint (never the token). */
export const BrowserTokenSchema = z.object({
  /** First 12 hex of the token's SHA-256: what `DELETE /api/tokens/:id` takes. */
  id: z.string().regex(/^[0-9a-f]{12}$/),
  createdAt: TimestampSchema,
  expiresAt: TimestampSchema,
  /** The token this request came with (the page's own). */
  current: z.boolean(),
});
export type BrowserToken = z.infer<typeof BrowserTokenSchema>;
