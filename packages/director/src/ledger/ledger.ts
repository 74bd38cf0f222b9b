import type { FailureKind } from '@flotilla/protocol';
import type { SourceName } from '../tickets/ticket.js';

/**
 * The director's memory of what it already did, shared by every director on one machine (one
 * SQLite file). Async, so that a PostgreSQL ledger can follow behind the same interface.
 */

export type TicketStatus = 'open' | 'in_review' | 'given_up';
export type BatchStage = 'claimed' | 'worked' | 'pushed' | 'finished';
export type BatchOutcome = 'pull_request' | 'branch' | 'given_up' | 'nothing_to_do';

export interface LedgerTicket {
  key: string;
  source: SourceName;
  ticketId: string;
  title: string;
  status: TicketStatus;
  failedAttempts: number;
  infraFailures: number;
  link: string | null;
  note: string | null;
  /** When the ticket's row last changed (ISO): finished tickets, when they were finished. */
  updatedAt: string;
}

export interface LedgerBatch {
  id: string;
  /** The sorted ticket keys joined by `,`: a batch's identity. */
  ticketSet: string;
  ticketKeys: string[];
  repo: string;
  branch: string;
  status: 'open' | 'closed';
  stage: BatchStage;
  outcome: BatchOutcome | null;
  link: string | null;
  owner: string | null;
  leaseUntil: number;
}

export interface BatchTicketInput {
  key: string;
  source: SourceName;
  ticketId: string;
  title: string;
}

export interface ClaimBatchInput {
  repo: string;
  branch: string;
  tickets: BatchTicketInput[];
  /** Which director claims (one id per running director). */
  owner: string;
  leaseMs: number;
}

export type ClaimBatchResult =
  | { claimed: true; batch: LedgerBatch; resumed: boolean }
  | { claimed: false; reason: 'held'; by: string; batch: LedgerBatch }
  | { claimed: false; reason: 'finished'; ticket: LedgerTicket }
  | { claimed: false; reason: 'other_batch'; batch: LedgerBatch };

export type AttemptEnd =
  | { outcome: 'succeeded' }
  | { outcome: 'failed'; kind: FailureKind; message: string; resetsAt?: string | null };

export interface AttemptRecord {
  id: number;
  batchId: string;
  number: number;
  model: string;
  outcome: 'succeeded' | 'failed' | null;
  failureKind: FailureKind | null;
  burned: boolean;
  message: string | null;
  resetsAt: string | null;
  startedAt: string;
  endedAt: string | null;
}

export interface AttemptResult {
  attempt: AttemptRecord;
  /** The most attempts any of the batch's tickets has used now. */
  failedAttempts: number;
  /** Every ticket of the batch reached `maxAttempts`: they are `given_up` and the batch closed. */
  exhausted: boolean;
}

export interface PullRequestRecord {
  batchId: string;
  repo: string;
  head: string;
  base: string;
  state: 'intended' | 'created';
  number: number | null;
  url: string | null;
  adopted: boolean;
  intendedBy: string;
  intentUntil: number;
}

export interface IntendPullRequestInput {
  owner: string;
  /** How long this director has to create and record it before another may take over. */
  leaseMs: number;
  repo: string;
  head: string;
  base: string;
}

export type IntendResult =
  | { state: 'intended'; record: PullRequestRecord }
  | { state: 'created'; record: PullRequestRecord }
  | { state: 'busy'; record: PullRequestRecord };

/** A batch as `status` shows it: its tickets' rows and every attempt. */
export interface OverviewBatch extends LedgerBatch {
  tickets: LedgerTicket[];
  attempts: AttemptRecord[];
  createdAt: string;
  /** When the batch's row last changed (ISO); for a closed batch, when it was closed. */
  updatedAt: string;
}

export interface LedgerOverview {
  /** Every open batch (in flight, or waiting to be retried), oldest first. */
  open: OverviewBatch[];
  /** Batches closed at or after `since`, newest first. */
  closed: OverviewBatch[];
  /** Pull requests recorded (created or adopted) at or after `since`, newest first. */
  pullRequests: Array<PullRequestRecord & { recordedAt: string }>;
}

export interface Ledger {
  ticket(key: string): Promise<LedgerTicket | null>;
  batch(id: string): Promise<LedgerBatch | null>;
  /** The open batch holding this ticket, if any. */
  openBatchOf(ticketKey: string): Promise<LedgerBatch | null>;
  /**
   * Takes (or resumes) the batch for exactly these tickets under `BEGIN IMMEDIATE`: refused while
   * another director's lease runs, when a ticket is finished or given up, or when a ticket sits in
   * another open batch.
   */
  claimBatch(input: ClaimBatchInput): Promise<ClaimBatchResult>;
  renewBatch(batchId: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Lets the lease go now (the batch stays open, to be resumed by the next claim). */
  releaseBatch(batchId: string, owner: string): Promise<void>;
  setStage(batchId: string, stage: BatchStage): Promise<void>;
  /** Closes the batch; its tickets become `in_review` (or `given_up`) with the link. */
  closeBatch(batchId: string, outcome: BatchOutcome, link: string | null, note?: string): Promise<void>;
  /**
   * The batch's next attempt — or the one a crashed director started and never ended (same number,
   * same model), so that its job is re-dispatched under the same idempotency key and adopted.
   */
  startAttempt(batchId: string, model: string, owner: string): Promise<AttemptRecord>;
  endAttempt(attemptId: number, end: AttemptEnd, maxAttempts: number): Promise<AttemptResult>;
  attempts(batchId: string): Promise<AttemptRecord[]>;
  /** The "PR intended" record, committed before any create call; says `created` when it already exists. */
  intendPullRequest(batchId: string, input: IntendPullRequestInput): Promise<IntendResult>;
  recordPullRequest(batchId: string, pr: { number: number; url: string; adopted: boolean }): Promise<PullRequestRecord>;
  pullRequest(batchId: string): Promise<PullRequestRecord | null>;
  /** A small JSON value under `key` (see `director-state.ts`); null when never set. */
  getState(key: string): Promise<unknown>;
  setState(key: string, value: unknown): Promise<void>;
  /** What `flotilla-director status` shows: open batches, and what was closed or opened since `since` (epoch ms). */
  overview(since: number): Promise<LedgerOverview>;
  close(): Promise<void>;
}

/** `a,b` from keys in any order. */
export function ticketSetOf(keys: readonly string[]): string {
  return [...new Set(keys)].sort().join(',');
}
