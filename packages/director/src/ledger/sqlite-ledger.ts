import { immediate, openDatabase, type SqliteDatabase } from '@flotilla/kit/sqlite';
import { FailureKindSchema } from '@flotilla/protocol';
import { ulid } from 'ulidx';
import { z } from 'zod';
import { SourceNameSchema } from '../tickets/ticket.js';
import { burnsAttempt } from './attempt-cost.js';
import {
  ticketSetOf,
  type AttemptEnd,
  type AttemptRecord,
  type AttemptResult,
  type BatchOutcome,
  type BatchStage,
  type ClaimBatchInput,
  type ClaimBatchResult,
  type IntendPullRequestInput,
  type IntendResult,
  type Ledger,
  type LedgerBatch,
  type LedgerOverview,
  type LedgerTicket,
  type OverviewBatch,
  type PullRequestRecord,
} from './ledger.js';
import { migrateLedger } from './ledger-schema.js';

const TicketRowSchema = z.object({
  key: z.string(),
  source: SourceNameSchema,
  ticket_id: z.string(),
  title: z.string(),
  status: z.enum(['open', 'in_review', 'given_up']),
  failed_attempts: z.number().int(),
  infra_failures: z.number().int(),
  link: z.string().nullable(),
  note: z.string().nullable(),
  updated_at: z.string(),
});
const BatchRowSchema = z.object({
  id: z.string(),
  ticket_set: z.string(),
  repo: z.string(),
  branch: z.string(),
  status: z.enum(['open', 'closed']),
  stage: z.enum(['claimed', 'worked', 'pushed', 'finished']),
  outcome: z.enum(['pull_request', 'branch', 'given_up', 'nothing_to_do']).nullable(),
  link: z.string().nullable(),
  owner: z.string().nullable(),
  lease_until: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});
