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
