import { describe, expect, it } from 'vitest';
import type { InboxEntry, Session } from '@flotilla/protocol';
import { applyEvent, initialState, withSessionInInbox } from './live-state';

const session = (id: string, state: Session['state'], extra: Partial<Session> = {}) =>
  ({ id, name: id, host: 'h', agent: 'claude', state, waitingFor: null, since: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', external: false, ...extra }) as Session;
const result: InboxEntry = { kind: 'job', jobId: 'j', host: 'h', status: 'succeeded', agent: 'claude', title: 't', summary: '', endedAt: null, unread: true };

describe('withSessionInInbox', () => {
  it('should put a session asking permission into the inbox at once, before the results', () => {
    const inbox = withSessionInInbox([result], session('s', 'waiting_permission', { waitingFor: 'Bash: ls' }));
    expect(inbox.map((e) => (e.kind === 'session' ? `${e.name}: ${e.title}` : e.jobId))).toEqual(['s: asks permission: Bash: ls', 'j']);
  });

  it('should take it out when it works again, and leave discovered sessions out', () => {
    const waiting = withSessionInInbox([result], session('s', 'waiting_input'));
    expect(withSessionInInbox(waiting, session('s', 'working'))).toEqual([result]);
    expect(withSessionInInbox([result], session('x', 'waiting_input', { external: true }))).toEqual([result]);
  });

  it('should order waiting sessions longest waiting first', () => {
    let inbox = withSessionInInbox([], session('late', 'waiting_input', { since: '2026-01-01T00:05:00.000Z' }));
    inbox = withSessionInInbox(inbox, session('early', 'waiting_input', { since: '2026-01-01T00:01:00.000Z' }));
    expect(inbox.map((e) => (e.kind === 'session' ? e.name : ''))).toEqual(['early', 'late']);
  });
});

describe('applyEvent', () => {
  it('should update the inbox with a session.state event', () => {
    const s = session('s', 'waiting_permission', { updatedAt: '2026-01-01T00:00:01.000Z' });
    const next = applyEvent(initialState, { id: 1, at: s.updatedAt, host: 'h', type: 'session.state', session: s, previous: 'working' });
    expect(next.inbox).toHaveLength(1);
    expect(next.sessions.get('s')?.state).toBe('waiting_permission');
  });
});
