import { describe, expect, it } from 'vitest';
import type { InboxEntry, Job, Session } from '@flotilla/protocol';
import { needsYou, runningByHost } from './needs-you';

const session = (id: string, state: Session['state'], host = 'a') => ({ id, name: id, host, state, since: '2026-01-01T00:00:00.000Z' }) as Session;
const job = (id: string, status: Job['status'], extra: Partial<Job> = {}) =>
  ({ id, status, host: 'a', unread: true, createdAt: `2026-01-01T00:00:0${id.length}.000Z`, updatedAt: '2026-01-01T00:01:00.000Z', ...extra }) as Job;
const waiting = (id: string, state: 'waiting_permission' | 'waiting_input', since: string): InboxEntry => ({
  kind: 'session', sessionId: id, name: id, host: 'a', agent: 'claude', state, waitingFor: null, since, title: id,
});

describe('needsYou', () => {
  it('should put permission questions first, then stuck waits, then other waits, then unread failures', () => {
    const inbox = [waiting('w1', 'waiting_input', '2026-01-01T00:00:00.000Z'), waiting('w2', 'waiting_input', '2026-01-01T00:05:00.000Z'), waiting('p1', 'waiting_permission', '2026-01-01T00:09:00.000Z')];
    const jobs = new Map([['j1', job('j1', 'failed')], ['j2', job('j2', 'failed', { unread: false })], ['j3', job('j3', 'succeeded')]]);
    const alerts = [{ id: 1, at: '2026-01-01T00:40:00.000Z', host: 'a', title: 'stuck', body: '', level: 'warning' as const, jobId: null, sessionId: 'w2', kind: 'stuck' }];
    const items = needsYou(inbox, new Map(), jobs, alerts);
    expect(items.map((i) => i.key)).toEqual(['s:p1', 's:w2', 's:w1', 'j:j1']);
    expect(items[1]).toMatchObject({ stuck: true });
  });

  it('should not call a wait stuck for an alert from an earlier wait', () => {
    const alerts = [{ id: 1, at: '2026-01-01T00:00:00.000Z', host: 'a', title: '', body: '', level: 'warning' as const, jobId: null, sessionId: 'w', kind: 'stuck' }];
    expect(needsYou([waiting('w', 'waiting_input', '2026-01-01T01:00:00.000Z')], new Map(), new Map(), alerts)[0]).toMatchObject({ stuck: false });
  });
});

describe('runningByHost', () => {
  it('should group live jobs and sessions by host and leave ended ones out', () => {
    const jobs = new Map([['j1', job('j1', 'running')], ['j22', job('j22', 'queued', { host: 'b' })], ['j3', job('j3', 'succeeded')]]);
    const sessions = new Map([['s1', session('s1', 'working', 'b')], ['s2', session('s2', 'exited')]]);
    const groups = runningByHost(jobs, sessions);
    expect(groups.map((g) => [g.host, g.jobs.map((j) => j.id), g.sessions.map((s) => s.id)])).toEqual([
      ['a', ['j1'], []],
      ['b', ['j22'], ['s1']],
    ]);
  });
});
