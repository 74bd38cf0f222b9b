import { JOB_STATUSES, type Job, type JobListQuery, type JobStatus } from '@flotilla/protocol';

export type SortKey = 'created' | 'updated' | 'status' | 'duration' | 'cost';
export type SortDir = 'asc' | 'desc';
export const SORT_KEYS: readonly SortKey[] = ['created', 'updated', 'status', 'duration', 'cost'];

/** What the jobs list shows; it lives in the URL query so a filtered view can be bookmarked. */
export interface JobFilters {
  status: JobStatus[];
  agent: string;
  host: string;
  tag: string;
  /** Free text: every word must appear in the prompt (or the id). */
  q: string;
  sort: SortKey;
  dir: SortDir;
}

export const DEFAULT_FILTERS: JobFilters = { status: [], agent: '', host: '', tag: '', q: '', sort: 'created', dir: 'desc' };

export const LIVE_STATUSES: readonly JobStatus[] = ['queued', 'starting', 'running', 'retry_wait'];

/** The status choices of the filter: groups first, then each status. Values are comma lists. */
export const STATUS_CHOICES: ReadonlyArray<{ value: string; label: string }> = [
  { value: '', label: 'any status' },
  { value: LIVE_STATUSES.join(','), label: 'live (queued, running, waiting)' },
  { value: 'failed,dead', label: 'failed or dead' },
  ...JOB_STATUSES.map((status) => ({ value: status, label: status.replace('_', ' ') })),
];

const STATUS_SET: ReadonlySet<string> = new Set(JOB_STATUSES);

export function filtersFromQuery(query: URLSearchParams): JobFilters {
  const sort = query.get('sort') ?? '';
  const status = (query.get('status') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is JobStatus => STATUS_SET.has(s));
  return {
    status: [...new Set(status)],
    agent: query.get('agent') ?? '',
    host: query.get('host') ?? '',
    tag: query.get('tag') ?? '',
    q: query.get('q') ?? '',
    sort: (SORT_KEYS as readonly string[]).includes(sort) ? (sort as SortKey) : DEFAULT_FILTERS.sort,
    dir: query.get('dir') === 'asc' ? 'asc' : 'desc',
  };
}

/** The query string of a view (`?status=failed&agent=claude`), defaults left out; '' for the default view. */
export function filtersToQuery(filters: JobFilters): string {
  const params = new URLSearchParams();
  if (filters.status.length > 0) params.set('status', filters.status.join(','));
  for (const key of ['agent', 'host', 'tag', 'q'] as const) if (filters[key] !== '') params.set(key, filters[key]);
  if (filters.sort !== DEFAULT_FILTERS.sort) params.set('sort', filters.sort);
  if (filters.dir !== DEFAULT_FILTERS.dir) params.set('dir', filters.dir);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The part of the filters the daemon applies itself, for paging through older jobs. */
export function serverQuery(filters: JobFilters): JobListQuery {
  const query: JobListQuery = {};
  if (filters.status.length > 0) query.status = filters.status;
  if (filters.agent) query.agent = filters.agent;
  if (filters.tag) query.tag = filters.tag;
  return query;
}

function words(q: string): string[] {
  return q.toLowerCase().split(/\s+/).filter(Boolean);
}

export function matchesFilters(job: Job, filters: JobFilters): boolean {
  if (filters.status.length > 0 && !filters.status.includes(job.status)) return false;
  if (filters.agent && job.agent !== filters.agent) return false;
  if (filters.host && job.host !== filters.host) return false;
  if (filters.tag && !job.tags.includes(filters.tag)) return false;
  const wanted = words(filters.q);
  if (wanted.length === 0) return true;
  const text = `${job.prompt}\n${job.id}`.toLowerCase();
  return wanted.every((word) => text.includes(word));
}

/** How long a job ran (or has run so far, while running); null before it started. */
export function jobDuration(job: Job, now: number): number | null {
  if (job.durationMs !== null) return job.durationMs;
  if (!job.startedAt) return null;
  const end = job.endedAt ? Date.parse(job.endedAt) : now;
  return Math.max(0, end - Date.parse(job.startedAt));
}

/** Status order when sorting by status: what needs attention and what is moving come first. */
const STATUS_RANK: Record<JobStatus, number> = {
  failed: 0,
  dead: 1,
  retry_wait: 2,
  running: 3,
  starting: 4,
  queued: 5,
  succeeded: 6,
  cancelled: 7,
};

function sortValue(job: Job, key: SortKey, now: number): number | string | null {
  switch (key) {
    case 'created':
      return job.createdAt;
    case 'updated':
      return job.updatedAt;
    case 'status':
      return STATUS_RANK[job.status];
    case 'duration':
      return jobDuration(job, now);
    case 'cost':
      return job.cost.usd;
  }
}

function compare(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/** A sorted copy; jobs without a value (not started yet) go last either way; ties newest id first. */
export function sortJobs(jobs: readonly Job[], sort: SortKey, dir: SortDir, now: number): Job[] {
  const sign = dir === 'asc' ? 1 : -1;
  return jobs
    .map((job) => ({ job, value: sortValue(job, sort, now) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) {
        if (a.value !== b.value) return a.value === null ? 1 : -1;
      } else {
        const order = compare(a.value, b.value) * sign;
        if (order !== 0) return order;
      }
      return b.job.id.localeCompare(a.job.id);
    })
    .map((entry) => entry.job);
}

export function filterAndSort(jobs: Iterable<Job>, filters: JobFilters, now: number): Job[] {
  return sortJobs([...jobs].filter((job) => matchesFilters(job, filters)), filters.sort, filters.dir, now);
}

/** The live store's jobs plus older pages fetched on demand; the store's copy wins (it is kept current). */
export function mergeJobs(live: ReadonlyMap<string, Job>, older: readonly Job[]): Job[] {
  const merged = new Map(live);
  for (const job of older) if (!merged.has(job.id)) merged.set(job.id, job);
  return [...merged.values()];
}

/** The choices of the agent, host and tag filters, from the jobs at hand (plus the server's agents). */
export function filterChoices(jobs: readonly Job[], agents: readonly string[] = []): { agents: string[]; hosts: string[]; tags: string[] } {
  const agentSet = new Set(agents);
  const hosts = new Set<string>();
  const tags = new Set<string>();
  for (const job of jobs) {
    agentSet.add(job.agent);
    hosts.add(job.host);
    for (const tag of job.tags) tags.add(tag);
  }
  const sorted = (set: Set<string>) => [...set].sort((a, b) => a.localeCompare(b));
  return { agents: sorted(agentSet), hosts: sorted(hosts), tags: sorted(tags) };
}

/** Clicking a column: the same column flips the direction, another one starts descending. */
export function toggleSort(filters: JobFilters, key: SortKey): JobFilters {
  if (filters.sort === key) return { ...filters, dir: filters.dir === 'asc' ? 'desc' : 'asc' };
  return { ...filters, sort: key, dir: 'desc' };
}
