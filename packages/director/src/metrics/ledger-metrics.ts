/**
 * The director's metrics, derived from the ledger file at each scrape — never kept in memory — so a
 * restarted director (or `flotilla-director metrics` from cron) reports the same counters: tickets
 * finished, attempts and failures by kind, job durations, tokens and cost (the `usage:` rows of
 * `director_state`, see `job-usage.ts`), batches by stage, pull requests, and the pause.
 */
import { openDatabase, type SqliteDatabase } from '@flotilla/kit/sqlite';
import { PauseStateSchema } from '../ledger/director-state.js';
import { formatExposition, type HistogramSample, type MetricFamily, type Sample } from './exposition.js';
import { USAGE_KEY_PREFIX, UsageRecordSchema } from './job-usage.js';

/** Job duration buckets, seconds: 30 s to 4 h (cb's wall timeout). */
export const DURATION_BUCKETS = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];

const P = 'flotilla_director';

/** The exposition text for the ledger at `path` (opened read-only for the scrape). */
export function ledgerMetricsText(path: string, now: number = Date.now()): string {
  const opened = openDatabase(path, { readonly: true });
  try {
    return formatExposition(ledgerMetrics(opened.sqlite, now));
  } finally {
    opened.close();
  }
}

export function ledgerMetrics(sqlite: SqliteDatabase, now: number): MetricFamily[] {
  return [...ticketFamilies(sqlite), ...attemptFamilies(sqlite), ...usageFamilies(sqlite), ...batchFamilies(sqlite), ...stateFamilies(sqlite, now)];
}

type Row = Record<string, string | number | null>;

function grouped(sqlite: SqliteDatabase, sql: string, labels: readonly string[]): Sample[] {
  return (sqlite.prepare(sql).all() as Row[]).map((row) => ({ labels: Object.fromEntries(labels.map((l) => [l, String(row[l] ?? '')])), value: Number(row.n) }));
}

function ticketFamilies(sqlite: SqliteDatabase): MetricFamily[] {
  return [
    {
      name: `${P}_tickets_processed_total`,
      help: 'Tickets the director finished: in review (a pull request or a branch) or given up.',
      type: 'counter',
      samples: grouped(sqlite, `select status, count(*) as n from tickets where status != 'open' group by status order by status`, ['status']),
    },
    {
      name: `${P}_tickets_open`,
      help: 'Tickets the director has taken up and not finished yet.',
      type: 'gauge',
      samples: [{ labels: {}, value: Number((sqlite.prepare(`select count(*) as n from tickets where status = 'open'`).get() as Row).n) }],
    },
  ];
}

interface AttemptRow {
  repo: string;
  model: string;
  outcome: string | null;
  failure_kind: string | null;
  burned: number;
  started_at: string;
  ended_at: string | null;
}

function attemptFamilies(sqlite: SqliteDatabase): MetricFamily[] {
  const rows = sqlite.prepare('select b.repo, a.model, a.outcome, a.failure_kind, a.burned, a.started_at, a.ended_at from attempts a join batches b on b.id = a.batch_id').all() as AttemptRow[];
  const attempts = new Map<string, Sample>();
  const failures = new Map<string, Sample>();
  const durations = new Map<string, HistogramSample & { observations: number[] }>();
  for (const row of rows) {
    const outcome = row.outcome ?? 'running';
    bump(attempts, { repo: row.repo, model: row.model, outcome });
    if (row.outcome === 'failed') bump(failures, { repo: row.repo, kind: row.failure_kind ?? 'unknown', burned: row.burned === 1 ? 'true' : 'false' });
    if (row.ended_at === null) continue;
    const seconds = Math.max(0, (Date.parse(row.ended_at) - Date.parse(row.started_at)) / 1000);
    const key = `${row.repo}\u0000${outcome}`;
    const entry = durations.get(key) ?? { labels: { repo: row.repo, outcome }, observations: [] };
    entry.observations.push(seconds);
    durations.set(key, entry);
  }
  return [
    { name: `${P}_attempts_total`, help: 'Job attempts dispatched, by repo, model and outcome (running: not ended yet).', type: 'counter', samples: [...attempts.values()] },
    { name: `${P}_failures_total`, help: 'Failed attempts by failure kind; burned says whether the failure used one of the ticket\'s attempts.', type: 'counter', samples: [...failures.values()] },
    { name: `${P}_job_duration_seconds`, help: 'How long each ended attempt\'s job ran, from dispatch to its end.', type: 'histogram', buckets: DURATION_BUCKETS, samples: [...durations.values()] },
  ];
}

