import type { RelayStore } from '../relay/store.js';
import type { EventType, FlotillaEvent, Job, JobListQuery, JobPage, Pause, Session, SessionLogEntry } from '@flotilla/protocol';

/** Values a job needs to run again that are never returned by the API. */
export interface JobSecrets {
  env: Record<string, string>;
  /** Allowlisted variables of the invoking shell; absent for jobs created by a browser or bot. */
  clientEnv?: Record<string, string>;
  jsonSchema?: unknown;
}

/** An event before it is stored: the store adds `id`, `at` and `host`. */
export type EventDraft = { [T in EventType]: Omit<Extract<FlotillaEvent, { type: T }>, 'id' | 'at' | 'host'> }[EventType];

export interface JobMutation {
  job: Job;
  events: EventDraft[];
}

export interface DeliveryRecord {
  jobId: string;
  channel: string;
  target: string;
  ok: boolean;
  attempts: number;
  status: number | null;
  error: string | null;
  at: string;
}

export interface CredentialState {
  agent: string;
  credential: string;
  unusable: string | null;
  message: string | null;
}

/** A session change: the new document, its events, and lines for `cb session log` (each also a `session.log` event). */
export interface SessionMutation {
  session: Session;
  events: EventDraft[];
  log: SessionLogEntry[];
}

/**
 * Sessions, behind the same async, one-transaction-per-call rules as jobs. A name is unique among
 * live sessions (any state but `exited`); an exited session keeps its name in the history.
 */
export interface SessionStore {
  /** Stores a new session with `session.created` (and its log lines); throws SESSION_NAME_TAKEN when a live session has the name. */
  createSession(session: Session, log: SessionLogEntry[]): Promise<Session>;
  getSession(id: string): Promise<Session | null>;
  /** The live session with this name, else the most recent ended one, else null. */
  findSession(name: string): Promise<Session | null>;
  /** Live sessions (newest first); with `all`, ended ones too. */
  listSessions(options: { all?: boolean }): Promise<Session[]>;
  /**
   * Read-modify-write of one session under one transaction, like `updateJob`: `mutate` returns the
   * new document, its events and log lines, or null to leave it unchanged. Events that carry the
   * session get the stored document. Returns the session as stored afterwards (null if missing).
   */
  updateSession(id: string, mutate: (session: Session) => SessionMutation | null): Promise<Session | null>;
  /** Log lines without a change of the session (a send, an alert), each with its `session.log` event. */
  appendSessionLog(entries: SessionLogEntry[]): Promise<void>;
  /** The session's log, oldest first (the most recent `limit` lines). */
  sessionLog(sessionId: string, limit?: number): Promise<SessionLogEntry[]>;
}

/**
 * Everything the daemon persists, behind an async interface so that a PostgreSQL store can
 * replace SQLite. Every method is atomic; every state change writes its outbox rows in the
 * same transaction.
 */
export interface JobStore extends SessionStore, RelayStore {
  createJob(job: Job, secrets: JobSecrets): Promise<{ job: Job; created: boolean }>;
  getJob(id: string): Promise<Job | null>;
  getSecrets(id: string): Promise<JobSecrets | null>;
  listJobs(query: JobListQuery): Promise<JobPage>;
  /** Jobs in any of these statuses, oldest first. */
  jobsWithStatus(statuses: readonly string[]): Promise<Job[]>;
  /**
   * Read-modify-write of one job under one transaction. `mutate` returns the new job and its
   * events, or null to leave it unchanged. Returns the job as stored afterwards (null if missing).
   */
  updateJob(id: string, mutate: (job: Job) => JobMutation | null): Promise<Job | null>;
  deleteJob(id: string): Promise<void>;
  appendEvents(drafts: EventDraft[]): Promise<FlotillaEvent[]>;
  eventsAfter(id: number, limit: number): Promise<FlotillaEvent[]>;
  eventBounds(): Promise<{ oldest: number | null; latest: number }>;
  pruneEvents(olderThan: string): Promise<number>;
  unreadCount(): Promise<number>;
  savePause(pause: Pause): Promise<void>;
  activePauses(): Promise<Pause[]>;
  setCredentialState(state: CredentialState): Promise<void>;
  credentialStates(): Promise<CredentialState[]>;
  recordDelivery(delivery: DeliveryRecord): Promise<void>;
  close(): Promise<void>;
}
