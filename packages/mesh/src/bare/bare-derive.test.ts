// The poller's pure half: a look's output parsed, jobs and sessions derived from their files, and
// the differences between two looks as events (new → created, newly ended → ended, other changes →
// updated, nothing for an unchanged object).
import { describe, expect, it } from 'vitest';
import type { Job, Session } from '@flotilla/protocol';
import { deriveJob, deriveSession, diffJobs, diffSessions, exitFailure } from './bare-derive.js';
import { emptyStateFiles, parseObservation } from './bare-observation.js';
import { newJobRecord, newSessionRecord } from './bare-records.js';

const ID = '01JB0000000000000000000001';
const SID = '01JB0000000000000000000002';
const T0 = '2026-11-25T10:00:00.000Z';
const record = newJobRecord({ id: ID, host: 'h', request: { prompt: 'p', cwd: '/w' }, idempotencyKey: 'k', now: T0 });
const sessionRecord = newSessionRecord({ id: SID, host: 'h', request: { name: 'chat', cwd: '/w', agent: 'claude', worktree: false, alerts: [] }, now: T0 });
const files = (changes: Partial<ReturnType<typeof emptyStateFiles>>) => ({ ...emptyStateFiles(), ...changes });

describe('parseObservation', () => {
  it('reads tmux sessions, records and state files, and reports what it cannot read', () => {
    const stdout = [
      `T fbj-${ID} 0`,
      `T fbs-${SID} 1`,
      `R jobs/${ID} ${JSON.stringify(record)}`,
      `F jobs/${ID} started 2026-11-25T10:00:01Z`,
      `F jobs/${ID} exit 0 2026-11-25T10:00:05Z`,
      `F jobs/${ID} result.json {"result":"r","agentSessionId":null,"agentError":false,"tail":""}`,
      `F jobs/${ID} lost yesterday`,
      'R jobs/01JB0000000000000000000003 {"not":"a job"}',
    ].join('\n');
    const observation = parseObservation(stdout);
    expect(observation.tmux).toEqual(new Map([[`fbj-${ID}`, false], [`fbs-${SID}`, true]]));
    expect(observation.jobRecords).toEqual([record]);
    expect(observation.files.get(`jobs/${ID}`)).toMatchObject({ started: '2026-11-25T10:00:01Z', exit: { code: 0, at: '2026-11-25T10:00:05Z' }, result: { result: 'r' }, lost: null });
    expect(observation.problems).toHaveLength(2);
  });
});

describe('deriveJob', () => {
  it('is starting, then running, while its tmux session lives', () => {
    expect(deriveJob(record, files({}), true).job.status).toBe('starting');
    const running = deriveJob(record, files({ started: '2026-11-25T10:00:01Z' }), true);
    expect(running.job).toMatchObject({ status: 'running', startedAt: '2026-11-25T10:00:01Z', updatedAt: '2026-11-25T10:00:01Z', pending: null });
    expect(running.needsLostMark).toBe(false);
  });

  it('ends by the exit code, and asks for the result once', () => {
    const exited = deriveJob(record, files({ started: '2026-11-25T10:00:01Z', exit: { code: 0, at: '2026-11-25T10:00:05Z' } }), false);
    expect(exited.job).toMatchObject({ status: 'succeeded', durationMs: 4_000, endedAt: '2026-11-25T10:00:05Z' });
    expect(exited.needsResult).toBe(true);
    const result = { result: 'done', agentSessionId: 's', agentError: false, tail: '' };
    const read = deriveJob(record, files({ started: '2026-11-25T10:00:01Z', exit: { code: 0, at: '2026-11-25T10:00:05Z' }, result }), false);
    expect(read.job).toMatchObject({ result: 'done', agentSessionId: 's' });
    expect(read.needsResult).toBe(false);
  });

  it('is cancelled when marked so, even if the agent then wrote an exit code', () => {
    const job = deriveJob(record, files({ started: '2026-11-25T10:00:01Z', cancelled: '2026-11-25T10:00:02Z', exit: { code: 129, at: '2026-11-25T10:00:03Z' } }), false).job;
    expect(job).toMatchObject({ status: 'cancelled', endedAt: '2026-11-25T10:00:02Z', failure: null });
  });

  it('needs a lost mark when its tmux session is gone without an exit record, and is crashed with one', () => {
    const gone = deriveJob(record, files({ started: '2026-11-25T10:00:01Z' }), false);
    expect(gone.needsLostMark).toBe(true);
    const lost = deriveJob(record, files({ started: '2026-11-25T10:00:01Z', lost: '2026-11-25T10:01:00Z' }), false);
    expect(lost.job).toMatchObject({ status: 'failed', failure: { kind: 'crashed' }, endedAt: '2026-11-25T10:01:00Z' });
    expect(lost.needsLostMark).toBe(false);
  });
});

describe('exitFailure', () => {
  it('tells the task from the infrastructure by the code', () => {
    expect(exitFailure(0, { result: null })).toBeNull();
    expect(exitFailure(1, { result: null })?.kind).toBe('task');
    expect(exitFailure(127, { result: null })?.kind).toBe('crashed');
    expect(exitFailure(137, { result: null })).toMatchObject({ kind: 'crashed', message: 'the agent was killed by signal 9' });
    expect(exitFailure(0, { result: { result: 'API Error', agentSessionId: null, agentError: true, tail: '' } })).toMatchObject({ kind: 'task', message: 'API Error' });
  });
});

describe('diffJobs', () => {
  const running = deriveJob(record, files({ started: '2026-11-25T10:00:01Z' }), true).job;
  const done = deriveJob(record, files({ started: '2026-11-25T10:00:01Z', exit: { code: 1, at: '2026-11-25T10:00:09Z' } }), false).job;
  const before = (job: Job) => new Map([[job.id, job]]);

  it('says created for a new job, updated for a change, ended once when it ends, nothing when unchanged', () => {
    expect(diffJobs(new Map(), [running]).map((change) => change.type)).toEqual(['job.created']);
    expect(diffJobs(before(record), [running]).map((change) => change.type)).toEqual(['job.updated']);
    expect(diffJobs(before(running), [done]).map((change) => change.type)).toEqual(['job.ended']);
    expect(diffJobs(before(done), [structuredClone(done)])).toEqual([]);
    const reordered = Object.fromEntries(Object.entries(done).reverse()) as Job;
    expect(diffJobs(before(done), [reordered])).toEqual([]);
    const withResult = { ...done, result: 'late' };
    expect(diffJobs(before(done), [withResult]).map((change) => change.type)).toEqual(['job.updated']);
  });
});

describe('diffSessions', () => {
  it('says created, then ended (with the time it was found gone), and nothing while unchanged', () => {
    const live = deriveSession(sessionRecord, files({}), true, '2026-11-25T11:00:00.000Z');
    expect(live.session).toBe(sessionRecord);
    const gone = deriveSession(sessionRecord, files({}), false, '2026-11-25T11:00:00.000Z');
    expect(gone.needsEndMark).toBe(true);
    expect(gone.session).toMatchObject({ state: 'exited', endedAt: '2026-11-25T11:00:00.000Z' });
    const seen = new Map<string, Session>([[SID, sessionRecord]]);
    expect(diffSessions(new Map(), [sessionRecord]).map((change) => change.type)).toEqual(['session.created']);
    expect(diffSessions(seen, [sessionRecord])).toEqual([]);
    expect(diffSessions(seen, [gone.session]).map((change) => change.type)).toEqual(['session.ended']);
  });
});
