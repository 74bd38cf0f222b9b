/**
 * The hub's own records in `hub.db`: its outbox (every event it streams, re-sequenced from every
 * host's daemon), one event cursor per host, and a mirror of every host's jobs and sessions (so
 * the fleet stays visible while a host is unreachable). The hub is the only writer of this file
 * and never writes a daemon's database.
 */
import { isDeepStrictEqual } from 'node:util';
import { EventSchema, type FlotillaEvent, type Job, type Session } from '@flotilla/protocol';
import { openDatabase, immediate, type SqliteDatabase } from '@flotilla/kit/sqlite';
import { migrateComponent } from '../store/migrate.js';
import type { HubEventInput } from './hub-events.js';
import { jobFromEvent, newerThan, sessionFromEvent, withFleetHost } from './mirror-rules.js';

const MIGRATIONS: readonly string[] = [
  `create table hub_events (id integer primary key autoincrement, at text not null, type text not null, doc text not null);
   create table host_cursors (host text primary key, event_id integer not null, updated_at text not null);
   create table fleet_jobs (
     id text primary key, host text not null, status text not null,
     created_at text not null, updated_at text not null, doc text not null);
   create index fleet_jobs_created on fleet_jobs (created_at desc, id desc);
   create index fleet_jobs_host on fleet_jobs (host, status);
   create table fleet_sessions (
     host text not null, name text not null, id text not null, live integer not null,
     updated_at text not null, doc text not null, primary key (host, name));`,
  `create table hub_idempotency (scope text primary key, status integer not null, body text not null, at text not null);`,
];

export interface EventBounds {
  oldest: number | null;
  latest: number;
}

export interface FleetJobQuery {
  host?: string;
  status?: readonly string[];
  agent?: string;
  tag?: string;
  unread?: boolean;
  limit: number;
  /** The `created_at|id` of the last job of the previous page. */
  cursor?: string;
}

/** What applying a host's change did: the hub event written (null when the mirror already knew better). */
export type Applied = FlotillaEvent | null;

export interface HubStore {
  readonly hubName: string;
  append(input: HubEventInput): FlotillaEvent;
  eventsAfter(id: number, limit: number): FlotillaEvent[];
  eventBounds(): EventBounds;
  prune(before: Date): number;
  cursor(host: string): number | null;
  /** Applies one of `host`'s daemon events: mirror, re-sequenced outbox row and cursor in one transaction. */
  applyHostEvent(host: string, event: FlotillaEvent): Applied;
  /**
   * Applies a fresh listing of `host`'s jobs and sessions; writes an event only for a row that is new
   * or changed (a newer `updatedAt`, or the same one with other content), so a `resync` repeats nothing.
   */
  applySnapshot(host: string, jobs: readonly Job[], sessions: readonly Session[]): FlotillaEvent[];
  /** Records a job a host just answered with (a dispatch), ahead of its events. */
  rememberJob(host: string, job: Job): void;
  listJobs(query: FleetJobQuery): { items: Job[]; nextCursor: string | null };
  getJob(id: string): Job | null;
  /** Ids that start with `prefix` (for short ids), newest first. */
  jobIdsByPrefix(prefix: string, limit: number): string[];
  listSessions(options: { host?: string; all?: boolean }): Session[];
  /** Sessions named `name` on any host (live ones first). */
  sessionsNamed(name: string): Session[];
  forgetHost(host: string): void;
  /** The answer first given to a request with this idempotency scope (path + key), if any. */
  idempotentAnswer(scope: string): { status: number; body: string } | null;
  rememberAnswer(scope: string, status: number, body: string): void;
  close(): void;
}

const prepareInsert = (sqlite: SqliteDatabase) => sqlite.prepare<[string, string, string]>('insert into hub_events (at, type, doc) values (?, ?, ?)');
const insertStatements = new WeakMap<SqliteDatabase, ReturnType<typeof prepareInsert>>();

/**
 * Appends a hub event on another connection to the same `hub.db`, inside that connection's open
 * transaction (the board's: a task change and its event commit together).
 */
export function appendEventOn(sqlite: SqliteDatabase, hubName: string, at: Date, input: HubEventInput): void {
  let insert = insertStatements.get(sqlite);
  if (!insert) {
    insert = prepareInsert(sqlite);
    insertStatements.set(sqlite, insert);
  }
  const iso = at.toISOString();
  insert.run(iso, input.type, JSON.stringify({ host: hubName, ...input, at: iso }));
}

/**
 * Opens (creating or upgrading) the hub's tables in `path`.
 *
 * @example
 * const store = openHubStore({ path: join(home, 'hub.db'), hubName: 'hub' });
 * store.applyHostEvent('linux', event);
 */