const AttemptRowSchema = z.object({
  id: z.number().int(),
  batch_id: z.string(),
  number: z.number().int(),
  model: z.string(),
  outcome: z.enum(['succeeded', 'failed']).nullable(),
  failure_kind: FailureKindSchema.nullable(),
  burned: z.number().int(),
  message: z.string().nullable(),
  resets_at: z.string().nullable(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
});
const PullRequestRowSchema = z.object({
  batch_id: z.string(),
  repo: z.string(),
  head: z.string(),
  base: z.string(),
  state: z.enum(['intended', 'created']),
  number: z.number().int().nullable(),
  url: z.string().nullable(),
  adopted: z.number().int(),
  intended_by: z.string(),
  intent_until: z.number().int(),
  recorded_at: z.string().nullable(),
});

export interface SqliteLedgerOptions {
  /** The clock, in ms; injected so that tests can expire leases. */
  now?: () => number;
}

/**
 * The ledger in one SQLite file (WAL, 5 s busy timeout): every read-then-write runs under
 * `BEGIN IMMEDIATE`, so directors in several processes on one file never both take a batch or
 * both decide to create one pull request.
 *
 * @example
 * const ledger = openSqliteLedger(join(home, 'director', 'ledger.db'));
 * const claim = await ledger.claimBatch({ repo: 'api', branch, tickets, owner: directorId, leaseMs: 600_000 });
 */
export function openSqliteLedger(path: string, options: SqliteLedgerOptions = {}): Ledger {
  const opened = openDatabase(path);
  const sqlite = opened.sqlite;
  migrateLedger(sqlite);
  const now = options.now ?? Date.now;
  const iso = (): string => new Date(now()).toISOString();
  const q = queries(sqlite);

  function batchById(id: string): LedgerBatch | null {
    const row = sqlite.prepare('select * from batches where id = ?').get(id);
    return row === undefined ? null : toBatch(BatchRowSchema.parse(row), keysOf(id));
  }
  const keysOf = (batchId: string): string[] =>
    (sqlite.prepare('select ticket_key from batch_tickets where batch_id = ? order by ticket_key').all(batchId) as Array<{ ticket_key: string }>).map((r) => r.ticket_key);
  const ticketByKey = (key: string): LedgerTicket | null => {
    const row = sqlite.prepare('select * from tickets where key = ?').get(key);
    return row === undefined ? null : toTicket(TicketRowSchema.parse(row));
  };
  const openBatchOf = (key: string): LedgerBatch | null => {
    const row = sqlite.prepare('select batch_id from batch_tickets where ticket_key = ? and open = 1').get(key) as { batch_id: string } | undefined;
    return row === undefined ? null : batchById(row.batch_id);
  };

  function claim(input: ClaimBatchInput): ClaimBatchResult {
    const at = now();
    for (const ticket of input.tickets) q.upsertTicket.run({ key: ticket.key, source: ticket.source, ticket_id: ticket.ticketId, title: ticket.title, at: iso() });
    for (const ticket of input.tickets) {
      const stored = ticketByKey(ticket.key)!;
      if (stored.status !== 'open') return { claimed: false, reason: 'finished', ticket: stored };
    }
    const set = ticketSetOf(input.tickets.map((t) => t.key));
    for (const ticket of input.tickets) {
      const open = openBatchOf(ticket.key);
      if (open === null) continue;
      if (open.ticketSet !== set) return { claimed: false, reason: 'other_batch', batch: open };
      if (open.owner !== null && open.owner !== input.owner && open.leaseUntil > at) return { claimed: false, reason: 'held', by: open.owner, batch: open };
      sqlite.prepare('update batches set owner = ?, lease_until = ?, updated_at = ? where id = ?').run(input.owner, at + input.leaseMs, iso(), open.id);
      return { claimed: true, batch: batchById(open.id)!, resumed: true };
    }
    const id = ulid();
    sqlite
      .prepare('insert into batches (id, ticket_set, repo, branch, owner, lease_until, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, set, input.repo, input.branch, input.owner, at + input.leaseMs, iso(), iso());
    for (const ticket of input.tickets) sqlite.prepare('insert into batch_tickets (batch_id, ticket_key) values (?, ?)').run(id, ticket.key);
    return { claimed: true, batch: batchById(id)!, resumed: false };
  }

  function endAttempt(attemptId: number, end: AttemptEnd, maxAttempts: number): AttemptResult {
    const row = AttemptRowSchema.parse(sqlite.prepare('select * from attempts where id = ?').get(attemptId));
    if (row.outcome !== null) throw new Error(`attempt ${attemptId} already ended ${row.outcome}`);
    const burned = end.outcome === 'failed' && burnsAttempt(end.kind);
    sqlite
      .prepare('update attempts set ended_at = ?, outcome = ?, failure_kind = ?, burned = ?, message = ?, resets_at = ? where id = ?')
      .run(iso(), end.outcome, end.outcome === 'failed' ? end.kind : null, burned ? 1 : 0, end.outcome === 'failed' ? end.message : null, end.outcome === 'failed' ? (end.resetsAt ?? null) : null, attemptId);
    const keys = keysOf(row.batch_id);
    if (end.outcome === 'failed') {
      const column = burned ? 'failed_attempts' : 'infra_failures';
      for (const key of keys) sqlite.prepare(`update tickets set ${column} = ${column} + 1, updated_at = ? where key = ?`).run(iso(), key);
    }
    const tickets = keys.map((key) => ticketByKey(key)!);
    const failedAttempts = Math.max(0, ...tickets.map((t) => t.failedAttempts));
    const exhausted = burned && tickets.every((t) => t.failedAttempts >= maxAttempts);
    if (exhausted) closeBatchNow(row.batch_id, 'given_up', null, `gave up after ${failedAttempts} failed attempts: ${end.outcome === 'failed' ? end.message : ''}`);
    return { attempt: toAttempt(AttemptRowSchema.parse(sqlite.prepare('select * from attempts where id = ?').get(attemptId))), failedAttempts, exhausted };
  }

  function closeBatchNow(batchId: string, outcome: BatchOutcome, link: string | null, note?: string): void {
    sqlite.prepare("update batches set status = 'closed', stage = 'finished', outcome = ?, link = ?, owner = null, updated_at = ? where id = ?").run(outcome, link, iso(), batchId);
    sqlite.prepare('update batch_tickets set open = 0 where batch_id = ?').run(batchId);
    const status = outcome === 'given_up' ? 'given_up' : 'in_review';
    for (const key of keysOf(batchId)) sqlite.prepare('update tickets set status = ?, link = ?, note = ?, updated_at = ? where key = ?').run(status, link, note ?? null, iso(), key);
  }

  function intend(batchId: string, input: IntendPullRequestInput): IntendResult {
    const at = now();
    const existing = pullRequestRow(batchId);
    if (existing?.state === 'created') return { state: 'created', record: existing };
    if (existing !== null && existing.intendedBy !== input.owner && existing.intentUntil > at) return { state: 'busy', record: existing };
    sqlite
      .prepare(
        `insert into pull_requests (batch_id, repo, head, base, state, intended_by, intent_until, intended_at) values (?, ?, ?, ?, 'intended', ?, ?, ?)
         on conflict (batch_id) do update set intended_by = excluded.intended_by, intent_until = excluded.intent_until`,
      )
      .run(batchId, input.repo, input.head, input.base, input.owner, at + input.leaseMs, iso());
    return { state: 'intended', record: pullRequestRow(batchId)! };
  }

  function pullRequestRow(batchId: string): PullRequestRecord | null {
    const row = sqlite.prepare('select * from pull_requests where batch_id = ?').get(batchId);
    return row === undefined ? null : toPullRequest(PullRequestRowSchema.parse(row));
  }

  function overviewBatch(row: unknown): OverviewBatch {
    const parsed = BatchRowSchema.parse(row);
    const keys = keysOf(parsed.id);
    const attempts = (sqlite.prepare('select * from attempts where batch_id = ? order by id').all(parsed.id) as unknown[]).map((a) => toAttempt(AttemptRowSchema.parse(a)));
    return { ...toBatch(parsed, keys), tickets: keys.map((key) => ticketByKey(key)!), attempts, createdAt: parsed.created_at, updatedAt: parsed.updated_at };
  }

  function overview(since: number): LedgerOverview {
    const sinceIso = new Date(since).toISOString();
    const open = (sqlite.prepare("select * from batches where status = 'open' order by created_at, id").all() as unknown[]).map(overviewBatch);
    const closed = (sqlite.prepare("select * from batches where status = 'closed' and updated_at >= ? order by updated_at desc, id").all(sinceIso) as unknown[]).map(overviewBatch);
    const pullRequests = (sqlite.prepare("select * from pull_requests where state = 'created' and recorded_at >= ? order by recorded_at desc").all(sinceIso) as unknown[]).map((row) => {
      const parsed = PullRequestRowSchema.parse(row);
      return { ...toPullRequest(parsed), recordedAt: parsed.recorded_at ?? '' };
    });
    return { open, closed, pullRequests };
  }

  const tx = <T>(fn: () => T): Promise<T> => Promise.resolve().then(() => immediate(sqlite, fn));
  return {
    ticket: async (key) => ticketByKey(key),
    batch: async (id) => batchById(id),
    openBatchOf: async (key) => openBatchOf(key),
    claimBatch: (input) => tx(() => claim(input)),
    renewBatch: (batchId, owner, leaseMs) =>
      tx(() => sqlite.prepare("update batches set lease_until = ? where id = ? and owner = ? and status = 'open'").run(now() + leaseMs, batchId, owner).changes === 1),
    releaseBatch: (batchId, owner) => tx(() => void sqlite.prepare('update batches set owner = null, lease_until = 0 where id = ? and owner = ?').run(batchId, owner)),
    setStage: (batchId, stage: BatchStage) => tx(() => void sqlite.prepare('update batches set stage = ?, updated_at = ? where id = ?').run(stage, iso(), batchId)),
    closeBatch: (batchId, outcome, link, note) => tx(() => closeBatchNow(batchId, outcome, link, note)),
    startAttempt: (batchId, model, owner) =>
      tx(() => {
        // A director that crashed while its job ran left the attempt open: resume it (same number,
        // so the same idempotency key, and the job that already runs is adopted, not started again).
        const unended = sqlite.prepare('select * from attempts where batch_id = ? and outcome is null order by id desc limit 1').get(batchId);
        if (unended !== undefined) {
          const row = AttemptRowSchema.parse(unended);
          sqlite.prepare('update attempts set owner = ? where id = ?').run(owner, row.id);
          return toAttempt(row);
        }
        const { n } = sqlite.prepare('select count(*) as n from attempts where batch_id = ?').get(batchId) as { n: number };
        const { lastInsertRowid } = sqlite
          .prepare('insert into attempts (batch_id, number, model, owner, started_at) values (?, ?, ?, ?, ?)')
          .run(batchId, n + 1, model, owner, iso());
        return toAttempt(AttemptRowSchema.parse(sqlite.prepare('select * from attempts where id = ?').get(lastInsertRowid)));
      }),
    endAttempt: (attemptId, end, maxAttempts) => tx(() => endAttempt(attemptId, end, maxAttempts)),
    attempts: async (batchId) =>
      (sqlite.prepare('select * from attempts where batch_id = ? order by id').all(batchId) as unknown[]).map((row) => toAttempt(AttemptRowSchema.parse(row))),
    intendPullRequest: (batchId, input) => tx(() => intend(batchId, input)),
    recordPullRequest: (batchId, pr) =>
      tx(() => {
        sqlite
          .prepare("update pull_requests set state = 'created', number = ?, url = ?, adopted = ?, recorded_at = ? where batch_id = ?")
          .run(pr.number, pr.url, pr.adopted ? 1 : 0, iso(), batchId);
        const record = pullRequestRow(batchId);
        if (record === null) throw new Error(`no pull request was intended for batch ${batchId}`);
        return record;
      }),
    pullRequest: async (batchId) => pullRequestRow(batchId),
    getState: async (key) => {
      const row = sqlite.prepare('select value from director_state where key = ?').get(key) as { value: string } | undefined;
      return row === undefined ? null : (JSON.parse(row.value) as unknown);
    },
    setState: (key, value) =>
      tx(() => {
        sqlite
          .prepare('insert into director_state (key, value, updated_at) values (?, ?, ?) on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at')
          .run(key, JSON.stringify(value), iso());
      }),
    overview: async (since) => overview(since),
    close: async () => opened.close(),
  };
}

function queries(sqlite: SqliteDatabase) {
  return {
    upsertTicket: sqlite.prepare(
      `insert into tickets (key, source, ticket_id, title, updated_at) values (@key, @source, @ticket_id, @title, @at)
       on conflict (key) do update set title = excluded.title`,
    ),
  };
}

function toTicket(row: z.infer<typeof TicketRowSchema>): LedgerTicket {
  return {
    key: row.key,
    source: row.source,
    ticketId: row.ticket_id,
    title: row.title,
    status: row.status,
    failedAttempts: row.failed_attempts,
    infraFailures: row.infra_failures,
    link: row.link,
    note: row.note,
    updatedAt: row.updated_at,
  };
}

function toBatch(row: z.infer<typeof BatchRowSchema>, ticketKeys: string[]): LedgerBatch {
  return {
    id: row.id,
    ticketSet: row.ticket_set,
    ticketKeys,
    repo: row.repo,
    branch: row.branch,
    status: row.status,
    stage: row.stage,
    outcome: row.outcome,
    link: row.link,
    owner: row.owner,
    leaseUntil: row.lease_until,
  };
}

function toAttempt(row: z.infer<typeof AttemptRowSchema>): AttemptRecord {
  return {
    id: row.id,
    batchId: row.batch_id,
    number: row.number,
    model: row.model,
    outcome: row.outcome,
    failureKind: row.failure_kind,
    burned: row.burned === 1,
    message: row.message,
    resetsAt: row.resets_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

function toPullRequest(row: z.infer<typeof PullRequestRowSchema>): PullRequestRecord {
  return {
    batchId: row.batch_id,
    repo: row.repo,
    head: row.head,
    base: row.base,
    state: row.state,
    number: row.number,
    url: row.url,
    adopted: row.adopted === 1,
    intendedBy: row.intended_by,
    intentUntil: row.intent_until,
  };
}
