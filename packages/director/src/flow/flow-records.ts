import type { Ticket } from '../tickets/ticket.js';
import type { ResolvedItem } from './flow-definition.js';
import type { CheckedFinding } from './quote-check.js';

/** What the flow ledger (flow-ledger.ts) stores and answers: flow runs and their steps. */

export const FLOW_STATUSES = ['running', 'approved', 'not_approved', 'completed', 'failed'] as const;
export type FlowStatus = (typeof FLOW_STATUSES)[number];
export const STEP_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface StoredVerdict {
  verdict: 'approved' | 'changes_requested';
  findings: CheckedFinding[];
  /** Where it was read from: Claude's structured answer / the whole answer as JSON, or a fenced block. */
  from: 'json' | 'fenced_block';
}

export interface FlowStepRecord {
  id: number;
  flowId: string;
  /** Where the step sits in the definition: `2` (the third item) or `1.0` (a loop's first step). */
  position: string;
  name: string;
  kind: 'work' | 'review' | 'command';
  /** The loop round (1 outside loops). */
  round: number;
  attempt: number;
  status: StepStatus;
  agent: string | null;
  model: string | null;
  idempotencyKey: string | null;
  jobId: string | null;
  /** What the next steps are told about this one. */
  note: string | null;
  verdict: StoredVerdict | null;
  exitCode: number | null;
  /** Why it failed, in words. */
  reason: string | null;
  /** What failed: the job's failure kind, `verdict` (no valid verdict), `command`, or `runner` (the job runner threw). */
  failureKind: string | null;
  /** The worktree's HEAD after the step. */
  head: string | null;
  startedAt: string;
  endedAt: string | null;
}

export interface CreateFlowInput {
  id: string;
  name: string;
  repo: string;
  task: string;
  definition: ResolvedItem[];
  worktreePath: string;
  branch: string;
  baseCommit: string | null;
  hosts: string[];
  tickets: Ticket[];
}

export interface FlowRecord extends CreateFlowInput {
  status: FlowStatus;
  reason: string | null;
  /** The runner holding the flow (`host:pid`), while it runs. */
  owner: string | null;
  leaseUntil: number;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
  steps: FlowStepRecord[];
}

export interface BeginStepInput {
  flowId: string;
  position: string;
  name: string;
  kind: FlowStepRecord['kind'];
  round: number;
  attempt: number;
  agent: string | null;
  model: string | null;
  idempotencyKey: string | null;
}

export interface EndStepInput {
  status: 'succeeded' | 'failed';
  note: string | null;
  verdict?: StoredVerdict | null;
  exitCode?: number | null;
  reason?: string | null;
  failureKind?: string | null;
  jobId?: string | null;
  head?: string | null;
}

export type AcquireResult = { ok: true } | { ok: false; owner: string; leaseUntil: number };

/** The flows' store, async so that another backend can stand behind it. */
export interface FlowLedger {
  createFlow(input: CreateFlowInput): Promise<FlowRecord>;
  getFlow(id: string): Promise<FlowRecord | null>;
  listFlows(options?: { limit?: number }): Promise<Array<Omit<FlowRecord, 'steps' | 'definition' | 'tickets'>>>;
  /** Takes the flow for `owner` unless another runner's lease is live and `canTakeOver` says it is alive. */
  acquire(id: string, owner: string, leaseMs: number, canTakeOver?: (holder: string) => boolean): Promise<AcquireResult>;
  renew(id: string, owner: string, leaseMs: number): Promise<boolean>;
  /** The step run at this place, round and attempt, if one was begun. */
  stepAt(flowId: string, position: string, round: number, attempt: number): Promise<FlowStepRecord | null>;
  /** The latest attempt begun at this place and round. */
  latestAttempt(flowId: string, position: string, round: number): Promise<FlowStepRecord | null>;
  /** Records a step as running (or returns the running row already there: a resumed step). */
  beginStep(input: BeginStepInput): Promise<FlowStepRecord>;
  setStepJob(stepId: number, jobId: string): Promise<void>;
  endStep(stepId: number, end: EndStepInput): Promise<FlowStepRecord>;
  /** Ends the flow (and frees it); `running` with a reason records a failure to resume later. */
  finishFlow(id: string, owner: string, status: Exclude<FlowStatus, 'running'>, reason: string | null): Promise<FlowRecord>;
  /** Puts an ended flow back to `running` (a resume of a failed flow). */
  reopen(id: string): Promise<void>;
  close(): Promise<void>;
}
