import { describe, expect, it } from 'vitest';
import { monotonicFactory } from 'ulidx';
import { isProtocolError, newJob, type Job, type Session, type SessionLogEntry } from '@flotilla/protocol';
import type { JobStore } from './types.js';

/** Ids sort in creation order even within one millisecond (jobs are listed newest first by id). */
const ulid = monotonicFactory();

/** A minimal valid queued job for store tests. */
export function sampleJob(over: Partial<Job> = {}): Job {
  const job = newJob({ id: ulid(), host: 'test', agent: 'claude', model: 'sonnet', prompt: 'do it', cwd: '/tmp', permissions: 'accept-edits', now: new Date().toISOString() }, { maxAttempts: 3 });
  return { ...job, ...over };
}

/** A minimal live session for store tests. */
export function sampleSession(over: Partial<Session> = {}): Session {
  const now = new Date().toISOString();
  return {
    id: ulid(),
    name: 'reviewer',
    host: 'test',
    kind: 'agent',
    agent: 'claude',
    model: 'sonnet',
    cwd: '/tmp',
    worktree: null,
    command: null,
    alerts: [],
    state: 'idle',
    since: now,
    source: 'cb',
    waitingFor: null,
    tmuxSession: 'session-reviewer',
    pid: null,
    agentSessionId: null,
    external: false,
    restarts: 0,
    createdAt: now,
    updatedAt: now,
    endedAt: null,
    ...over,
  };
}

function logLine(session: Session, message: string, kind: SessionLogEntry['kind'] = 'state'): SessionLogEntry {
  return { at: new Date().toISOString(), sessionId: session.id, kind, message };
}

