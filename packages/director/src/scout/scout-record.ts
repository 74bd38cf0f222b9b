import { immediate, openDatabase, type SqliteDatabase } from '@flotilla/kit/sqlite';
import { z } from 'zod';

/**
 * The scout's own record (`<stateDir>/scout.db`, SQLite, WAL): every proposal it added to the board,
 * by fingerprint, and every run with when it started, so a nightly scout never proposes the same
 * thing twice — even when the board no longer shows the task — and `start` knows when it last ran
 * across restarts. Versioned in its own `scout_schema` table.
 */
export interface ProposalRecord {
  repo: string;
  fingerprint: string;
  titleKey: string;
  title: string;
  taskId: string;
  taskKey: string;
  proposedAt: string;
  runId: string;
}

export type ScoutRunOutcome = 'proposed' | 'nothing_new' | 'nothing_found' | 'skipped' | 'failed';

export interface ScoutRecord {
  /** The earlier proposal of this repo with this fingerprint or this title, if any. */
  findProposal(repo: string, fingerprint: string, titleKey: string): ProposalRecord | null;
  recordProposal(record: ProposalRecord): void;
  startRun(run: { id: string; repo: string; dryRun: boolean }): void;
  endRun(id: string, outcome: { outcome: ScoutRunOutcome; proposed: number; skipped: number; reason: string | null; flowId: string | null }): void;
  /** When the latest run of this repo that was not a dry run started (ISO), or null. */
  lastRunStarted(repo: string): string | null;
  close(): void;
}

const MIGRATIONS: readonly string[] = [
  `create table scout_proposals (
     repo text not null, fingerprint text not null, title_key text not null, title text not null,
     task_id text not null, task_key text not null, proposed_at text not null, run_id text not null,
     primary key (repo, fingerprint));
   create index scout_proposals_title on scout_proposals (repo, title_key);
   create table scout_runs (
     id text primary key, repo text not null, dry_run integer not null, started_at text not null,
     ended_at text, outcome text, proposed integer, skipped integer, reason text, flow_id text);
   create index scout_runs_repo on scout_runs (repo, started_at);`,
];

const ProposalRowSchema = z.object({
  repo: z.string(),
  fingerprint: z.string(),
  title_key: z.string(),
  title: z.string(),
  task_id: z.string(),
  task_key: z.string(),
  proposed_at: z.string(),
  run_id: z.string(),
});

/**
 * @example
 * const record = openScoutRecord(`${stateDir}/scout.db`);
 * record.findProposal('api', fingerprint, titleKey); // null: never proposed
 */
export function openScoutRecord(path: string, options: { now?: () => number } = {}): ScoutRecord {
  const { sqlite, close } = openDatabase(path);
  migrate(sqlite);
  const iso = (): string => new Date((options.now ?? Date.now)()).toISOString();
  return {
    findProposal(repo, fingerprint, titleKey) {
      const row = sqlite.prepare('select * from scout_proposals where repo = ? and (fingerprint = ? or title_key = ?) order by proposed_at limit 1').get(repo, fingerprint, titleKey);
      if (row === undefined) return null;
      const r = ProposalRowSchema.parse(row);
      return { repo: r.repo, fingerprint: r.fingerprint, titleKey: r.title_key, title: r.title, taskId: r.task_id, taskKey: r.task_key, proposedAt: r.proposed_at, runId: r.run_id };
    },
    recordProposal(record) {
      sqlite
        .prepare('insert or ignore into scout_proposals (repo, fingerprint, title_key, title, task_id, task_key, proposed_at, run_id) values (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(record.repo, record.fingerprint, record.titleKey, record.title, record.taskId, record.taskKey, record.proposedAt, record.runId);
    },
    startRun(run) {
      sqlite.prepare('insert into scout_runs (id, repo, dry_run, started_at) values (?, ?, ?, ?)').run(run.id, run.repo, run.dryRun ? 1 : 0, iso());
    },
    endRun(id, outcome) {
      sqlite
        .prepare('update scout_runs set ended_at = ?, outcome = ?, proposed = ?, skipped = ?, reason = ?, flow_id = ? where id = ?')
        .run(iso(), outcome.outcome, outcome.proposed, outcome.skipped, outcome.reason, outcome.flowId, id);
    },
    lastRunStarted(repo) {
      const row = sqlite.prepare('select max(started_at) as at from scout_runs where repo = ? and dry_run = 0').get(repo) as { at: string | null } | undefined;
      return row?.at ?? null;
    },
    close,
  };
}

function migrate(sqlite: SqliteDatabase): void {
  immediate(sqlite, () => {
    sqlite.exec('create table if not exists scout_schema (version integer not null)');
    const row = sqlite.prepare('select version from scout_schema').get() as { version: number } | undefined;
    const version = row?.version ?? 0;
    if (version > MIGRATIONS.length) throw new Error(`the scout's tables are at version ${version}, newer than this director knows (${MIGRATIONS.length}); upgrade it`);
    MIGRATIONS.slice(version).forEach((sql) => sqlite.exec(sql));
    if (row === undefined) sqlite.prepare('insert into scout_schema (version) values (?)').run(MIGRATIONS.length);
    else sqlite.prepare('update scout_schema set version = ?').run(MIGRATIONS.length);
  });
}
