/**
 * The board's store: tasks claimed under a lease with a fencing token. Every method is async so
 * that a PostgreSQL store (its claim a `FOR UPDATE SKIP LOCKED`) fits behind the same interface as
 * the synchronous SQLite one. The shapes mirror `@flotilla/protocol`'s `board.ts` schemas.
 */

export type TaskStatus = 'proposed' | 'todo' | 'doing' | 'review' | 'done' | 'failed';
export type TaskPriority = 'high' | 'normal' | 'low';
export type TaskEventKind =
  | 'added'
  | 'approved'
  | 'claimed'
  | 'completed'
  | 'failed'
  | 'handed_off'
  | 'expired'
  | 'review_requested'
  | 'review_approved'
  | 'changes_requested';

export interface TaskHolder {
  /** The session or agent name. */
  who: string;
  host: string;
  jobId?: string;
  sessionId?: string;
}

export interface TaskEvent {
  at: string;
  kind: TaskEventKind;
  by?: string;
  host?: string;
  token?: number;
  note?: string;
  to?: string;
  branch?: string;
  jobId?: string;
}

export interface Task {
  /** A ULID. */
  id: string;
  /** `<PREFIX>-<n>`, the prefix from the first tag (or `T`); unique. */
  key: string;
  title: string;
  body: string;
  tags: string[];
  priority: TaskPriority;
  for: string | null;
  /** Ids of the tasks that must be `done` first. */
  after: string[];
  status: TaskStatus;
  holder: TaskHolder | null;
  leaseExpiresAt: string | null;
  /** Bumped on every claim and when a holding ends by expiry or handoff; never decreases. */
  token: number;
  /** Holdings that ended without success: fails, and expiries that count as attempts. */
  attempts: number;
  branch: string | null;
  previousJobId: string | null;
  history: TaskEvent[];
  createdAt: string;
  updatedAt: string;
}

export interface AddTaskInput {
  title: string;
  body?: string;
  tags?: string[];
  priority?: TaskPriority;
  for?: string;
  /** Ids or keys of existing tasks (either in any case). */
  after?: string[];
  proposed?: boolean;
  by?: string;
}

export interface TaskListFilter {
  status?: TaskStatus[];
  tag?: string;
  for?: string;
  /** Matches `holder.who`. */
  holder?: string;
}

export interface ClaimInput {
  holder: TaskHolder;
  /** Only tasks with at least one of these tags; absent or empty: any task. */
  tags?: string[];
  /** The claimer's session name and roles; tasks `for` none of them are skipped. */
  for?: string[];
  leaseMs: number;
}

/** Claiming one named task: the holder, its names (session and roles) and the lease; no tags. */
export type NamedClaimInput = Omit<ClaimInput, 'tags'>;

/** Why a named task is not claimable (see protocol's `ClaimRefusal`). */
export type ClaimRefusal = 'held' | 'not_todo' | 'waiting' | 'for_other';

export interface HandoffInput {
  /** The session or role the task goes to. */
  to: string;
  note: string;
  branch?: string;
  jobId?: string;
}

/** The holder asks for a review: of `to` (a session or role; absent: anyone, i.e. a person). */
export interface ReviewInput {
  note: string;
  to?: string;
  branch?: string;
  jobId?: string;
}

/** A review's outcome: who decides, and (for an agent) the names it may review as. */
export interface ReviewDecisionInput {
  /** Required for changes; optional for an approval. */
  note?: string;
  by?: string;
  /**
   * An agent deciding: refused (`NOT_REVIEWER`) unless the review is addressed to one of `names`
   * and `who` did not ask for it. Absent: a person, who may decide any review.
   */
  reviewer?: { who: string; names: readonly string[] };
}

/** Who must hold a task for a holder's write to be accepted, checked in the write's own transaction. */
export interface HolderCheck {
  host: string;
  /** When both the holder and the writer have a job id, they must be equal. */
  jobId?: string;
  /** Otherwise the holder's name must be this one (when given). */
  who?: string;
}

/** A holder's write carries the fencing token it got with the claim, and may say who must hold the task. */
export type Fence = number | { token: number; holder?: HolderCheck };

