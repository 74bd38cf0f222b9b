import { sessionInboxItem, type Capabilities, type FlotillaEvent, type InboxEntry, type Job, type Pause, type Session, type SessionInboxItem } from '@flotilla/protocol';
import type { HubSnapshot, HubState } from './hub-state';

export type Connection = 'connecting' | 'live' | 'offline';

/** A notification as it arrived (rate-limit pauses, watchdog actions, needs-you), newest first. */
export interface Alert {
  id: number;
  at: string;
  host: string;
  title: string;
  body: string;
  level: 'info' | 'success' | 'warning' | 'error';
  jobId: string | null;
  sessionId: string | null;
  kind: string | null;
}

/**
 * Everything the page shows that the event stream keeps current. Replaced, never mutated. The hub's
 * parts (hosts, tasks, channel, directs) stay empty on a lone daemon.
 */
export interface LiveState extends HubState {
  connection: Connection;
  /** When the stream was lost (ms since epoch), while offline. */
  offlineSince: number | null;
  /** The last event id applied: where a reconnect resumes. */
  lastEventId: number | null;
  capabilities: Capabilities | null;
  jobs: ReadonlyMap<string, Job>;
  sessions: ReadonlyMap<string, Session>;
  pauses: readonly Pause[];
  inbox: readonly InboxEntry[];
  alerts: readonly Alert[];
  /** Bumped on every applied event: pages that fetch details refetch when it changes for their object. */
  revision: number;
}

/** Most recent alerts kept; older ones are on the inbox and the daemon's log. */
export const MAX_ALERTS = 100;
/** Most jobs kept in memory: the newest, plus every live one; older pages are fetched on demand. */
export const MAX_JOBS = 500;

export const initialState: LiveState = {
  connection: 'connecting',
  offlineSince: null,
  lastEventId: null,
  capabilities: null,
  jobs: new Map(),
  sessions: new Map(),
  pauses: [],
  inbox: [],
  alerts: [],
  revision: 0,
  // A hub's parts; their reducers (hub-state.ts) load only on a hub.
  hosts: new Map(),
  tasks: new Map(),
  channel: [],
  directs: [],
};

export interface Snapshot {
  capabilities: Capabilities;
  jobs: readonly Job[];
  sessions: readonly Session[];
  pauses: readonly Pause[];
  inbox: readonly InboxEntry[];
  /** Fetched only from a hub; null from a lone daemon. Applied by hub-state's `withHubSnapshot`. */
  hub: HubSnapshot | null;
}

export function withSnapshot(state: LiveState, snapshot: Snapshot): LiveState {
  return {
    ...state,
    capabilities: snapshot.capabilities,
    jobs: boundJobs(new Map(snapshot.jobs.map((job) => [job.id, job]))),
    sessions: new Map(snapshot.sessions.map((session) => [session.id, session])),
    pauses: snapshot.pauses,
    inbox: snapshot.inbox,
    revision: state.revision + 1,
  };
}

/**
 * Applies one event. Types this page does not know never reach here (the client skips them); a
 * hub's own (hosts, tasks, messages) only move the cursor here and are applied by hub-state's
 * `applyHubEvent`, loaded on a hub.
 */
export function applyEvent(state: LiveState, event: FlotillaEvent): LiveState {
  const next = { ...state, lastEventId: event.id, revision: state.revision + 1 };
  switch (event.type) {
    case 'job.created':
    case 'job.updated':
    case 'job.ended':
      return { ...next, jobs: boundJobs(upsert(state.jobs, event.job.id, event.job, newer)) };
    case 'session.created':
    case 'session.state':
    case 'session.ended': {
      const sessions = upsert(state.sessions, event.session.id, event.session, newerSession);
      if (sessions === state.sessions) return next;
      return { ...next, sessions, inbox: withSessionInInbox(state.inbox, event.session) };
    }
    case 'pause.started':
      return { ...next, pauses: [...state.pauses.filter((p) => p.id !== event.pause.id), event.pause] };
    case 'pause.ended':
      return { ...next, pauses: state.pauses.filter((p) => p.id !== event.pause.id) };
    case 'notification':
      return { ...next, alerts: [alertOf(event), ...state.alerts].slice(0, MAX_ALERTS) };
    default:
      return next;
  }
}

function alertOf(event: Extract<FlotillaEvent, { type: 'notification' }>): Alert {
  return {
    id: event.id,
    at: event.at,
    host: event.host,
    title: event.title,
    body: event.body,
    level: event.level,
    jobId: event.jobId,
    sessionId: event.sessionId ?? null,
    kind: event.kind ?? null,
  };
}

function upsert<T>(map: ReadonlyMap<string, T>, id: string, value: T, keep: (old: T, value: T) => boolean): ReadonlyMap<string, T> {
  const old = map.get(id);
  if (old !== undefined && !keep(old, value)) return map;
  const copy = new Map(map);
  copy.set(id, value);
  return copy;
}

/** An event replayed after a snapshot may carry an older copy: keep the later `updatedAt`. */
function newer(old: Job, value: Job): boolean {
  return value.updatedAt >= old.updatedAt;
}

function newerSession(old: Session, value: Session): boolean {
  return value.updatedAt >= old.updatedAt;
}

const LIVE_JOB = new Set(['queued', 'starting', 'running', 'retry_wait']);

function boundJobs(jobs: ReadonlyMap<string, Job>): ReadonlyMap<string, Job> {
  if (jobs.size <= MAX_JOBS) return jobs;
  const ended = [...jobs.values()].filter((job) => !LIVE_JOB.has(job.status)).sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
  const copy = new Map(jobs);
  for (const job of ended.slice(0, jobs.size - MAX_JOBS)) copy.delete(job.id);
  return copy;
}

/**
 * The inbox as the daemon will answer it once this session change is stored: a session that
 * waits for its person is in it (longest waiting first, before the results), any other is not.
 * Applied at once, so "needs you" does not wait for the inbox to be fetched again.
 */
export function withSessionInInbox(inbox: readonly InboxEntry[], session: Session): readonly InboxEntry[] {
  const others = inbox.filter((entry) => entry.kind !== 'session' || entry.sessionId !== session.id);
  const item = sessionInboxItem(session);
  if (!item) return others.length === inbox.length ? inbox : others;
  const waiting = [...others.filter((e): e is SessionInboxItem => e.kind === 'session'), item].sort((a, b) => a.since.localeCompare(b.since));
  return [...waiting, ...others.filter((e) => e.kind !== 'session')];
}
