import type { FailureKind } from '@flotilla/protocol';
import type { SourceName } from '../tickets/ticket.js';

/** What became of one batch in one cycle. */
export type BatchRunOutcome =
  /** A pull request exists now (created or adopted) and the tickets are in review. */
  | 'pull_request'
  /** A local (or pushed, non-GitHub) branch was recorded for review. */
  | 'branch'
  /** The attempt failed; the tickets will be tried again (an infrastructure failure cost no attempt). */
  | 'retry_later'
  | 'gave_up'
  | 'nothing_to_do'
  /** Another director holds it, or is opening its pull request right now. */
  | 'busy'
  /** The source would not give the ticket (someone else's claim). */
  | 'not_claimed'
  /** The ledger says it was finished before; only the ticket's status was brought up to date. */
  | 'already_done'
  /** GitHub, Linear, the board or git failed; nothing was charged to the tickets. */
  | 'error';

export interface BatchReport {
  tickets: string[];
  repo: string;
  branch: string;
  outcome: BatchRunOutcome;
  detail: string;
  link?: string | null;
  model?: string;
  failureKind?: FailureKind;
  /** For a rate limit: when it resets, as the agent reported. */
  resetsAt?: string | null;
  /** Whether the failure used one of the tickets' attempts. */
  burned?: boolean;
  /** The next attempt will run on a stronger model than this one. */
  escalates?: boolean;
  /** The host its job was placed on (when the director was given a fleet). */
  host?: string;
}

/** One host's pre-flight before a cycle: can it take the agent's jobs now, and if not, why. */
export interface HostReadiness {
  host: string;
  ok: boolean;
  /** What was found: the failing doctor checks with their fixes, the link state, a pause; or what passed. */
  detail: string;
}

export interface CycleReport {
  startedAt: string;
  endedAt: string;
  /** Tickets routed nowhere, with the reason; never guessed. */
  skipped: Array<{ ticket: string; title: string; reason: string }>;
  sourceErrors: Array<{ source: SourceName; message: string; code: string; resetsAt: string | null }>;
  batches: BatchReport[];
  /**
   * The pre-flight before this cycle (`GET /api/doctor` of each host jobs may go to): a host that
   * is not ok got nothing dispatched, and its tickets are in `skipped` with the reason. Absent when
   * the director runs without a fleet (an injected `runJob`).
   */
  preflight?: HostReadiness[];
  /**
   * The director's pause after a rate-limit or fast-failure storm: `started` on the one cycle that
   * began it (say so then, once); a paused cycle dispatches nothing and lists nothing.
   */
  pause: { until: string; reason: string; started: boolean } | null;
  /** What else the cycle has to say, each once: e.g. that codekb is missing, so no learnings were recalled or recorded. */
  notes?: string[];
}