/** The behaviour every JobStore implementation must have; run it against each backend. */
export function describeStoreContract(name: string, open: () => Promise<{ store: JobStore; reopen?: () => Promise<JobStore> }>): void {
  describe(`${name} store contract`, () => {
    it('should create a job with a job.created event and read it back', async () => {
      const { store } = await open();
      const job = sampleJob({ tags: ['a'] });
      const { created } = await store.createJob(job, { env: { SECRET: 'v' } });
      expect(created).toBe(true);
      expect(await store.getJob(job.id)).toEqual(job);
      expect(await store.getSecrets(job.id)).toEqual({ env: { SECRET: 'v' } });
      const events = await store.eventsAfter(0, 10);
      expect(events.map((e) => e.type)).toEqual(['job.created']);
      await store.close();
    });

    it('should return the existing job for a repeated idempotency key', async () => {
      const { store } = await open();
      const first = sampleJob({ idempotencyKey: 'k1' });
      await store.createJob(first, { env: {} });
      const again = await store.createJob(sampleJob({ idempotencyKey: 'k1' }), { env: {} });
      expect(again).toEqual({ job: first, created: false });
      await store.close();
    });

    it('should apply a mutation and its events atomically, and skip when the mutator declines', async () => {
      const { store } = await open();
      const job = sampleJob();
      await store.createJob(job, { env: {} });
      const updated = await store.updateJob(job.id, (j) => ({ job: { ...j, status: 'starting' }, events: [{ type: 'job.updated', job: j }] }));
      expect(updated?.status).toBe('starting');
      const unchanged = await store.updateJob(job.id, () => null);
      expect(unchanged?.status).toBe('starting');
      const events = await store.eventsAfter(0, 10);
      expect(events.map((e) => e.type)).toEqual(['job.created', 'job.updated']);
      const last = events[1];
      expect(last?.type === 'job.updated' && last.job.status).toBe('starting');
      await expect(store.updateJob(job.id, () => {
        throw new Error('boom');
      })).rejects.toThrow('boom');
      expect((await store.eventsAfter(0, 10)).length).toBe(2);
      await store.close();
    });

    it('should page jobs newest first and filter by status, tag and unread', async () => {
      const { store } = await open();
      const jobs = [];
      for (let i = 0; i < 5; i++) {
        const job = sampleJob({ status: i % 2 ? 'succeeded' : 'queued', tags: i === 3 ? ['x'] : [], unread: i === 1 });
        jobs.push(job);
        await store.createJob(job, { env: {} });
      }
      const first = await store.listJobs({ limit: 2 });
      expect(first.items.map((j) => j.id)).toEqual([jobs[4]!.id, jobs[3]!.id]);
      const second = await store.listJobs({ limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((j) => j.id)).toEqual([jobs[2]!.id, jobs[1]!.id]);
      expect((await store.listJobs({ status: 'succeeded' })).items.length).toBe(2);
      expect((await store.listJobs({ tag: 'x' })).items.map((j) => j.id)).toEqual([jobs[3]!.id]);
      expect((await store.listJobs({ unread: true })).items.map((j) => j.id)).toEqual([jobs[1]!.id]);
      expect(await store.unreadCount()).toBe(1);
      await store.close();
    });

    it('should keep pauses and credential marks', async () => {
      const { store } = await open();
      const pause = { id: ulid(), host: 'test', agent: 'claude', credential: 'env:K#1', reason: 'rate_limited' as const, message: 'm', startedAt: new Date().toISOString(), resetsAt: new Date().toISOString(), endedAt: null };
      await store.savePause(pause);
      expect(await store.activePauses()).toEqual([pause]);
      await store.savePause({ ...pause, endedAt: new Date().toISOString() });
      expect(await store.activePauses()).toEqual([]);
      await store.setCredentialState({ agent: 'claude', credential: 'env:K#1', unusable: 'auth_failed', message: 'bad key' });
      await store.setCredentialState({ agent: 'claude', credential: 'env:K#1', unusable: null, message: null });
      expect(await store.credentialStates()).toEqual([{ agent: 'claude', credential: 'env:K#1', unusable: null, message: null }]);
      await store.close();
    });

    it('should create a session with session.created and its log lines, and find it by id and name', async () => {
      const { store } = await open();
      const session = sampleSession();
      expect(await store.createSession(session, [logLine(session, 'started', 'lifecycle')])).toEqual(session);
      expect(await store.getSession(session.id)).toEqual(session);
      expect(await store.findSession('reviewer')).toEqual(session);
      expect(await store.findSession('nobody')).toBeNull();
      expect((await store.eventsAfter(0, 10)).map((e) => e.type)).toEqual(['session.created', 'session.log']);
      expect((await store.sessionLog(session.id)).map((e) => e.message)).toEqual(['started']);
      await store.close();
    });

    it('should refuse a second live session of one name, and free the name once it exited', async () => {
      const { store } = await open();
      const first = sampleSession();
      await store.createSession(first, []);
      const clash = await store.createSession(sampleSession(), []).catch((error: unknown) => error);
      expect(isProtocolError(clash) && clash.code).toBe('SESSION_NAME_TAKEN');
      const at = new Date().toISOString();
      await store.updateSession(first.id, (s) => ({ session: { ...s, state: 'exited', since: at, endedAt: at }, events: [{ type: 'session.ended', session: s }], log: [] }));
      const second = sampleSession();
      await store.createSession(second, []);
      expect((await store.findSession('reviewer'))?.id).toBe(second.id);
      expect((await store.listSessions({})).map((s) => s.id)).toEqual([second.id]);
      expect((await store.listSessions({ all: true })).map((s) => s.id)).toEqual([second.id, first.id]);
      await store.close();
    });

    it('should apply a session change with its events and log lines in one transaction', async () => {
      const { store } = await open();
      const session = sampleSession();
      await store.createSession(session, []);
      const updated = await store.updateSession(session.id, (s) => ({
        session: { ...s, state: 'working', source: 'hook' },
        events: [{ type: 'session.state', session: s, previous: s.state }],
        log: [logLine(s, 'idle → working (hook)')],
      }));
      expect(updated).toMatchObject({ state: 'working', source: 'hook' });
      expect(await store.updateSession(session.id, () => null)).toEqual(updated);
      await expect(store.updateSession(session.id, () => {
        throw new Error('boom');
      })).rejects.toThrow('boom');
      const events = await store.eventsAfter(0, 10);
      expect(events.map((e) => e.type)).toEqual(['session.created', 'session.state', 'session.log']);
      const change = events[1];
      expect(change?.type === 'session.state' && [change.previous, change.session.state, change.session.updatedAt]).toEqual(['idle', 'working', updated!.updatedAt]);
      await store.appendSessionLog([logLine(session, 'sent 2 characters', 'send')]);
      expect((await store.sessionLog(session.id)).map((e) => e.kind)).toEqual(['state', 'send']);
      expect((await store.sessionLog(session.id, 1)).map((e) => e.kind)).toEqual(['send']);
      expect(await store.updateSession(sampleSession().id, (s) => ({ session: s, events: [], log: [] }))).toBeNull();
      await store.close();
    });

    it('should survive a reopen with every job and event', async () => {
      const { store, reopen } = await open();
      if (!reopen) return;
      const job = sampleJob();
      await store.createJob(job, { env: {} });
      const session = sampleSession();
      await store.createSession(session, [logLine(session, 'started', 'lifecycle')]);
      await store.close();
      const again = await reopen();
      expect(await again.getJob(job.id)).toEqual(job);
      expect(await again.findSession(session.name)).toEqual(session);
      expect((await again.sessionLog(session.id)).length).toBe(1);
      expect((await again.eventBounds()).latest).toBeGreaterThan(0);
      await again.close();
    });
  });
}
