import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * A job is stored as one JSON document (validated with JobSchema when read back) plus the
 * columns that queries filter and sort on. The document is the unit of consistency: every
 * change is a read-modify-write under BEGIN IMMEDIATE, together with its outbox rows.
 */
export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    status: text('status').notNull(),
    agent: text('agent').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    endedAt: text('ended_at'),
    unread: integer('unread').notNull().default(0),
    idempotencyKey: text('idempotency_key').unique(),
    doc: text('doc').notNull(),
    /** `--env` values, captured client variables and the JSON schema: never returned by the API. */
    secrets: text('secrets').notNull().default('{}'),
  },
  (t) => [index('jobs_status').on(t.status), index('jobs_created').on(t.createdAt), index('jobs_unread').on(t.unread)],
);

export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    type: text('type').notNull(),
    payload: text('payload').notNull(),
  },
  (t) => [index('outbox_at').on(t.at)],
);

export const pauses = sqliteTable('pauses', {
  id: text('id').primaryKey(),
  agent: text('agent').notNull(),
  credential: text('credential').notNull(),
  doc: text('doc').notNull(),
  resetsAt: text('resets_at').notNull(),
  endedAt: text('ended_at'),
});

export const credentials = sqliteTable(
  'credentials',
  {
    agent: text('agent').notNull(),
    credential: text('credential').notNull(),
    /** The failure kind that made it unusable, or null when usable. */
    unusable: text('unusable'),
    message: text('message'),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.agent, t.credential] })],
);

export const deliveries = sqliteTable('deliveries', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  jobId: text('job_id').notNull(),
  doc: text('doc').notNull(),
  at: text('at').notNull(),
});

/**
 * A session is one JSON document (validated with SessionSchema when read back), like a job, plus
 * the columns queries use. `live_name` is the name while the session lives and null once it has
 * exited, so the unique index refuses a second live session of one name but keeps ended ones.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    liveName: text('live_name').unique(),
    state: text('state').notNull(),
    agent: text('agent').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    endedAt: text('ended_at'),
    doc: text('doc').notNull(),
  },
  (t) => [index('sessions_name').on(t.name), index('sessions_state').on(t.state)],
);

/** `cb session log NAME`: state changes, sends, alerts and what the watchdog did, oldest first. */
export const sessionLog = sqliteTable(
  'session_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sessionId: text('session_id').notNull(),
    at: text('at').notNull(),
    doc: text('doc').notNull(),
  },
  (t) => [index('session_log_session').on(t.sessionId, t.id)],
);

/**
 * Capability tokens of jobs and sessions (`FLOTILLA_JOB_TOKEN`): only the SHA-256 of each token is
 * stored. A token stands for one job attempt or one launch of a session and is refused once that
 * ends (`revoked_at`, and checked against the job or session on every use).
 */
export const agentTokens = sqliteTable(
  'agent_tokens',
  {
    hash: text('hash').primaryKey(),
    kind: text('kind').notNull(),
    ownerId: text('owner_id').notNull(),
    attempt: integer('attempt'),
    name: text('name').notNull(),
    createdAt: text('created_at').notNull(),
    revokedAt: text('revoked_at'),
    revokedReason: text('revoked_reason'),
  },
  (t) => [index('agent_tokens_owner').on(t.ownerId)],
);

/** Board claims relayed for a job or session: the daemon renews their lease while the holder lives. */
export const relayClaims = sqliteTable('relay_claims', {
  taskId: text('task_id').primaryKey(),
  taskKey: text('task_key').notNull(),
  token: integer('token').notNull(),
  leaseMs: integer('lease_ms').notNull(),
  /** The holder's capability token (its hash), or null for a claim the user made outside any job. */
  tokenHash: text('token_hash'),
  doc: text('doc').notNull(),
  claimedAt: text('claimed_at').notNull(),
  renewedAt: text('renewed_at'),
});

/** Messages and channel posts waiting for the hub, sent in `id` order with their idempotency key. */
export const relayOutbox = sqliteTable('relay_outbox', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  key: text('key').notNull().unique(),
  path: text('path').notNull(),
  body: text('body').notNull(),
  headers: text('headers').notNull(),
  createdAt: text('created_at').notNull(),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  /** Set when the hub refused it for good (4xx): it stays for `cb doctor`-style inspection, unsent. */
  failedAt: text('failed_at'),
});
