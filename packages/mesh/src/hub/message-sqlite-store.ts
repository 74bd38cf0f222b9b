import { monotonicFactory } from 'ulidx';
import { immediate, openDatabase, type SqliteDatabase } from '@flotilla/kit/sqlite';
import { MessageDeliverySchema, ProtocolError, type Message, type MessageDelivery } from '@flotilla/protocol';
import { z } from 'zod';
import { migrateComponent } from '../store/migrate.js';
import { CHANNEL_TARGET, DEFAULT_MESSAGE_LIMIT, type MessageStore, type NewMessage, type QueuedDelivery } from './message-store.js';

export interface SqliteMessageStoreOptions {
  /** The hub's database file (`hub.db`), shared with the board and profiles. */
  path: string;
  now?: () => Date;
}

const MIGRATIONS: readonly string[] = [
  `create table messages (
     id text primary key, seq integer unique, from_who text not null, from_host text, to_target text not null,
     text text not null, mentions text not null, created_at text not null);
   create table message_deliveries (
     message_id text not null references messages (id), session text not null, host text, state text not null,
     attempts integer not null, delivered_at text, error text, primary key (message_id, session));
   create index message_deliveries_queued on message_deliveries (state, session, message_id);`,
];

const MentionsSchema = z.array(z.string());
type MessageRow = { id: string; seq: number | null; from_who: string; from_host: string | null; to_target: string; text: string; mentions: string; created_at: string };
type DeliveryRow = { session: string; host: string | null; state: string; attempts: number; delivered_at: string | null; error: string | null };

const ulid = monotonicFactory();

function prepare(sqlite: SqliteDatabase) {
  const columns = 'id, seq, from_who, from_host, to_target, text, mentions, created_at';
  return {
    message: sqlite.prepare<[string], MessageRow>(`select ${columns} from messages where id = ?`),
    deliveries: sqlite.prepare<[string], DeliveryRow>('select * from message_deliveries where message_id = ? order by session'),
    nextSeq: sqlite.prepare<[], { seq: number }>('select coalesce(max(seq), 0) + 1 as seq from messages'),
    insert: sqlite.prepare(`insert into messages (${columns}) values (@id, @seq, @from, @fromHost, @to, @text, @mentions, @createdAt)`),
    insertDelivery: sqlite.prepare<[string, string, string | null]>(
      "insert into message_deliveries (message_id, session, host, state, attempts) values (?, ?, ?, 'queued', 0)",
    ),
    // Direct messages to a target or delivered to a session (channel mentions too), after an id or the latest.
    direct: sqlite.prepare<[{ to: string | null; after: string | null; limit: number }], MessageRow>(
      `select * from (select ${columns} from messages m
         where (@to is null and m.seq is null
                or @to is not null and (m.to_target = @to or exists (select 1 from message_deliveries d where d.message_id = m.id and d.session = @to)))
           and (@after is null or m.id > @after)
         order by case when @after is null then m.id end desc, m.id asc limit @limit) order by id`,
    ),
    channel: sqlite.prepare<[{ after: number | null; limit: number }], MessageRow>(
      `select * from (select ${columns} from messages where seq is not null and (@after is null or seq > @after)
         order by case when @after is null then seq end desc, seq asc limit @limit) order by seq`,
    ),
    queued: sqlite.prepare<[{ session: string | null }], { message_id: string; session: string }>(
      "select message_id, session from message_deliveries where state = 'queued' and (@session is null or session = @session) order by message_id, session",
    ),
    queuedSessions: sqlite.prepare<[], { session: string }>("select distinct session from message_deliveries where state = 'queued' order by session"),
    delivered: sqlite.prepare<[string, string, string]>(
      "update message_deliveries set state = 'delivered', attempts = attempts + 1, delivered_at = ?, error = null where message_id = ? and session = ? and state = 'queued'",
    ),
    attemptFailed: sqlite.prepare<[string, string | null, string, string]>(
      "update message_deliveries set attempts = attempts + 1, error = ?, host = coalesce(?, host) where message_id = ? and session = ? and state = 'queued'",
    ),
    failed: sqlite.prepare<[string, string, string]>(
      "update message_deliveries set state = 'failed', error = ? where message_id = ? and session = ? and state = 'queued'",
    ),
  };
}

function toDelivery(row: DeliveryRow): MessageDelivery {
  return MessageDeliverySchema.parse({ session: row.session, host: row.host, state: row.state, attempts: row.attempts, deliveredAt: row.delivered_at, error: row.error });
}

/**
 * Opens the message store on the hub's SQLite file. A message and its deliveries are written in
 * one `BEGIN IMMEDIATE` transaction, so a stored message always knows where it goes.
 *
 * @example
 * const messages = createSqliteMessageStore({ path: join(home, 'hub.db') });
 */
export function createSqliteMessageStore(options: SqliteMessageStoreOptions): MessageStore {
  const { sqlite, close } = openDatabase(options.path);
  migrateComponent(sqlite, 'messages', MIGRATIONS);
  const now = options.now ?? (() => new Date());
  const sql = prepare(sqlite);

  const assemble = (row: MessageRow): Message => ({
    id: row.id,
    seq: row.seq,
    from: row.from_who,
    fromHost: row.from_host,
    to: row.to_target,
    text: row.text,
    mentions: MentionsSchema.parse(JSON.parse(row.mentions)),
    deliveries: sql.deliveries.all(row.id).map(toDelivery),
    createdAt: row.created_at,
  });
  const load = (id: string): Message => {
    const row = sql.message.get(id);
    if (row === undefined) throw new ProtocolError('NOT_FOUND', `no message ${id}`);
    return assemble(row);
  };
  const insert = (input: NewMessage): Message => {
    const at = now();
    const id = ulid(at.getTime());
    const seq = input.to === CHANNEL_TARGET ? sql.nextSeq.get()!.seq : null;
    sql.insert.run({ id, seq, from: input.from, fromHost: input.fromHost, to: input.to, text: input.text, mentions: JSON.stringify(input.mentions), createdAt: at.toISOString() });
    for (const delivery of input.deliveries) sql.insertDelivery.run(id, delivery.session, delivery.host);
    return load(id);
  };
  const update = (id: string, change: () => unknown): Message => immediate(sqlite, () => (change(), load(id)));

  return {
    create: async (input) => immediate(sqlite, () => insert(input)),
    get: async (id) => {
      const row = sql.message.get(id);
      return row === undefined ? null : assemble(row);
    },
    list: async (query) => sql.direct.all({ to: query.to ?? null, after: query.after ?? null, limit: query.limit ?? DEFAULT_MESSAGE_LIMIT }).map(assemble),
    channel: async (query) => sql.channel.all({ after: query.after ?? null, limit: query.limit ?? DEFAULT_MESSAGE_LIMIT }).map(assemble),
    queued: async (session) =>
      sql.queued.all({ session: session ?? null }).map((row): QueuedDelivery => {
        const message = load(row.message_id);
        return { message, delivery: message.deliveries.find((delivery) => delivery.session === row.session)! };
      }),
    queuedSessions: async () => sql.queuedSessions.all().map((row) => row.session),
    markDelivered: async (id, session, at) => update(id, () => sql.delivered.run(at.toISOString(), id, session)),
    markAttemptFailed: async (id, session, { error, host }) => update(id, () => sql.attemptFailed.run(error, host, id, session)),
    markFailed: async (id, session, error) => update(id, () => sql.failed.run(error, id, session)),
    close: async () => close(),
  };
}
