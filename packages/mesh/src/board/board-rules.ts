import {
  BoardStoreError,
  type ClaimInput,
  type Fence,
  type HandoffInput,
  type HolderCheck,
  type NamedClaimInput,
  type ReviewDecisionInput,
  type ReviewInput,
  type Task,
  type TaskHolder,
  type TaskPriority,
} from './board-store.js';

/**
 * The board's state changes as pure functions over a task, shared by every store: a store finds
 * and locks the row, applies one of these, and saves. Keeping them here keeps SQLite and a later
 * PostgreSQL store from drifting apart on what a claim or a handoff means.
 */

export const PRIORITY_RANK: Readonly<Record<TaskPriority, number>> = { high: 0, normal: 1, low: 2 };

/**
 * Refuses a holder's write unless it carries the current token, the task is still held, and (when
 * the fence names one) by the writer: checked on the row the write then changes, in its transaction.
 */
export function assertHolding(task: Task, fence: Fence): void {
  const token = typeof fence === 'number' ? fence : fence.token;
  if (token !== task.token) {
    throw new BoardStoreError(
      'STALE_TOKEN',
      `task ${task.key} is at fencing token ${task.token}, the write carried ${token}: the lease was lost or the task re-claimed`,
    );
  }
  if (task.status !== 'doing') {
    throw new BoardStoreError('CONFLICT', `task ${task.key} is ${task.status}, not doing`);
  }
  const check = typeof fence === 'number' ? undefined : fence.holder;
  if (check !== undefined && task.holder !== null && !holds(task.holder, check)) {
    throw new BoardStoreError('NOT_HOLDER', `task ${task.key} is held by ${task.holder.who} on ${task.holder.host}, not by ${check.who ?? check.jobId ?? 'the writer'} on ${check.host}`);
  }
}

/** The same host, and the same job when both know theirs, else the same name when the check gives one. */
export function holds(holder: TaskHolder, check: HolderCheck): boolean {
  if (holder.host !== check.host) return false;
  if (holder.jobId !== undefined && check.jobId !== undefined) return holder.jobId === check.jobId;
  return check.who === undefined || holder.who === check.who;
}

export function leaseUntil(now: Date, leaseMs: number): string {
  return new Date(now.getTime() + leaseMs).toISOString();
}

export function applyClaim(task: Task, input: ClaimInput, now: Date): Task {
  const token = task.token + 1;
  const at = now.toISOString();
  return {
    ...task,
    status: 'doing',
    holder: { ...input.holder },
    leaseExpiresAt: leaseUntil(now, input.leaseMs),
    token,
    updatedAt: at,
    history: [...task.history, { at, kind: 'claimed', by: input.holder.who, host: input.holder.host, token }],
  };
}

/**
 * Refuses a claim of this very task unless `claim` could have taken it for this claimer: todo, every
 * prerequisite done (`after`, as found; a missing one holds nothing, as in the claim's own query),
 * and for nobody or one of the claimer's names.
 */
export function assertClaimable(task: Task, prerequisites: readonly (Task | null)[], input: NamedClaimInput): void {
  const refuse = (reason: 'held' | 'not_todo' | 'waiting' | 'for_other', message: string): never => {
    throw new BoardStoreError('NOT_CLAIMABLE', `task ${task.key} cannot be claimed: ${message}`, reason);
  };
  if (task.status === 'doing') {
    const holder = task.holder ? `${task.holder.who}@${task.holder.host}` : 'someone';
    refuse('held', `${holder} holds it${task.leaseExpiresAt ? ` (lease until ${task.leaseExpiresAt})` : ''}`);
  }
  if (task.status !== 'todo') refuse('not_todo', task.status === 'proposed' ? 'it is proposed and waits for approval' : `it is ${task.status}, not todo`);
  const waiting = prerequisites.filter((prerequisite): prerequisite is Task => prerequisite !== null && prerequisite.status !== 'done');
  if (waiting.length > 0) refuse('waiting', `it waits for ${waiting.map((prerequisite) => `${prerequisite.key} (${prerequisite.status})`).join(', ')}`);
  const names = input.for ?? [];
  if (task.for !== null && !names.includes(task.for)) {
    refuse('for_other', `it is for ${task.for}, not for ${names.length > 0 ? names.join(', ') : 'this claimer'}`);
  }
}

export function applyRenew(task: Task, leaseMs: number, now: Date): Task {
  return { ...task, leaseExpiresAt: leaseUntil(now, leaseMs), updatedAt: now.toISOString() };
}

export function applyFinish(task: Task, outcome: 'done' | 'failed', note: string, now: Date): Task {
  const at = now.toISOString();
  const kind = outcome === 'done' ? 'completed' : 'failed';
  return {
    ...task,
    status: outcome,
    holder: null,
    leaseExpiresAt: null,
    attempts: outcome === 'failed' ? task.attempts + 1 : task.attempts,
    updatedAt: at,
    history: [...task.history, { at, kind, by: task.holder?.who, token: task.token, note }],
  };
}

