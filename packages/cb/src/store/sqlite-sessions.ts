import { and, desc, eq, isNotNull, ne } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { immediate, type SqliteDatabase } from '@flotilla/kit/sqlite';
import { ProtocolError, SessionLogEntrySchema, SessionSchema, isSessionLive, type FlotillaEvent, type Session, type SessionLogEntry } from '@flotilla/protocol';
import { sessionLog, sessions } from './schema.js';
import type { EventDraft, SessionStore } from './types.js';

/** `cb session log` shows the most recent lines; older ones stay in the table. */
const DEFAULT_LOG_LIMIT = 1_000;

export interface SessionTablesOptions {
  sqlite: SqliteDatabase;
  db: BetterSQLite3Database;
  insertEvents(drafts: EventDraft[]): FlotillaEvent[];
  now(): Date;
}

function readSession(doc: string): Session {
  return SessionSchema.parse(JSON.parse(doc));
}

function columns(session: Session) {
  return {
    name: session.name,
    liveName: isSessionLive(session.state) ? session.name : null,
    state: session.state,
    agent: session.agent,
    updatedAt: session.updatedAt,
    endedAt: session.endedAt,
    doc: JSON.stringify(session),
  };
}

function nameTaken(name: string): ProtocolError {
  return new ProtocolError('SESSION_NAME_TAKEN', `a live session is already called "${name}"`, {
    fix: `pick another name, or stop it first: cb session stop ${name}`,
  });
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** The SQLite side of `SessionStore`: sessions as JSON documents, their log lines, outbox events in the same transaction. */
export function createSqliteSessionTables(options: SessionTablesOptions): SessionStore {
  const { sqlite, db, insertEvents, now } = options;
  const statements = {
    doc: sqlite.prepare<[string], { doc: string }>('select doc from sessions where id = ?'),
    insertLog: sqlite.prepare<[string, string, string]>('insert into session_log (session_id, at, doc) values (?, ?, ?)'),
  };

  function writeLog(entries: SessionLogEntry[]): EventDraft[] {
    return entries.map((entry) => {
      const parsed = SessionLogEntrySchema.parse(entry);
      statements.insertLog.run(parsed.sessionId, parsed.at, JSON.stringify(parsed));
      return { type: 'session.log', entry: parsed };
    });
  }

  return {
    async createSession(session, log) {
      const parsed = SessionSchema.parse(session);
      try {
        return immediate(sqlite, () => {
          const live = db.select({ id: sessions.id }).from(sessions).where(eq(sessions.liveName, parsed.name)).get();
          if (live && isSessionLive(parsed.state)) throw nameTaken(parsed.name);
          db.insert(sessions).values({ id: parsed.id, createdAt: parsed.createdAt, ...columns(parsed) }).run();
          insertEvents([{ type: 'session.created', session: parsed }, ...writeLog(log)]);
          return parsed;
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(parsed.name);
        throw error;
      }
    },
    async getSession(id) {
      const row = statements.doc.get(id);
      return row ? readSession(row.doc) : null;
    },
    async findSession(name) {
      const live = db.select({ doc: sessions.doc }).from(sessions).where(eq(sessions.liveName, name)).get();
      if (live) return readSession(live.doc);
      const ended = db.select({ doc: sessions.doc }).from(sessions).where(eq(sessions.name, name)).orderBy(desc(sessions.id)).limit(1).get();
      return ended ? readSession(ended.doc) : null;
    },
    async listSessions({ all }) {
      const rows = db
        .select({ doc: sessions.doc })
        .from(sessions)
        .where(all ? undefined : and(isNotNull(sessions.liveName), ne(sessions.state, 'exited')))
        .orderBy(desc(sessions.id))
        .all();
      return rows.map((r) => readSession(r.doc));
    },
    async updateSession(id, mutate) {
      try {
        return immediate(sqlite, () => {
          const row = statements.doc.get(id);
          if (!row) return null;
          const current = readSession(row.doc);
          const change = mutate(current);
          if (!change) return current;
          const next = SessionSchema.parse({ ...change.session, updatedAt: now().toISOString() });
          db.update(sessions).set(columns(next)).where(eq(sessions.id, id)).run();
          const events = change.events.map((e) => ('session' in e && e.session.id === id ? { ...e, session: next } : e)) as EventDraft[];
          insertEvents([...events, ...writeLog(change.log)]);
          return next;
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ProtocolError('SESSION_NAME_TAKEN', 'another live session has this name');
        throw error;
      }
    },
    async appendSessionLog(entries) {
      if (entries.length === 0) return;
      immediate(sqlite, () => insertEvents(writeLog(entries)));
    },
    async sessionLog(sessionId, limit = DEFAULT_LOG_LIMIT) {
      const rows = db
        .select({ doc: sessionLog.doc })
        .from(sessionLog)
        .where(eq(sessionLog.sessionId, sessionId))
        .orderBy(desc(sessionLog.id))
        .limit(limit)
        .all();
      return rows.reverse().map((r) => SessionLogEntrySchema.parse(JSON.parse(r.doc)));
    },
  };
}