export interface ExpireLeasesOptions {
  /** Hosts that are unreachable but within their grace: their leases are frozen, not expired. */
  frozenHosts?: ReadonlySet<string>;
  /** Whether this expiry is a spent attempt (the holder's exit record shows it ended); default yes. */
  countsAsAttempt?: (task: Task) => boolean;
}

/** Every method resolves or rejects with a `BoardStoreError`; names accept an id or a key, in any case. */
export interface BoardStore {
  add(input: AddTaskInput): Promise<Task>;
  get(idOrKey: string): Promise<Task | null>;
  list(filter?: TaskListFilter): Promise<Task[]>;
  /** Atomically takes the best claimable task (priority, then age), or resolves null. */
  claim(input: ClaimInput): Promise<Task | null>;
  /**
   * Atomically takes the named task, as `claim` would have taken it: refused `NOT_CLAIMABLE` (with
   * the `reason`) unless it is todo, every `after` task is done and it is for nobody or one of
   * `input.for`; `NOT_FOUND` when there is no such task.
   */
  claimNamed(idOrKey: string, input: NamedClaimInput): Promise<Task>;
  /** The fenced writes: refused unless `fence` carries the current token (and names the holder, when it names one). */
  renew(idOrKey: string, fence: Fence, leaseMs: number): Promise<Task>;
  complete(idOrKey: string, fence: Fence, note: string): Promise<Task>;
  fail(idOrKey: string, fence: Fence, note: string): Promise<Task>;
  handoff(idOrKey: string, fence: Fence, input: HandoffInput): Promise<Task>;
  /** Moves a `proposed` task to `todo`. */
  approve(idOrKey: string, by?: string): Promise<Task>;
  /** The holder's write (fenced like `complete`): `doing` → `review`, the lease freed and the token bumped. */
  review(idOrKey: string, fence: Fence, input: ReviewInput): Promise<Task>;
  /**
   * `review` → `done` (`approve`) or → `todo` for the one who asked for the review (`changes`).
   * `token` must be the task's token (as it went to review): else `STALE_TOKEN`; a task not in
   * review is `CONFLICT`.
   */
  decideReview(idOrKey: string, token: number, outcome: 'approve' | 'changes', input: ReviewDecisionInput): Promise<Task>;
  /** Returns every task whose lease had expired at `now` to `todo`; resolves those tasks. */
  expireLeases(now: Date, options?: ExpireLeasesOptions): Promise<Task[]>;
  /** After a hub restart: every held lease runs at least until now + `leaseMs`; resolves how many. */
  graceAll(leaseMs: number): Promise<number>;
  close(): Promise<void>;
}

export type BoardStoreErrorCode = 'STALE_TOKEN' | 'NOT_FOUND' | 'CONFLICT' | 'NOT_HOLDER' | 'NOT_CLAIMABLE' | 'NOT_REVIEWER';

const BRAND = Symbol.for('flotilla.mesh.BoardStoreError');

/** A refused board write. Check it with `isBoardStoreError`, not `instanceof`. */
export class BoardStoreError extends Error {
  readonly code: BoardStoreErrorCode;
  /** For `NOT_CLAIMABLE`: why. */
  readonly reason: ClaimRefusal | undefined;
  readonly [BRAND] = true;

  constructor(code: BoardStoreErrorCode, message: string, reason?: ClaimRefusal) {
    super(message);
    this.name = 'BoardStoreError';
    this.code = code;
    this.reason = reason;
  }
}

export function isBoardStoreError(error: unknown, code?: BoardStoreErrorCode): error is BoardStoreError {
  if (typeof error !== 'object' || error === null || !(BRAND in error)) return false;
  return code === undefined || (error as BoardStoreError).code === code;
}

/** The key prefix: the first tag's letters and digits, uppercased, at most 8 (`auth` → `AUTH`); else `T`. */
export function keyPrefix(tags: readonly string[] | undefined): string {
  const cleaned = (tags?.[0] ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 8);
  return /^[A-Z]/.test(cleaned) ? cleaned : 'T';
}
