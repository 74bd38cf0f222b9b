import { describe, expect, it } from 'vitest';
import type { Job } from '@flotilla/protocol';
import { filterAndSort, filterChoices, filtersFromQuery, filtersToQuery, mergeJobs, serverQuery, toggleSort, DEFAULT_FILTERS } from './job-list';

const NOW = Date.parse('2026-01-01T01:00:00.000Z');
const job = (id: string, extra: Partial<Job> = {}): Job =>
  ({
    id, host: 'a', status: 'succeeded', agent: 'claude', prompt: `prompt ${id}`, tags: [],
    createdAt: `2026-01-01T00:0${id.slice(-1)}:00.000Z`, updatedAt: '2026-01-01T00:30:00.000Z',
    startedAt: null, endedAt: null, durationMs: null, cost: { usd: 0, source: 'unknown' }, ...extra,
  }) as Job;

describe('filtersFromQuery / filtersToQuery', () => {
  it('should round-trip a bookmarked view and ignore what it does not know', () => {
    const filters = filtersFromQuery(new URLSearchParams('status=failed,bogus,dead&agent=claude&q=fix+tests&sort=cost&dir=asc&x=1'));
    expect(filters).toEqual({ status: ['failed', 'dead'], agent: 'claude', host: '', tag: '', q: 'fix tests', sort: 'cost', dir: 'asc' });
    expect(filtersToQuery(filters)).toBe('?status=failed%2Cdead&agent=claude&q=fix+tests&sort=cost&dir=asc');
    expect(filtersToQuery(filtersFromQuery(new URLSearchParams('sort=nope')))).toBe('');
  });

  it('should hand the daemon only what it filters itself', () => {
    expect(serverQuery({ ...DEFAULT_FILTERS, status: ['failed'], agent: 'codex', host: 'b', tag: 't', q: 'x' })).toEqual({ status: ['failed'], agent: 'codex', tag: 't' });
  });
});

describe('filterAndSort', () => {
  const jobs = [
    job('j1', { status: 'failed', prompt: 'Fix the login TEST', tags: ['web'], cost: { usd: 0.5, source: 'agent' }, durationMs: 60_000, startedAt: '2026-01-01T00:01:00.000Z' }),
    job('j2', { status: 'running', agent: 'codex', host: 'b', startedAt: '2026-01-01T00:50:00.000Z', cost: { usd: 0.1, source: 'agent' } }),
    job('j3', { status: 'queued', tags: ['web', 'api'] }),
    job('j4', { durationMs: 5_000, startedAt: '2026-01-01T00:04:00.000Z', cost: { usd: 2, source: 'agent' } }),
  ];
  const ids = (filters: Partial<typeof DEFAULT_FILTERS>) => filterAndSort(jobs, { ...DEFAULT_FILTERS, ...filters }, NOW).map((j) => j.id);

  it('should filter by status, agent, host, tag and every word of the text', () => {
    expect(ids({ status: ['failed', 'running'] })).toEqual(['j2', 'j1']);
    expect(ids({ agent: 'codex' })).toEqual(['j2']);
    expect(ids({ host: 'a', tag: 'web' })).toEqual(['j3', 'j1']);
    expect(ids({ q: 'login test' })).toEqual(['j1']);
    expect(ids({ q: 'login deploy' })).toEqual([]);
  });

  it('should sort by each key, a running job by its time so far, unstarted jobs last', () => {
    expect(ids({})).toEqual(['j4', 'j3', 'j2', 'j1']);
    expect(ids({ dir: 'asc' })).toEqual(['j1', 'j2', 'j3', 'j4']);
    expect(ids({ sort: 'duration' })).toEqual(['j2', 'j1', 'j4', 'j3']);
    expect(ids({ sort: 'duration', dir: 'asc' })).toEqual(['j4', 'j1', 'j2', 'j3']);
    expect(ids({ sort: 'cost' })).toEqual(['j4', 'j1', 'j2', 'j3']);
    expect(ids({ sort: 'status', dir: 'asc' })).toEqual(['j1', 'j2', 'j3', 'j4']);
  });

  it('should flip the direction on the same column and start descending on another', () => {
    expect(toggleSort(DEFAULT_FILTERS, 'created')).toMatchObject({ sort: 'created', dir: 'asc' });
    expect(toggleSort({ ...DEFAULT_FILTERS, dir: 'asc' }, 'cost')).toMatchObject({ sort: 'cost', dir: 'desc' });
  });
});

describe('mergeJobs / filterChoices', () => {
  it('should prefer the live copy and offer each agent, host and tag once', () => {
    const live = new Map([['j1', job('j1', { status: 'running' })]]);
    const merged = mergeJobs(live, [job('j1'), job('j2', { host: 'b', tags: ['x', 'web'] })]);
    expect(merged.map((j) => `${j.id}:${j.status}`)).toEqual(['j1:running', 'j2:succeeded']);
    expect(filterChoices(merged, ['codex'])).toEqual({ agents: ['claude', 'codex'], hosts: ['a', 'b'], tags: ['web', 'x'] });
  });
});
