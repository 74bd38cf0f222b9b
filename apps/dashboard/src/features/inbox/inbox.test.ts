import { describe, expect, it } from 'vitest';
import type { InboxItem, SessionInboxItem } from '@flotilla/protocol';
import { inboxSections, markAllRead } from './inbox';

const wait = (name: string, state: SessionInboxItem['state'], since: string): SessionInboxItem => ({
  kind: 'session', sessionId: name, name, host: 'a', agent: 'claude', state, waitingFor: state === 'waiting_permission' ? 'Bash(ls)' : null, since, title: name,
});
const result = (jobId: string, endedAt: string | null, unread = true): InboxItem => ({
  kind: 'job', jobId, host: 'a', status: 'succeeded', agent: 'claude', title: jobId, summary: '', endedAt, unread,
});

describe('inboxSections', () => {
  it('should put permission questions before waits, longest waiting first, and results newest first', () => {
    const { waiting, results } = inboxSections([
      wait('w-old', 'waiting_input', '2026-01-01T00:00:00.000Z'),
      wait('p-new', 'waiting_permission', '2026-01-01T00:09:00.000Z'),
      wait('p-old', 'waiting_permission', '2026-01-01T00:01:00.000Z'),
      result('j1', '2026-01-01T01:00:00.000Z'),
      result('j2', '2026-01-01T02:00:00.000Z'),
      result('j3', null),
      result('j4', '2026-01-01T03:00:00.000Z', false),
    ]);
    expect(waiting.map((w) => w.name)).toEqual(['p-old', 'p-new', 'w-old']);
    expect(results.map((r) => r.jobId)).toEqual(['j2', 'j1', 'j3']);
  });
});

describe('markAllRead', () => {
  it('should mark every job, at most `concurrency` at once, and report the ones that failed', async () => {
    let inFlight = 0;
    let most = 0;
    const marked: string[] = [];
    const failed = await markAllRead(['a', 'b', 'c', 'd', 'e'], async (id) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      if (id === 'c') throw new Error('gone');
      marked.push(id);
    }, 2);
    expect(most).toBe(2);
    expect(marked.sort()).toEqual(['a', 'b', 'd', 'e']);
    expect(failed.map((f) => f.id)).toEqual(['c']);
  });
});