export function openHubStore(options: { path: string; hubName: string; now?: () => Date }): HubStore {
  const { sqlite, close } = openDatabase(options.path);
  migrateComponent(sqlite, 'hub', MIGRATIONS);
  const now = options.now ?? (() => new Date());
  const sql = statements(sqlite);

  function append(input: HubEventInput): FlotillaEvent {
    const at = now().toISOString();
    const body = { host: options.hubName, ...input, at };
    const id = Number(sql.insertEvent.run(at, input.type, JSON.stringify(body)).lastInsertRowid);
    return { ...body, id } as unknown as FlotillaEvent;
  }

  function readEvents(rows: { id: number; doc: string }[]): FlotillaEvent[] {
    const events: FlotillaEvent[] = [];
    for (const row of rows) {
      const parsed = EventSchema.safeParse({ ...(JSON.parse(row.doc) as object), id: row.id });
      if (parsed.success) events.push(parsed.data);
    }
    return events;
  }

  function upsertJob(host: string, job: Job): boolean {
    const known = sql.jobDoc.get(job.id);
    if (known && !newerThan(job.updatedAt, (JSON.parse(known.doc) as Job).updatedAt)) return false;
    sql.upsertJob.run({ id: job.id, host, status: job.status, created: job.createdAt, updated: job.updatedAt, doc: JSON.stringify(job) });
    return true;
  }

  function upsertSession(host: string, session: Session): boolean {
    const known = sql.sessionDoc.get(host, session.name);
    if (known && known.id === session.id && !newerThan(session.updatedAt, (JSON.parse(known.doc) as Session).updatedAt)) return false;
    const live = session.endedAt === null && session.state !== 'exited' ? 1 : 0;
    sql.upsertSession.run({ host, name: session.name, id: session.id, live, updated: session.updatedAt, doc: JSON.stringify(session) });
    return true;
  }

  function mirror(host: string, event: FlotillaEvent): boolean {
    const job = jobFromEvent(event);
    if (job) return upsertJob(host, job);
    const session = sessionFromEvent(event);
    if (session) return upsertSession(host, session);
    return true;
  }

  return {
    hubName: options.hubName,
    append: (input) => immediate(sqlite, () => append(input)),
    eventsAfter: (id, limit) => readEvents(sql.eventsAfter.all(id, limit)),
    eventBounds: () => {
      const row = sql.bounds.get();
      return { oldest: row?.oldest ?? null, latest: row?.latest ?? 0 };
    },
    prune: (before) => {
      sql.pruneAnswers.run(before.toISOString());
      return Number(sql.prune.run(before.toISOString()).changes);
    },
    cursor: (host) => sql.cursor.get(host)?.event_id ?? null,
    applyHostEvent: (host, daemonEvent) =>
      immediate(sqlite, () => {
        sql.setCursor.run(host, daemonEvent.id, now().toISOString());
        const event = withFleetHost(daemonEvent, host);
        if (event.type === 'resync' || !mirror(host, event)) return null;
        const { id: _id, at: _at, ...rest } = event;
        return append({ ...rest, host });
      }),
    applySnapshot: (host, daemonJobs, daemonSessions) =>
      immediate(sqlite, () => {
        const written: FlotillaEvent[] = [];
        const jobs = withFleetHost(daemonJobs, host);
        const sessions = withFleetHost(daemonSessions, host);
        for (const job of jobs) {
          if (sameAsMirrored(sql.jobDoc.get(job.id), job)) continue;
          if (upsertJob(host, job)) written.push(append({ type: 'job.updated', host, job }));
        }
        for (const session of sessions) {
          const previous = sql.sessionDoc.get(host, session.name);
          if (sameAsMirrored(previous, session)) continue;
          const before = previous ? (JSON.parse(previous.doc) as Session).state : session.state;
          if (upsertSession(host, session)) written.push(append({ type: 'session.state', host, session, previous: before }));
        }
        return written;
      }),
    rememberJob: (host, job) => void immediate(sqlite, () => upsertJob(host, withFleetHost(job, host))),
    listJobs: (query) => listJobs(sqlite, query),
    getJob: (id) => {
      const row = sql.jobDoc.get(id);
      return row ? (JSON.parse(row.doc) as Job) : null;
    },
    jobIdsByPrefix: (prefix, limit) => sql.jobIdsByPrefix.all(`${prefix.toUpperCase()}%`, limit).map((row) => row.id),
    listSessions: ({ host, all }) =>
      sql.sessions
        .all({ host: host ?? null, all: all ? 1 : 0 })
        .map((row) => JSON.parse(row.doc) as Session),
    sessionsNamed: (name) => sql.sessionsNamed.all(name).map((row) => JSON.parse(row.doc) as Session),
    forgetHost: (host) =>
      immediate(sqlite, () => {
        sql.forgetCursor.run(host);
        sql.forgetSessions.run(host);
      }),
    idempotentAnswer: (scope) => sql.answer.get(scope) ?? null,
    rememberAnswer: (scope, status, body) => void sql.remember.run(scope, status, body, now().toISOString()),
    close,
  };
}

