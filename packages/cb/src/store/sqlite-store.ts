import { fileURLToPath } from 'node:url';
import { and, asc, desc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { immediate, openDatabase } from '@flotilla/kit/sqlite';
import { EventSchema, JobSchema, PauseSchema, type FlotillaEvent, type Job, type JobListQuery } from '@flotilla/protocol';
import { credentials, deliveries, jobs, outbox, pauses } from './schema.js';
import { createSqliteSessionTables } from './sqlite-sessions.js';
import { createSqliteRelayTables } from '../relay/store.js';
import type { CredentialState, DeliveryRecord, EventDraft, JobSecrets, JobStore } from './types.js';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

export interface SqliteStoreOptions {
  path: string;
  host: string;
  now?: () => Date;
}

export function createSqliteStore(options: SqliteStoreOptions): JobStore {
  const { sqlite, db, close } = openDatabase(options.path, { migrationsFolder: MIGRATIONS_FOLDER });
  const now = options.now ?? (() => new Date());
  const host = options.host;

  // The hot statements are prepared once: drizzle prepares afresh on every call, which showed up
  // as a fifth of the daemon's CPU with 50 running jobs (bench/event-latency.mjs).
  const statements = {
    jobDoc: sqlite.prepare<[string], { doc: string }>('select doc from jobs where id = ?'),
    updateJob: sqlite.prepare<[string, string, string, string | null, number, string, string]>(
      'update jobs set status = ?, agent = ?, updated_at = ?, ended_at = ?, unread = ?, doc = ? where id = ?',
    ),
    insertEvent: sqlite.prepare<[string, string, string], { id: number }>('insert into outbox (at, type, payload) values (?, ?, ?) returning id'),
    eventsAfter: sqlite.prepare<[number, number], { id: number; at: string; type: string; payload: string }>(
      'select id, at, type, payload from outbox where id > ? order by id limit ?',
    ),
  };

  function readJob(doc: string): Job {
    return JobSchema.parse(JSON.parse(doc));
  }

  function insertEvents(drafts: EventDraft[]): FlotillaEvent[] {
    const at = now().toISOString();
    return drafts.map((draft) => {
      const { type, ...payload } = draft;
      const row = statements.insertEvent.get(at, type, JSON.stringify(payload))!;
      return { ...draft, id: row.id, at, host } as FlotillaEvent;
    });
  }

  function rowToColumns(job: Job) {
    return {
      status: job.status,
      agent: job.agent,
      updatedAt: job.updatedAt,
      endedAt: job.endedAt,
      unread: job.unread ? 1 : 0,
      doc: JSON.stringify(job),
    };
  }

  return {
    ...createSqliteSessionTables({ sqlite, db, insertEvents, now }),
    ...createSqliteRelayTables({ sqlite, db, now }),
    async createJob(job, secrets) {
      return immediate(sqlite, () => {
        if (job.idempotencyKey) {
          const existing = db.select({ doc: jobs.doc }).from(jobs).where(eq(jobs.idempotencyKey, job.idempotencyKey)).get();
          if (existing) return { job: readJob(existing.doc), created: false };
        }
        db.insert(jobs)
          .values({
            id: job.id,
            createdAt: job.createdAt,
            idempotencyKey: job.idempotencyKey,
            secrets: JSON.stringify(secrets),
            ...rowToColumns(job),
          })
          .run();
        insertEvents([{ type: 'job.created', job }]);
        return { job, created: true };
      });
    },
    async getJob(id) {
      const row = statements.jobDoc.get(id);
      return row ? readJob(row.doc) : null;
    },
    async getSecrets(id) {
      const row = db.select({ secrets: jobs.secrets }).from(jobs).where(eq(jobs.id, id)).get();
      return row ? (JSON.parse(row.secrets) as JobSecrets) : null;
    },
    async listJobs(query: JobListQuery) {
      const limit = query.limit ?? 50;
      const where: SQL[] = [];
      const statuses = typeof query.status === 'string' ? [query.status] : query.status;
      if (statuses?.length) where.push(inArray(jobs.status, statuses));
      if (query.agent) where.push(eq(jobs.agent, query.agent));
      if (query.unread !== undefined) where.push(eq(jobs.unread, query.unread ? 1 : 0));
      if (query.cursor) where.push(lt(jobs.id, query.cursor));
      if (query.tag) where.push(sql`exists (select 1 from json_each(${jobs.doc}, '$.tags') where value = ${query.tag})`);
      const rows = db
        .select({ id: jobs.id, doc: jobs.doc })
        .from(jobs)
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(jobs.id))
        .limit(limit + 1)
        .all();
      const items = rows.slice(0, limit).map((r) => readJob(r.doc));
      const nextCursor = rows.length > limit ? (items[items.length - 1]?.id ?? null) : null;
      return { items, nextCursor };
    },
    async jobsWithStatus(statuses) {
      const rows = db.select({ doc: jobs.doc }).from(jobs).where(inArray(jobs.status, [...statuses])).orderBy(asc(jobs.id)).all();
      return rows.map((r) => readJob(r.doc));
    },
    async updateJob(id, mutate) {
      return immediate(sqlite, () => {
        const row = statements.jobDoc.get(id);
        if (!row) return null;
        const current = readJob(row.doc);
        const change = mutate(current);
        if (!change) return current;
        const next = JobSchema.parse({ ...change.job, updatedAt: now().toISOString() });
        const c = rowToColumns(next);
        statements.updateJob.run(c.status, c.agent, c.updatedAt, c.endedAt, c.unread, c.doc, id);
        insertEvents(change.events.map((e) => ('job' in e && e.job.id === id ? { ...e, job: next } : e)) as EventDraft[]);
        return next;
      });
    },
    async deleteJob(id) {
      immediate(sqlite, () => {
        db.delete(jobs).where(eq(jobs.id, id)).run();
        db.delete(deliveries).where(eq(deliveries.jobId, id)).run();
      });
    },
    async appendEvents(drafts) {
      return immediate(sqlite, () => insertEvents(drafts));
    },
    async eventsAfter(id, limit) {
      const rows = statements.eventsAfter.all(id, limit);
      return rows.map((r) => EventSchema.parse({ ...JSON.parse(r.payload), type: r.type, id: r.id, at: r.at, host }));
    },
    async eventBounds() {
      const row = db.select({ oldest: sql<number | null>`min(${outbox.id})`, latest: sql<number | null>`max(${outbox.id})` }).from(outbox).get();
      const seq = sqlite.prepare("select seq from sqlite_sequence where name = 'outbox'").get() as { seq: number } | undefined;
      return { oldest: row?.oldest ?? null, latest: row?.latest ?? seq?.seq ?? 0 };
    },
    async pruneEvents(olderThan) {
      return db.delete(outbox).where(lt(outbox.at, olderThan)).run().changes;
    },
    async unreadCount() {
      const row = db.select({ n: sql<number>`count(*)` }).from(jobs).where(eq(jobs.unread, 1)).get();
      return row?.n ?? 0;
    },
    async savePause(pause) {
      const doc = JSON.stringify(PauseSchema.parse(pause));
      const values = { id: pause.id, agent: pause.agent, credential: pause.credential, doc, resetsAt: pause.resetsAt, endedAt: pause.endedAt };
      db.insert(pauses).values(values).onConflictDoUpdate({ target: pauses.id, set: values }).run();
    },
    async activePauses() {
      const rows = db.select({ doc: pauses.doc }).from(pauses).where(isNull(pauses.endedAt)).all();
      return rows.map((r) => PauseSchema.parse(JSON.parse(r.doc)));
    },
    async setCredentialState(state: CredentialState) {
      const values = { ...state, updatedAt: now().toISOString() };
      db.insert(credentials)
        .values(values)
        .onConflictDoUpdate({ target: [credentials.agent, credentials.credential], set: values })
        .run();
    },
    async credentialStates() {
      return db.select({ agent: credentials.agent, credential: credentials.credential, unusable: credentials.unusable, message: credentials.message }).from(credentials).all();
    },
    async recordDelivery(delivery: DeliveryRecord) {
      db.insert(deliveries).values({ jobId: delivery.jobId, doc: JSON.stringify(delivery), at: delivery.at }).run();
    },
    async close() {
      close();
    },
  };
}
