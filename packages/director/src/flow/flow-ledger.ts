import { immediate, openDatabase, type SqliteDatabase } from '@flotilla/kit/sqlite';
import { z } from 'zod';
import { TicketSchema } from '../tickets/ticket.js';
import { FlowDefinitionSchema, type ResolvedItem } from './flow-definition.js';
import { FLOW_STATUSES, STEP_STATUSES, type AcquireResult, type FlowLedger, type FlowRecord, type FlowStepRecord } from './flow-records.js';

/**
 * The flows' own record, in SQLite: one row per flow run (its definition as it was at the start, its
 * worktree, status and the runner holding it) and one row per step run (where in the flow, round,
 * attempt, job, note, verdict). Written before and after every step, so `flow show` after a crash
 * shows the step that was running, and a resumed flow replays what ended and continues there.
 *
 * Its tables live in their own file or beside the director's ledger in the same file: they are
 * versioned in their own `flow_schema` table, never through `user_version` (the ledger's).
 */

export { FLOW_STATUSES, STEP_STATUSES } from './flow-records.js';
export type { AcquireResult, BeginStepInput, CreateFlowInput, EndStepInput, FlowLedger, FlowRecord, FlowStatus, FlowStepRecord, StepStatus, StoredVerdict } from './flow-records.js';

const MIGRATIONS: readonly string[] = [
  `
  create table flows (
    id text primary key,
    name text not null,
    repo text not null,
    task text not null,
    definition text not null,
    worktree_path text not null,
    branch text not null,
    base_commit text,
    hosts text not null,
    tickets text not null,
    status text not null default 'running',
    reason text,
    owner text,
    lease_until integer not null default 0,
    created_at text not null,
    updated_at text not null,
    ended_at text
  );
  create index flows_created on flows (created_at);
  create table flow_steps (
    id integer primary key autoincrement,
    flow_id text not null references flows (id),
    position text not null,
    name text not null,
    kind text not null,
    round integer not null,
    attempt integer not null,
    status text not null default 'running',
    agent text,
    model text,
    idempotency_key text,
    job_id text,
    note text,
    verdict text,
    exit_code integer,
    reason text,
    failure_kind text,
    head text,
    started_at text not null,
    ended_at text,
    unique (flow_id, position, round, attempt)
  );
  `,
];

const FlowRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  repo: z.string(),
  task: z.string(),
  definition: z.string(),
  worktree_path: z.string(),
  branch: z.string(),
  base_commit: z.string().nullable(),
  hosts: z.string(),
  tickets: z.string(),
  status: z.enum(FLOW_STATUSES),
  reason: z.string().nullable(),
  owner: z.string().nullable(),
  lease_until: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
  ended_at: z.string().nullable(),
});
const StepRowSchema = z.object({
  id: z.number().int(),
  flow_id: z.string(),
  position: z.string(),
  name: z.string(),
  kind: z.enum(['work', 'review', 'command']),
  round: z.number().int(),
  attempt: z.number().int(),
  status: z.enum(STEP_STATUSES),
  agent: z.string().nullable(),
  model: z.string().nullable(),
  idempotency_key: z.string().nullable(),
  job_id: z.string().nullable(),
  note: z.string().nullable(),
  verdict: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  reason: z.string().nullable(),
  failure_kind: z.string().nullable(),
  head: z.string().nullable(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
});
const CheckedFindingSchema = z.object({
  claim: z.string(),
  path: z.string().nullable(),
  line: z.number().int().nullable(),
  quote: z.string().nullable(),
  mark: z.enum(['verified', 'unverified', 'external_unverified']),
  reason: z.string().nullable(),
  foundAtLine: z.number().int().nullable(),
  external: z.boolean(),
});
const StoredVerdictSchema = z.object({ verdict: z.enum(['approved', 'changes_requested']), findings: z.array(CheckedFindingSchema), from: z.enum(['json', 'fenced_block']) });

/**
 * Opens (creating when needed) the flows' tables in the SQLite file at `path` (WAL, 5 s busy
 * timeout; every read-then-write under `BEGIN IMMEDIATE`).
 *
 * @example
 * const ledger = openFlowLedger(`${stateDir}/flows.db`);
 * const flow = await ledger.getFlow(id);
 */
export function openFlowLedger(path: string, options: { now?: () => number } = {}): FlowLedger {
  const { sqlite } = openDatabase(path);
  migrate(sqlite);
  const now = options.now ?? Date.now;
  const iso = (): string => new Date(now()).toISOString();

  const readFlow = (id: string): FlowRecord | null => {
    const row = sqlite.prepare('select * from flows where id = ?').get(id);
    if (row === undefined) return null;
    const steps = sqlite.prepare('select * from flow_steps where flow_id = ? order by id').all(id).map(toStep);
    const flow = FlowRowSchema.parse(row);
    // Written by resolveFlow (every agent step has its agent and model), checked again on the way out.
    const definition = FlowDefinitionSchema.parse(JSON.parse(flow.definition)) as ResolvedItem[];
    return { ...toFlowHead(flow), definition, tickets: z.array(TicketSchema).parse(JSON.parse(flow.tickets)), steps };
  };
  const readStep = (id: number): FlowStepRecord => toStep(sqlite.prepare('select * from flow_steps where id = ?').get(id));

  return {
    async createFlow(input) {
      const at = iso();
      sqlite
        .prepare(
          `insert into flows (id, name, repo, task, definition, worktree_path, branch, base_commit, hosts, tickets, created_at, updated_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(input.id, input.name, input.repo, input.task, JSON.stringify(input.definition), input.worktreePath, input.branch, input.baseCommit, JSON.stringify(input.hosts), JSON.stringify(input.tickets), at, at);
      return readFlow(input.id)!;
    },
    async getFlow(id) {
      return readFlow(id);
    },
    async listFlows(options = {}) {
      const rows = sqlite.prepare('select * from flows order by created_at desc, id desc limit ?').all(options.limit ?? 50);
      return rows.map((row) => toFlowHead(FlowRowSchema.parse(row)));
    },
    async acquire(id, owner, leaseMs, canTakeOver = () => false) {
      return immediate(sqlite, (): AcquireResult => {
        const row = FlowRowSchema.parse(sqlite.prepare('select * from flows where id = ?').get(id));
        if (row.owner !== null && row.owner !== owner && row.lease_until > now() && !canTakeOver(row.owner)) return { ok: false, owner: row.owner, leaseUntil: row.lease_until };
        sqlite.prepare('update flows set owner = ?, lease_until = ?, updated_at = ? where id = ?').run(owner, now() + leaseMs, iso(), id);
        return { ok: true };
      });
    },
    async renew(id, owner, leaseMs) {
      return sqlite.prepare('update flows set lease_until = ? where id = ? and owner = ?').run(now() + leaseMs, id, owner).changes === 1;
    },
    async stepAt(flowId, position, round, attempt) {
      const row = sqlite.prepare('select * from flow_steps where flow_id = ? and position = ? and round = ? and attempt = ?').get(flowId, position, round, attempt);
      return row === undefined ? null : toStep(row);
    },
    async latestAttempt(flowId, position, round) {
      const row = sqlite.prepare('select * from flow_steps where flow_id = ? and position = ? and round = ? order by attempt desc limit 1').get(flowId, position, round);
      return row === undefined ? null : toStep(row);
    },
    async beginStep(input) {
      return immediate(sqlite, () => {
        const existing = sqlite
          .prepare('select id from flow_steps where flow_id = ? and position = ? and round = ? and attempt = ?')
          .get(input.flowId, input.position, input.round, input.attempt) as { id: number } | undefined;
        if (existing !== undefined) return readStep(existing.id);
        const result = sqlite
          .prepare(
            `insert into flow_steps (flow_id, position, name, kind, round, attempt, agent, model, idempotency_key, started_at)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(input.flowId, input.position, input.name, input.kind, input.round, input.attempt, input.agent, input.model, input.idempotencyKey, iso());
        sqlite.prepare('update flows set updated_at = ? where id = ?').run(iso(), input.flowId);
        return readStep(Number(result.lastInsertRowid));
      });
    },
    async setStepJob(stepId, jobId) {
      sqlite.prepare('update flow_steps set job_id = ? where id = ?').run(jobId, stepId);
    },
    async endStep(stepId, end) {
      sqlite
        .prepare(
          `update flow_steps set status = ?, note = ?, verdict = ?, exit_code = ?, reason = ?, failure_kind = ?, job_id = coalesce(?, job_id), head = ?, ended_at = ?
           where id = ?`,
        )
        .run(end.status, end.note, end.verdict == null ? null : JSON.stringify(end.verdict), end.exitCode ?? null, end.reason ?? null, end.failureKind ?? null, end.jobId ?? null, end.head ?? null, iso(), stepId);
      return readStep(stepId);
    },
    async finishFlow(id, owner, status, reason) {
      immediate(sqlite, () => {
        sqlite.prepare('update flows set status = ?, reason = ?, owner = null, lease_until = 0, updated_at = ?, ended_at = ? where id = ? and (owner = ? or owner is null)').run(status, reason, iso(), iso(), id, owner);
      });
      return readFlow(id)!;
    },
    async reopen(id) {
      sqlite.prepare(`update flows set status = 'running', reason = null, ended_at = null, updated_at = ? where id = ?`).run(iso(), id);
    },
    async close() {
      if (sqlite.open) sqlite.close();
    },
  };
}

function migrate(sqlite: SqliteDatabase): void {
  immediate(sqlite, () => {
    sqlite.exec('create table if not exists flow_schema (version integer not null)');
    const row = sqlite.prepare('select version from flow_schema').get() as { version: number } | undefined;
    const version = row?.version ?? 0;
    if (version > MIGRATIONS.length) throw new Error(`the flows' tables are at version ${version}, newer than this director knows (${MIGRATIONS.length}); upgrade it`);
    MIGRATIONS.slice(version).forEach((sql) => sqlite.exec(sql));
    if (row === undefined) sqlite.prepare('insert into flow_schema (version) values (?)').run(MIGRATIONS.length);
    else sqlite.prepare('update flow_schema set version = ?').run(MIGRATIONS.length);
  });
}

function toFlowHead(row: z.infer<typeof FlowRowSchema>): Omit<FlowRecord, 'steps' | 'definition' | 'tickets'> {
  return {
    id: row.id,
    name: row.name,
    repo: row.repo,
    task: row.task,
    worktreePath: row.worktree_path,
    branch: row.branch,
    baseCommit: row.base_commit,
    hosts: z.array(z.string()).parse(JSON.parse(row.hosts)),
    status: row.status,
    reason: row.reason,
    owner: row.owner,
    leaseUntil: row.lease_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    endedAt: row.ended_at,
  };
}

function toStep(raw: unknown): FlowStepRecord {
  const row = StepRowSchema.parse(raw);
  return {
    id: row.id,
    flowId: row.flow_id,
    position: row.position,
    name: row.name,
    kind: row.kind,
    round: row.round,
    attempt: row.attempt,
    status: row.status,
    agent: row.agent,
    model: row.model,
    idempotencyKey: row.idempotency_key,
    jobId: row.job_id,
    note: row.note,
    verdict: row.verdict === null ? null : StoredVerdictSchema.parse(JSON.parse(row.verdict)),
    exitCode: row.exit_code,
    reason: row.reason,
    failureKind: row.failure_kind,
    head: row.head,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}