/** Back to `todo` for the named session or role, with the branch and job the next agent needs. */
export function applyHandoff(task: Task, input: HandoffInput, now: Date): Task {
  const at = now.toISOString();
  const event = { at, kind: 'handed_off' as const, by: task.holder?.who, token: task.token, note: input.note, to: input.to };
  const history = { ...event, ...(input.branch ? { branch: input.branch } : {}), ...(input.jobId ? { jobId: input.jobId } : {}) };
  return releaseHolder(task, { status: 'todo', for: input.to, branch: input.branch, jobId: input.jobId }, at, history);
}

/**
 * The holder lets go and the task waits for `for` in `status`: holder and lease cleared, the token
 * bumped (the old holder's writes are refused), the branch and the job that worked on it kept.
 */
function releaseHolder(
  task: Task,
  next: { status: Task['status']; for: string | null; branch?: string; jobId?: string },
  at: string,
  event: Task['history'][number],
): Task {
  return {
    ...task,
    status: next.status,
    for: next.for,
    holder: null,
    leaseExpiresAt: null,
    token: task.token + 1,
    branch: next.branch ?? task.branch,
    previousJobId: next.jobId ?? task.holder?.jobId ?? task.previousJobId,
    updatedAt: at,
    history: [...task.history, event],
  };
}

/** The lease ran out: back to `todo`, the token bumped so the old holder's writes are refused. */
export function applyExpiry(task: Task, countsAsAttempt: boolean, now: Date): Task {
  const at = now.toISOString();
  return {
    ...task,
    status: 'todo',
    holder: null,
    leaseExpiresAt: null,
    token: task.token + 1,
    attempts: countsAsAttempt ? task.attempts + 1 : task.attempts,
    updatedAt: at,
    history: [...task.history, { at, kind: 'expired', by: task.holder?.who, host: task.holder?.host, token: task.token }],
  };
}

export function applyApprove(task: Task, by: string | undefined, now: Date): Task {
  if (task.status !== 'proposed') {
    throw new BoardStoreError('CONFLICT', `task ${task.key} is ${task.status}; only a proposed task can be approved`);
  }
  const at = now.toISOString();
  return { ...task, status: 'todo', updatedAt: at, history: [...task.history, { at, kind: 'approved', ...(by ? { by } : {}) }] };
}

/** The holder asks for a review: its holding ends (token bumped), the task waits in `review` for `to`. */
export function applyReview(task: Task, input: ReviewInput, now: Date): Task {
  const at = now.toISOString();
  const event = {
    at,
    kind: 'review_requested' as const,
    by: task.holder?.who,
    host: task.holder?.host,
    token: task.token,
    note: input.note,
    ...(input.to ? { to: input.to } : {}),
    ...(input.branch ? { branch: input.branch } : {}),
    ...(input.jobId ? { jobId: input.jobId } : {}),
  };
  return releaseHolder(task, { status: 'review', for: input.to ?? null, branch: input.branch, jobId: input.jobId }, at, event);
}

/** Who asked for the task's current review (the holder then), from its history. */
export function reviewRequester(task: Task): string | undefined {
  for (let i = task.history.length - 1; i >= 0; i -= 1) {
    const event = task.history[i]!;
    if (event.kind === 'review_requested') return event.by;
  }
  return undefined;
}

/**
 * Refuses a review decision unless it carries the task's token, the task is in review, and (for
 * an agent) the review is addressed to one of its names and was not asked for by itself.
 */
export function assertReviewDecision(task: Task, token: number, input: ReviewDecisionInput): void {
  if (token !== task.token) {
    throw new BoardStoreError('STALE_TOKEN', `task ${task.key} is at fencing token ${task.token}, the decision carried ${token}: it was decided or sent back meanwhile`);
  }
  if (task.status !== 'review') throw new BoardStoreError('CONFLICT', `task ${task.key} is ${task.status}, not in review`);
  const reviewer = input.reviewer;
  if (reviewer === undefined) return;
  if (task.for === null || !reviewer.names.includes(task.for)) {
    const addressed = task.for === null ? 'to nobody in particular (a person decides)' : `to ${task.for}`;
    throw new BoardStoreError('NOT_REVIEWER', `task ${task.key}'s review is addressed ${addressed}, not to ${reviewer.who}`);
  }
  if (reviewRequester(task) === reviewer.who) {
    throw new BoardStoreError('NOT_REVIEWER', `${reviewer.who} asked for the review of task ${task.key}; another reviewer (or a person) decides it`);
  }
}

/** Approved: done. Changes: back to `todo`, for the one who asked for the review, with the note. */
export function applyReviewDecision(task: Task, outcome: 'approve' | 'changes', input: ReviewDecisionInput, now: Date): Task {
  const at = now.toISOString();
  const by = input.reviewer?.who ?? input.by;
  const base = { at, token: task.token, ...(by ? { by } : {}), ...(input.note === undefined ? {} : { note: input.note }) };
  if (outcome === 'approve') {
    return { ...task, status: 'done', updatedAt: at, history: [...task.history, { ...base, kind: 'review_approved' }] };
  }
  const requester = reviewRequester(task);
  return {
    ...task,
    status: 'todo',
    for: requester ?? null,
    updatedAt: at,
    history: [...task.history, { ...base, kind: 'changes_requested', ...(requester ? { to: requester } : {}) }],
  };
}
