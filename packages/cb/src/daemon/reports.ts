import { sessionInboxItem, type InboxEntry, type InboxItem, type Job, type Repo, type SessionInboxItem, type Stats, type Usage } from '@flotilla/protocol';
import type { DaemonContext } from './context.js';

export async function allJobs(ctx: DaemonContext): Promise<Job[]> {
  const jobs: Job[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.store.listJobs({ limit: 500, cursor });
    jobs.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return jobs;
}

export function inboxItem(job: Job): InboxItem {
  const summary = job.failure ? `${job.failure.kind}: ${job.failure.message}` : (job.result ?? '').split('\n')[0] ?? '';
  return { kind: 'job', jobId: job.id, host: job.host, status: job.status, agent: job.agent, title: firstLine(job.prompt, 80), summary: summary.slice(0, 300), endedAt: job.endedAt, unread: job.unread };
}

/** A managed session waiting for its person, as an inbox entry; null for any other. */

/** Sessions that need you (longest waiting first), then unread results. */
export async function inbox(ctx: DaemonContext): Promise<InboxEntry[]> {
  const [sessions, page] = await Promise.all([ctx.store.listSessions({}), ctx.store.listJobs({ unread: true, limit: 500 })]);
  const waiting = sessions
    .map(sessionInboxItem)
    .filter((item): item is SessionInboxItem => item !== null)
    .sort((a, b) => a.since.localeCompare(b.since));
  return [...waiting, ...page.items.map(inboxItem)];
}

function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

type Row = Stats['byDay'][number];
function bump(map: Map<string, Row>, key: string, job: Job): void {
  const row = map.get(key) ?? { key, jobs: 0, costUsd: 0, usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 } };
  row.jobs += 1;
  row.costUsd = Math.round((row.costUsd + job.cost.usd) * 1e6) / 1e6;
  row.usage = addUsage(row.usage, job.usage);
  map.set(key, row);
}

/** Counts, tokens and cost by day, agent and model, and failures by kind, over the last `days`. */
export async function stats(ctx: DaemonContext, days: number): Promise<Stats> {
  const since = new Date(ctx.now().getTime() - days * 86_400_000).toISOString();
  return statsOf(await allJobs(ctx), { host: ctx.host, since });
}

/** Upper bounds of the duration histogram's buckets: 10 s, 30 s, 1, 2, 5, 10, 30 min, 1, 2 h. */
export const DURATION_BOUNDS_MS = [10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 7_200_000] as const;

/** The figures of `/api/stats` over the jobs created at or after `since` (pure: the route's core). */
export function statsOf(all: readonly Job[], options: { host: string; since: string }): Stats {
  const jobs = all.filter((j) => j.createdAt >= options.since);
  const byDay = new Map<string, Row>();
  const byAgent = new Map<string, Row>();
  const byModel = new Map<string, Row>();
  const byStatus: Record<string, number> = {};
  const failuresByKind: Record<string, number> = {};
  const failuresByDay = new Map<string, Record<string, number>>();
  const attempts: Record<string, number> = {};
  let totals = { jobs: 0, costUsd: 0, usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 } };
  for (const job of jobs) {
    bump(byDay, job.createdAt.slice(0, 10), job);
    bump(byAgent, job.agent, job);
    bump(byModel, job.model ?? 'default', job);
    byStatus[job.status] = (byStatus[job.status] ?? 0) + 1;
    for (const attempt of job.attempts) {
      if (!attempt.failure) continue;
      const kind = attempt.failure.kind;
      failuresByKind[kind] = (failuresByKind[kind] ?? 0) + 1;
      const day = (attempt.endedAt ?? attempt.startedAt ?? job.createdAt).slice(0, 10);
      const kinds = failuresByDay.get(day) ?? {};
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      failuresByDay.set(day, kinds);
    }
    if (job.endedAt !== null && job.attempts.length > 0) attempts[String(job.attempts.length)] = (attempts[String(job.attempts.length)] ?? 0) + 1;
    totals = { jobs: totals.jobs + 1, costUsd: Math.round((totals.costUsd + job.cost.usd) * 1e6) / 1e6, usage: addUsage(totals.usage, job.usage) };
  }
  const sorted = (m: Map<string, Row>) => [...m.values()].sort((a, b) => a.key.localeCompare(b.key));
  return {
    host: options.host,
    since: options.since,
    byStatus,
    byDay: sorted(byDay),
    byAgent: sorted(byAgent),
    byModel: sorted(byModel),
    failuresByKind,
    totals,
    failuresByDay: [...failuresByDay].sort(([a], [b]) => a.localeCompare(b)).map(([key, kinds]) => ({ key, kinds })),
    durations: durationsOf(jobs),
    attempts,
  };
}

