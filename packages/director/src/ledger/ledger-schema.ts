import { immediate, type SqliteDatabase } from '@flotilla/kit/sqlite';

/**
 * The ledger's tables, as plain SQL migrations applied in order under `BEGIN IMMEDIATE` (so several
 * directors opening a new file at once migrate it exactly once). The version is `user_version`.
 *
 * - `tickets`: one row per ticket ever seen by a batch: attempts used, infrastructure failures,
 *   whether it is finished (`in_review`) or given up.
 * - `batches`: one branch and one pull request keyed by its ticket set; `owner` and `lease_until`
 *   say which director works on it now. A ticket is in at most one open batch (`batch_tickets`'s
 *   partial unique index), and a ticket set has at most one open batch.
 * - `attempts`: every run, with its failure kind and whether it burned an attempt.
 * - `pull_requests`: the "PR intended" record, written and committed before the create call, then
 *   completed with the number and link (created or adopted).
 * - `director_state` (2): small JSON values under a name, shared by every director on the ledger: the
 *   storm pause (so a restarted director still honours it) and the last cycle's summary (for `status`).
 */
const MIGRATIONS: readonly string[] = [
  `
  create table tickets (
    key text primary key,
    source text not null,
    ticket_id text not null,
    title text not null,
    status text not null default 'open',
    failed_attempts integer not null default 0,
    infra_failures integer not null default 0,
    link text,
    note text,
    updated_at text not null
  );
  create table batches (
    id text primary key,
    ticket_set text not null,
    repo text not null,
    branch text not null,
    status text not null default 'open',
    stage text not null default 'claimed',
    outcome text,
    link text,
    owner text,
    lease_until integer not null default 0,
    created_at text not null,
    updated_at text not null
  );
  create unique index batches_open_set on batches (ticket_set) where status = 'open';
  create table batch_tickets (
    batch_id text not null references batches (id),
    ticket_key text not null references tickets (key),
    open integer not null default 1,
    primary key (batch_id, ticket_key)
  );
  create unique index batch_tickets_one_open on batch_tickets (ticket_key) where open = 1;
  create table attempts (
    id integer primary key autoincrement,
    batch_id text not null references batches (id),
    number integer not null,
    model text not null,
    owner text not null,
    started_at text not null,
    ended_at text,
    outcome text,
    failure_kind text,
    burned integer not null default 0,
    message text,
    resets_at text
  );
  create index attempts_batch on attempts (batch_id);
  create table pull_requests (
    batch_id text primary key references batches (id),
    repo text not null,
    head text not null,
    base text not null,
    state text not null,
    number integer,
    url text,
    adopted integer not null default 0,
    intended_by text not null,
    intent_until integer not null,
    intended_at text not null,
    recorded_at text
  );
  create unique index pull_requests_head on pull_requests (repo, head);
  `,
  `
  create table director_state (
    key text primary key,
    value text not null,
    updated_at text not null
  );
  create index batches_closed_at on batches (status, updated_at);
  `,
];

export function migrateLedger(sqlite: SqliteDatabase): void {
  immediate(sqlite, () => {
    const current = sqlite.pragma('user_version', { simple: true }) as number;
    for (let version = current; version < MIGRATIONS.length; version += 1) sqlite.exec(MIGRATIONS[version]!);
    if (current < MIGRATIONS.length) sqlite.pragma(`user_version = ${MIGRATIONS.length}`);
  });
}