function bump(map: Map<string, Sample>, labels: Record<string, string>): void {
  const key = Object.values(labels).join('\u0000');
  const sample = map.get(key) ?? { labels, value: 0 };
  map.set(key, { labels, value: sample.value + 1 });
}

function usageFamilies(sqlite: SqliteDatabase): MetricFamily[] {
  const rows = sqlite.prepare('select value from director_state where key like ? escape \'\\\'').all(`${USAGE_KEY_PREFIX.replace(/[%_\\]/g, '\\$&')}%`) as Array<{ value: string }>;
  const tokens = new Map<string, Sample>();
  const cost = new Map<string, Sample>();
  const add = (map: Map<string, Sample>, labels: Record<string, string>, by: number): void => {
    const key = Object.values(labels).join('\u0000');
    map.set(key, { labels, value: (map.get(key)?.value ?? 0) + by });
  };
  for (const row of rows) {
    const parsed = UsageRecordSchema.safeParse(JSON.parse(row.value));
    if (!parsed.success) continue;
    const { repo, model, usage } = parsed.data;
    add(tokens, { repo, model, type: 'input' }, usage.inputTokens);
    add(tokens, { repo, model, type: 'output' }, usage.outputTokens);
    add(tokens, { repo, model, type: 'cache_read' }, usage.cacheReadTokens);
    add(tokens, { repo, model, type: 'cache_write' }, usage.cacheWriteTokens);
    add(cost, { repo, model }, parsed.data.cost.usd);
  }
  return [
    { name: `${P}_tokens_total`, help: 'Tokens the jobs used, by repo, model and type (input, output, cache_read, cache_write).', type: 'counter', samples: [...tokens.values()] },
    { name: `${P}_cost_usd_total`, help: 'What the jobs cost in US dollars, by repo and model (the agent\'s figure, else the price table).', type: 'counter', samples: [...cost.values()] },
  ];
}

function batchFamilies(sqlite: SqliteDatabase): MetricFamily[] {
  return [
    {
      name: `${P}_batches`,
      help: 'Open batches by the stage the ledger recorded (claimed, worked, pushed).',
      type: 'gauge',
      samples: grouped(sqlite, `select repo, stage, count(*) as n from batches where status = 'open' group by repo, stage order by repo, stage`, ['repo', 'stage']),
    },
    {
      name: `${P}_batches_closed_total`,
      help: 'Closed batches by outcome (pull_request, branch, given_up, nothing_to_do).',
      type: 'counter',
      samples: grouped(sqlite, `select repo, outcome, count(*) as n from batches where status = 'closed' group by repo, outcome order by repo, outcome`, ['repo', 'outcome']),
    },
    {
      name: `${P}_pull_requests_total`,
      help: 'Pull requests recorded, by whether they were created or adopted (found already existing).',
      type: 'counter',
      samples: grouped(sqlite, `select repo, case adopted when 1 then 'adopted' else 'created' end as how, count(*) as n from pull_requests where state = 'created' group by repo, how order by repo, how`, ['repo', 'how']),
    },
  ];
}

function stateFamilies(sqlite: SqliteDatabase, now: number): MetricFamily[] {
  const row = sqlite.prepare(`select value from director_state where key = 'pause'`).get() as { value: string } | undefined;
  const parsed = row === undefined ? null : PauseStateSchema.safeParse(JSON.parse(row.value));
  const pause = parsed?.success ? parsed.data.pause : null;
  const active = pause !== null && pause.until > now;
  const last = sqlite.prepare(`select updated_at from director_state where key = 'last_cycle'`).get() as { updated_at: string } | undefined;
  const families: MetricFamily[] = [
    { name: `${P}_paused`, help: 'Whether the director is paused after a rate-limit or fast-failure storm (1) or not (0).', type: 'gauge', samples: [{ labels: {}, value: active ? 1 : 0 }] },
    {
      name: `${P}_pause_until_seconds`,
      help: 'When the pause ends (Unix seconds); 0 when not paused.',
      type: 'gauge',
      samples: [{ labels: {}, value: active ? Math.round(pause.until / 1000) : 0 }],
    },
  ];
  if (last !== undefined) {
    families.push({ name: `${P}_last_cycle_timestamp_seconds`, help: 'When the last full cycle ended (Unix seconds).', type: 'gauge', samples: [{ labels: {}, value: Math.round(Date.parse(last.updated_at) / 1000) }] });
  }
  return families;
}