/** Durations of the jobs that ran and ended: nearest-rank p50/p90, the longest, and a histogram. */
function durationsOf(jobs: readonly Job[]): Stats['durations'] {
  const ms = jobs
    .filter((j) => j.endedAt !== null && j.startedAt !== null && j.durationMs !== null)
    .map((j) => j.durationMs!)
    .sort((a, b) => a - b);
  const rank = (p: number) => (ms.length ? ms[Math.max(0, Math.ceil(p * ms.length) - 1)]! : null);
  const buckets: Stats['durations']['buckets'] = [...DURATION_BOUNDS_MS.map((leMs) => ({ leMs, jobs: 0 })), { leMs: null, jobs: 0 }];
  for (const d of ms) buckets.find((b) => b.leMs === null || d <= b.leMs)!.jobs += 1;
  return { jobs: ms.length, p50Ms: rank(0.5), p90Ms: rank(0.9), maxMs: ms.at(-1) ?? null, buckets };
}

export async function repos(ctx: DaemonContext): Promise<Repo[]> {
  const byRoot = new Map<string, Repo>();
  for (const job of await allJobs(ctx)) {
    const root = job.worktree?.repoRoot;
    if (!root || !job.worktree) continue;
    const repo = byRoot.get(root) ?? { root, host: ctx.host, jobs: 0, worktrees: [] };
    repo.jobs += 1;
    if (!job.inJob) repo.worktrees.push({ jobId: job.id, path: job.worktree.path, branch: job.worktree.branch, removed: job.worktree.removed });
    byRoot.set(root, repo);
  }
  return [...byRoot.values()];
}

/** Prometheus text exposition of job counts, tokens, cost and the daemon's own memory. */
export async function metrics(ctx: DaemonContext): Promise<string> {
  const jobs = await allJobs(ctx);
  const lines: string[] = [];
  const counts: Record<string, number> = {};
  let cost = 0;
  let usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  for (const job of jobs) {
    counts[job.status] = (counts[job.status] ?? 0) + 1;
    cost += job.cost.usd;
    usage = addUsage(usage, job.usage);
  }
  lines.push('# HELP cb_jobs Jobs by status.', '# TYPE cb_jobs gauge');
  for (const [status, n] of Object.entries(counts)) lines.push(`cb_jobs{host="${ctx.host}",status="${status}"} ${n}`);
  lines.push('# HELP cb_cost_usd_total Cost of all jobs.', '# TYPE cb_cost_usd_total counter', `cb_cost_usd_total{host="${ctx.host}"} ${cost}`);
  lines.push('# HELP cb_tokens_total Tokens of all jobs by kind.', '# TYPE cb_tokens_total counter');
  for (const [kind, n] of Object.entries(usage)) lines.push(`cb_tokens_total{host="${ctx.host}",kind="${kind}"} ${n}`);
  const memory = process.memoryUsage();
  lines.push('# HELP cb_daemon_rss_bytes Resident memory of the daemon.', '# TYPE cb_daemon_rss_bytes gauge', `cb_daemon_rss_bytes ${memory.rss}`);
  lines.push('# HELP cb_daemon_uptime_seconds Seconds since the daemon started.', '# TYPE cb_daemon_uptime_seconds gauge', `cb_daemon_uptime_seconds ${Math.round((Date.now() - ctx.startedAt.getTime()) / 1000)}`);
  return lines.join('\n') + '\n';
}

function firstLine(text: string, max: number): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > max ? line.slice(0, max - 1) + '…' : line;
}
