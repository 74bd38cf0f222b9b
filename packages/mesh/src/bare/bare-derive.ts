/**
 * A bare host's jobs and sessions as protocol objects, derived only from what is on the host (the
 * record written at creation, the state files, whether the tmux session lives), so the same files
 * give the same objects after a hub restart. Statuses are honestly fewer than a daemon's:
 * queued → starting → running → succeeded | failed | cancelled; a failure is `task` (a non-zero
 * exit), or `crashed` (could not start, killed by a signal, or gone without an exit record).
 * No tokens or cost: nothing on a bare host measures them. And the differences between two looks,
 * as the events a daemon would have written.
 */
import type { Failure, Job, JobStatus, Session } from '@flotilla/protocol';
import type { StateFiles } from './bare-observation.js';

export interface DerivedJob {
  job: Job;
  /** Started (or launched) but its tmux session is gone without an exit record: the hub records `lost` now. */
  needsLostMark: boolean;
  /** Ended, and the result has not been read from its output yet. */
  needsResult: boolean;
}

/** `alive`: the job's tmux session exists with a live pane. */
export function deriveJob(record: Job, files: StateFiles, alive: boolean): DerivedJob {
  const outcome = jobOutcome(files, alive);
  const endedAt = outcome.endedAt;
  const startedAt = files.started;
  const result = files.result;
  const attemptStatus = outcome.status === 'queued' ? 'starting' : (outcome.status as Job['attempts'][number]['status']);
  const updatedAt = latest([record.createdAt, startedAt, endedAt]);
  const job: Job = {
    ...record,
    status: outcome.status,
    startedAt,
    endedAt,
    updatedAt,
    durationMs: startedAt && endedAt ? Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)) : null,
    result: result?.result ?? null,
    failure: outcome.failure,
    agentSessionId: result?.agentSessionId ?? null,
    attemptsUsed: startedAt ? 1 : 0,
    pending: startedAt || endedAt ? null : record.pending,
    attempts: record.attempts.map((attempt, index) =>
      index === 0
        ? {
            ...attempt,
            status: attemptStatus,
            startedAt,
            endedAt,
            exitCode: files.exit?.code ?? null,
            failure: outcome.failure,
            agentSessionId: result?.agentSessionId ?? null,
            consumedAttempt: outcome.failure?.kind === 'task',
          }
        : attempt,
    ),
  };
  const ended = endedAt !== null;
  return { job, needsLostMark: outcome.lost, needsResult: ended && files.exit !== null && files.result === null };
}

interface Outcome {
  status: JobStatus;
  endedAt: string | null;
  failure: Failure | null;
  lost: boolean;
}

function jobOutcome(files: StateFiles, alive: boolean): Outcome {
  if (files.cancelled) return { status: 'cancelled', endedAt: files.cancelled, failure: null, lost: false };
  if (files.exit) {
    const failure = exitFailure(files.exit.code, files);
    return { status: failure ? 'failed' : 'succeeded', endedAt: files.exit.at, failure, lost: false };
  }
  if (files.lost) {
    const message = files.started
      ? "the job's tmux session ended without an exit record (killed, or the host restarted)"
      : 'the job never started: tmux could not launch it';
    return { status: 'failed', endedAt: files.lost, failure: { kind: 'crashed', message }, lost: false };
  }
  if (alive) return { status: files.started ? 'running' : 'starting', endedAt: null, failure: null, lost: false };
  return { status: files.started ? 'running' : 'starting', endedAt: null, failure: null, lost: true };
}

/** Why an exit code means failure, or null for success. */
export function exitFailure(code: number, files: Pick<StateFiles, 'result'>): Failure | null {
  const tail = files.result?.tail ?? '';
  const lastLine = tail.trim().split('\n').at(-1) ?? '';
  if (code === 0) {
    if (!files.result?.agentError) return null;
    return { kind: 'task', message: files.result.result ?? 'the agent reported an error', rawTail: tail };
  }
  if (code === 126 || code === 127) {
    return { kind: 'crashed', message: `the agent command could not run (exit ${code})${lastLine ? `: ${lastLine}` : ''}`, rawTail: tail };
  }
  if (code > 128) return { kind: 'crashed', message: `the agent was killed by signal ${code - 128}`, rawTail: tail };
  return { kind: 'task', message: files.result?.result ?? `the agent exited with code ${code}${lastLine ? `: ${lastLine}` : ''}`, rawTail: tail };
}

export interface DerivedSession {
  session: Session;
  /** Its tmux session is gone and no end was recorded: the hub records `ended` now. */
  needsEndMark: boolean;
}

export function deriveSession(record: Session, files: StateFiles, alive: boolean, now: string): DerivedSession {
  if (!alive || files.ended) {
    const endedAt = files.ended ?? now;
    const session: Session = { ...record, state: 'exited', since: endedAt, source: 'process', pid: null, endedAt, updatedAt: latest([record.updatedAt, endedAt]) };
    return { session, needsEndMark: files.ended === null };
  }
  return { session: record, needsEndMark: false };
}

/** The newest of some ISO times. */
function latest(times: readonly (string | null)[]): string {
  let best = '';
  let bestMs = -Infinity;
  for (const time of times) {
    if (time === null) continue;
    const ms = Date.parse(time);
    if (ms > bestMs) {
      best = time;
      bestMs = ms;
    }
  }
  return best;
}

/** An event a bare host's look produced, before the feed numbers it. */
export type BareChange =
  | { type: 'job.created' | 'job.updated' | 'job.ended'; job: Job }
  | { type: 'session.created' | 'session.ended'; session: Session }
  | { type: 'session.state'; session: Session; previous: Session['state'] };

/** The events between two looks at a host's jobs (new ones: created; newly terminal: ended; other changes: updated). */
export function diffJobs(previous: ReadonlyMap<string, Job>, current: readonly Job[]): BareChange[] {
  const changes: BareChange[] = [];
  for (const job of current) {
    const before = previous.get(job.id);
    if (!before) changes.push({ type: 'job.created', job });
    else if (sameValue(before, job)) continue;
    else if (job.endedAt !== null && before.endedAt === null) changes.push({ type: 'job.ended', job });
    else changes.push({ type: 'job.updated', job });
  }
  return changes;
}

/** The events between two looks at a host's sessions. */
export function diffSessions(previous: ReadonlyMap<string, Session>, current: readonly Session[]): BareChange[] {
  const changes: BareChange[] = [];
  for (const session of current) {
    const before = previous.get(session.id);
    if (!before) changes.push({ type: 'session.created', session });
    else if (sameValue(before, session)) continue;
    else if (session.state === 'exited' && before.state !== 'exited') changes.push({ type: 'session.ended', session });
    else changes.push({ type: 'session.state', session, previous: before.state });
  }
  return changes;
}

/** Deep equality of JSON values, whatever the order of their keys (a record read back through zod has the schema's order). */
export function sameValue(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    return `{${entries.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