/**
 * True when the mirror already holds exactly this copy. Compared by content, not by `updatedAt`
 * alone: a daemon stamps `updatedAt` in milliseconds, so two writes within one millisecond (a job
 * that starts and fails at once) share a stamp but differ; only an identical copy is old news.
 */
function sameAsMirrored(row: { doc: string } | undefined, incoming: Job | Session): boolean {
  return row !== undefined && isDeepStrictEqual(JSON.parse(row.doc) as unknown, JSON.parse(JSON.stringify(incoming)) as unknown);
}

function statements(sqlite: SqliteDatabase) {
  return {
    insertEvent: sqlite.prepare<[string, string, string]>('insert into hub_events (at, type, doc) values (?, ?, ?)'),
    eventsAfter: sqlite.prepare<[number, number], { id: number; doc: string }>('select id, doc from hub_events where id > ? order by id limit ?'),
    bounds: sqlite.prepare<[], { oldest: number | null; latest: number | null }>('select min(id) as oldest, max(id) as latest from hub_events'),
    prune: sqlite.prepare<[string]>('delete from hub_events where at < ? and id < (select max(id) from hub_events)'),
    cursor: sqlite.prepare<[string], { event_id: number }>('select event_id from host_cursors where host = ?'),
    setCursor: sqlite.prepare<[string, number, string]>(
      'insert into host_cursors (host, event_id, updated_at) values (?, ?, ?) on conflict (host) do update set event_id = excluded.event_id, updated_at = excluded.updated_at',
    ),
    forgetCursor: sqlite.prepare<[string]>('delete from host_cursors where host = ?'),
    jobDoc: sqlite.prepare<[string], { doc: string }>('select doc from fleet_jobs where id = ?'),
    jobIdsByPrefix: sqlite.prepare<[string, number], { id: string }>('select id from fleet_jobs where id like ? order by created_at desc limit ?'),
    upsertJob: sqlite.prepare(
      `insert into fleet_jobs (id, host, status, created_at, updated_at, doc) values (@id, @host, @status, @created, @updated, @doc)
       on conflict (id) do update set host = excluded.host, status = excluded.status, updated_at = excluded.updated_at, doc = excluded.doc`,
    ),
    sessionDoc: sqlite.prepare<[string, string], { id: string; doc: string }>('select id, doc from fleet_sessions where host = ? and name = ?'),
    upsertSession: sqlite.prepare(
      `insert into fleet_sessions (host, name, id, live, updated_at, doc) values (@host, @name, @id, @live, @updated, @doc)
       on conflict (host, name) do update set id = excluded.id, live = excluded.live, updated_at = excluded.updated_at, doc = excluded.doc`,
    ),
    sessions: sqlite.prepare<[{ host: string | null; all: number }], { doc: string }>(
      'select doc from fleet_sessions where (@host is null or host = @host) and (@all = 1 or live = 1) order by host, name',
    ),
    sessionsNamed: sqlite.prepare<[string], { doc: string }>('select doc from fleet_sessions where name = ? order by live desc, updated_at desc'),
    forgetSessions: sqlite.prepare<[string]>('delete from fleet_sessions where host = ?'),
    answer: sqlite.prepare<[string], { status: number; body: string }>('select status, body from hub_idempotency where scope = ?'),
    remember: sqlite.prepare<[string, number, string, string]>('insert or ignore into hub_idempotency (scope, status, body, at) values (?, ?, ?, ?)'),
    pruneAnswers: sqlite.prepare<[string]>('delete from hub_idempotency where at < ?'),
  };
}

function listJobs(sqlite: SqliteDatabase, query: FleetJobQuery): { items: Job[]; nextCursor: string | null } {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: query.limit + 1 };
  const add = (clause: string, values: Record<string, unknown>): void => {
    where.push(clause);
    Object.assign(params, values);
  };
  if (query.host) add('host = @host', { host: query.host });
  if (query.status && query.status.length > 0) add('status in (select value from json_each(@statuses))', { statuses: JSON.stringify(query.status) });
  if (query.agent) add("json_extract(doc, '$.agent') = @agent", { agent: query.agent });
  if (query.tag) add("exists (select 1 from json_each(doc, '$.tags') t where t.value = @tag)", { tag: query.tag });
  if (query.unread !== undefined) add("json_extract(doc, '$.unread') = @unread", { unread: query.unread ? 1 : 0 });
  if (query.cursor) {
    const [created, id] = query.cursor.split('|');
    add('(created_at < @cCreated or (created_at = @cCreated and id < @cId))', { cCreated: created, cId: id ?? '' });
  }
  const text = `select doc from fleet_jobs ${where.length ? `where ${where.join(' and ')}` : ''} order by created_at desc, id desc limit @limit`;
  const rows = sqlite.prepare<[Record<string, unknown>], { doc: string }>(text).all(params);
  const items = rows.slice(0, query.limit).map((row) => JSON.parse(row.doc) as Job);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? `${last.createdAt}|${last.id}` : null };
}
