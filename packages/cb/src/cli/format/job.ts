import { FAILURE_DESCRIPTIONS, type Attempt, type Cost, type Failure, type Job, type JobStatus, type Usage } from '@flotilla/protocol';
import { formatDuration } from '../duration.js';
import { PLAIN, type Style } from './ansi.js';
import { firstLine, renderTable, type Column } from './table.js';

/** Short ids are at least this long; longer where two listed jobs share the prefix (ULIDs made in the same ms). */
const SHORT_ID_MIN = 10;

/**
 * The shortest prefix of each id, at least 10 characters, that no other id in the list shares.
 * @example shortIds(['01J0AAAAAA1…', '01J0AAAAAA2…']) // prefixes of 11 characters
 */
export function shortIds(ids: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of ids) {
    let n = SHORT_ID_MIN;
    while (n < id.length && ids.some((other) => other !== id && other.startsWith(id.slice(0, n)))) n += 1;
    out.set(id, id.slice(0, n));
  }
  return out;
}

export function formatCost(cost: Cost): string {
  if (cost.source === 'unknown' && cost.usd === 0) return '-';
  return `$${cost.usd.toFixed(cost.usd >= 1 ? 2 : 3)}`;
}

const COST_SOURCES: Readonly<Record<Cost['source'], string>> = {
  agent: 'reported by the agent',
  price_table: 'tokens × configured prices',
  unknown: 'unknown',
};

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatUsage(usage: Usage): string {
  return [
    `input ${formatCount(usage.inputTokens)}`,
    `output ${formatCount(usage.outputTokens)}`,
    `cache read ${formatCount(usage.cacheReadTokens)}`,
    `cache write ${formatCount(usage.cacheWriteTokens)}`,
  ].join(' · ');
}

/** `3s`, `5m`, `2h`, `4d`: how long ago `iso` was. */
export function formatAge(iso: string, now: number): string {
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** The job's run time: final when it ended, growing while it runs, `-` before it starts. */
export function jobDuration(job: Pick<Job, 'durationMs' | 'startedAt' | 'endedAt'>, now: number): string {
  if (job.durationMs !== null) return formatDuration(job.durationMs);
  if (job.startedAt === null) return '-';
  return formatDuration((job.endedAt === null ? now : Date.parse(job.endedAt)) - Date.parse(job.startedAt));
}

export function colourStatus(status: JobStatus | Attempt['status'], style: Style): string {
  switch (status) {
    case 'succeeded':
      return style.green(status);
    case 'failed':
    case 'dead':
      return style.red(status);
    case 'cancelled':
    case 'retry_wait':
      return style.yellow(status);
    case 'running':
    case 'starting':
      return style.cyan(status);
    case 'queued':
      return status;
  }
}

/** `rate limited: the model provider rate-limited this credential`. */
export function describeFailure(failure: Pick<Failure, 'kind'>): string {
  return `${failure.kind.replace(/_/g, ' ')}: ${FAILURE_DESCRIPTIONS[failure.kind]}`;
}

export interface JobTableOptions {
  now: number;
  width: number;
  style?: Style;
}

/** The `cb ls` table. */
export function formatJobTable(jobs: readonly Job[], options: JobTableOptions): string {
  const style = options.style ?? PLAIN;
  const ids = shortIds(jobs.map((j) => j.id));
  const columns: Column<Job>[] = [
    { header: 'ID', value: (j) => ids.get(j.id) ?? j.id },
    { header: 'STATUS', value: (j) => colourStatus(j.status, style) },
    { header: 'AGENT', value: (j) => j.agent },
    { header: 'MODEL', value: (j) => j.model ?? '-' },
    { header: 'HOST', value: (j) => j.host },
    { header: 'AGE', value: (j) => formatAge(j.createdAt, options.now), align: 'right' },
    { header: 'DURATION', value: (j) => jobDuration(j, options.now), align: 'right' },
    { header: 'COST', value: (j) => formatCost(j.cost), align: 'right' },
    { header: 'PROMPT', value: (j) => firstLine(j.prompt), flexible: true },
  ];
  return renderTable(jobs, columns, options.width);
}

export interface JobDetailOptions {
  now: number;
  style?: Style;
}

/** The `cb show` view: everything about one job, result last. */
export function formatJobDetail(job: Job, options: JobDetailOptions): string {
  const style = options.style ?? PLAIN;
  const rows: [string, string][] = [];
  const add = (label: string, value: string | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') rows.push([label, value]);
  };
  add('id', job.id);
  add('status', statusLine(job, style));
  if (job.failure) {
    add('failure', describeFailure(job.failure));
    add('', job.failure.message);
    if (job.failure.resetsAt) add('', `resets at ${job.failure.resetsAt}`);
  }
  if (job.status === 'retry_wait' && job.retryAt) add('retry at', job.retryAt);
  add('agent', job.model ? `${job.agent} (${job.model})` : job.agent);
  add('host', job.host);
  add('cwd', job.cwd);
  add('permissions', job.permissions);
  if (job.worktree) {
    add('branch', `${job.worktree.branch} (from ${job.worktree.base})`);
    add('worktree', job.worktree.removed ? `${job.worktree.path} (removed)` : job.worktree.path);
    const files = job.worktree.changedFiles;
    files.forEach((file, i) => add(i === 0 ? 'changed' : '', file));
    if (files.length === 0) add('changed', 'nothing');
  }
  add('in job', job.inJob);
  add('session', job.agentSessionId);
  add('tokens', formatUsage(job.usage));
  add('cost', `${formatCost(job.cost)} (${COST_SOURCES[job.cost.source]})${job.budgetUsd ? `, budget $${job.budgetUsd}` : ''}`);
  add('duration', jobDuration(job, options.now));
  add('created', `${job.createdAt} (${formatAge(job.createdAt, options.now)} ago)`);
  add('tags', job.tags.join(', '));
  add('attempts', `${job.attemptsUsed} of ${job.maxAttempts} used${job.infraRetries ? `, ${job.infraRetries} infrastructure retries` : ''}`);
  const labelWidth = Math.max(...rows.map(([l]) => l.length));
  const lines = rows.map(([label, value]) => `${style.dim(label.padEnd(labelWidth))}  ${value}`);
  for (const attempt of job.attempts) lines.push(`  ${formatAttempt(attempt, options.now, style)}`);
  lines.push('', style.bold('prompt'), indent(job.prompt));
  if (job.result !== null) lines.push('', style.bold('result'), indent(job.result));
  return lines.join('\n');
}

function statusLine(job: Job, style: Style): string {
  const status = colourStatus(job.status, style);
  return job.unread ? `${status} (unread)` : status;
}

function formatAttempt(attempt: Attempt, now: number, style: Style): string {
  const duration = attempt.startedAt
    ? formatDuration((attempt.endedAt ? Date.parse(attempt.endedAt) : now) - Date.parse(attempt.startedAt))
    : '-';
  const parts = [`#${attempt.n}`, colourStatus(attempt.status, style), attempt.reason, attempt.model ?? '-', duration, formatCost(attempt.cost)];
  if (attempt.failure) parts.push(`${describeFailure(attempt.failure)} — ${firstLine(attempt.failure.message)}`);
  return parts.join('  ');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? '' : `  ${l}`))
    .join('\n');
}
