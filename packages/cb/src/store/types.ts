import type { EventType, FlotillaEvent, Job, JobListQuery, JobPage, Pause } from '@flotilla/protocol';

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

/**
 * Everything the daemon persists, behind an async interface so that a PostgreSQL store can
 * replace SQLite. Every method is atomic; every state change writes its outbox rows in the
 * same transaction.
 */
export interface JobStore {
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
