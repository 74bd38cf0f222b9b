import { z } from 'zod';

/**
 * The board's wire schemas: tasks that agents on any host claim under a lease with a fencing
 * token. `proposed` tasks wait for a human's approval before anyone may claim them.
 */
export const TASK_STATUSES = ['proposed', 'todo', 'doing', 'review', 'done', 'failed'] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

export const TASK_PRIORITIES = ['high', 'normal', 'low'] as const;
export const TaskPrioritySchema = z.enum(TASK_PRIORITIES);
export type TaskPriority = z.infer<typeof TaskPrioritySchema>;

/** A ULID (`01J…`) or a readable key (`AUTH-12`): both name a task everywhere. */
export const TaskRefSchema = z.string().min(1).max(64);
export const TaskKeySchema = z.string().regex(/^[A-Z][A-Z0-9]*-[1-9][0-9]*$/);

/** Who holds a claimed task: the session or agent name, its host, and its job or session id. */
export const TaskHolderSchema = z.object({
  who: z.string().min(1),
  host: z.string().min(1),
  jobId: z.string().min(1).optional(),
  sessionId: z.string().min(1).optional(),
});
export type TaskHolder = z.infer<typeof TaskHolderSchema>;

/**
 * `review_requested`: the holder asked for a review (its note, `to` the reviewer); then
 * `review_approved` (done) or `changes_requested` (back to todo, `to` the one who asked).
 */
export const TASK_EVENT_KINDS = [
  'added',
  'approved',
  'claimed',
  'completed',
  'failed',
  'handed_off',
  'expired',
  'review_requested',
  'review_approved',
  'changes_requested',
] as const;
export const TaskEventKindSchema = z.enum(TASK_EVENT_KINDS);
export type TaskEventKind = z.infer<typeof TaskEventKindSchema>;

/** One line of a task's history; notes ride on `completed`, `failed`, `handed_off` and the review entries. */
export const TaskEventSchema = z.object({
  at: z.string(),
  kind: TaskEventKindSchema,
  by: z.string().optional(),
  host: z.string().optional(),
  token: z.number().int().nonnegative().optional(),
  note: z.string().optional(),
  to: z.string().optional(),
  branch: z.string().optional(),
  jobId: z.string().optional(),
});
export type TaskEvent = z.infer<typeof TaskEventSchema>;

export const TaskSchema = z.object({
  id: z.string().min(1),
  key: TaskKeySchema,
  title: z.string().min(1),
  body: z.string(),
  tags: z.array(z.string().min(1)),
  priority: TaskPrioritySchema,
  /** The session name or role allowed to claim it; null lets anyone. */
  for: z.string().min(1).nullable(),
  /** Ids of the tasks that must be `done` before this one can be claimed. */
  after: z.array(z.string().min(1)),
  status: TaskStatusSchema,
  holder: TaskHolderSchema.nullable(),
  leaseExpiresAt: z.string().nullable(),
  /** The fencing token: bumped on every claim and whenever a holding ends by expiry or handoff. */
  token: z.number().int().nonnegative(),
  attempts: z.number().int().nonnegative(),
  /** The branch and previous job carried by the last handoff, so the next agent starts from them. */
  branch: z.string().nullable(),
  previousJobId: z.string().nullable(),
  history: z.array(TaskEventSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Task = z.infer<typeof TaskSchema>;

export const AddTaskRequestSchema = z.object({
  title: z.string().min(1).max(500),
  body: z.string().max(100_000).optional(),
  tags: z.array(z.string().min(1).max(64)).max(32).optional(),
  priority: TaskPrioritySchema.optional(),
  for: z.string().min(1).max(128).optional(),
  after: z.array(TaskRefSchema).max(64).optional(),
  /** Create the task as `proposed`: nobody may claim it until a human approves it. */
  proposed: z.boolean().optional(),
  by: z.string().min(1).optional(),
});
export type AddTaskRequest = z.infer<typeof AddTaskRequestSchema>;

export const ClaimTaskRequestSchema = z.object({
  holder: TaskHolderSchema,
  /** Claim only tasks carrying at least one of these tags; absent or empty claims any tag. */
  tags: z.array(z.string().min(1)).optional(),
  /**
   * The claimer's session name and roles: tasks `for` one of them become claimable too. An agent's
   * are known to the hub (its job or session and its profile's roles): it may leave them out, or
   * narrow them; naming another agent or a role it does not hold is refused (`FORBIDDEN`).
   */
  for: z.array(z.string().min(1)).optional(),
  leaseMs: z.number().int().positive(),
});
export type ClaimTaskRequest = z.infer<typeof ClaimTaskRequestSchema>;

/**
 * Claiming one named task (`POST /api/board/:ref/claim`): the same holder, names and lease as any
 * claim, without tags (the task is named). As atomic and fenced as any claim; refused `CONFLICT`,
 * with `details.reason` (a `ClaimRefusal`), when that task is not claimable by this claimer.
 */
export const ClaimNamedTaskRequestSchema = ClaimTaskRequestSchema.omit({ tags: true });
export type ClaimNamedTaskRequest = z.infer<typeof ClaimNamedTaskRequestSchema>;

/**
 * Why a named task could not be claimed: someone holds it (`held`), it is not todo (`not_todo`:
 * proposed, in review, done or failed), a task it comes `after` is not done (`waiting`), or it is
 * `for` another session or role (`for_other`).
 */
export const CLAIM_REFUSALS = ['held', 'not_todo', 'waiting', 'for_other'] as const;
export const ClaimRefusalSchema = z.enum(CLAIM_REFUSALS);
export type ClaimRefusal = z.infer<typeof ClaimRefusalSchema>;

/** The `details` of a named claim's `CONFLICT`. */
export const ClaimRefusalDetailsSchema = z.object({ reason: ClaimRefusalSchema });

export const RenewTaskRequestSchema = z.object({
  token: z.number().int().nonnegative(),
  leaseMs: z.number().int().positive(),
});
export type RenewTaskRequest = z.infer<typeof RenewTaskRequestSchema>;

export const FinishTaskRequestSchema = z.object({
  token: z.number().int().nonnegative(),
  note: z.string().max(100_000),
});
export type FinishTaskRequest = z.infer<typeof FinishTaskRequestSchema>;

export const HandoffTaskRequestSchema = z.object({
  token: z.number().int().nonnegative(),
  to: z.string().min(1).max(128),
  note: z.string().max(100_000),
  branch: z.string().min(1).optional(),
  jobId: z.string().min(1).optional(),
});
export type HandoffTaskRequest = z.infer<typeof HandoffTaskRequestSchema>;

/**
 * The holder asks for a review (`POST /api/board/:ref/review`): the task goes to `review`, its lease
 * is freed and its token bumped (the holder's later writes are refused), `for` becomes `to` (the
 * session or role asked to review; absent: anyone — a person), and the note, branch and job are
 * kept for the reviewer. Fenced like done: the claim's token, from the holder.
 */
export const ReviewTaskRequestSchema = z.object({
  token: z.number().int().nonnegative(),
  note: z.string().max(100_000),
  to: z.string().min(1).max(128).optional(),
  branch: z.string().min(1).optional(),
  jobId: z.string().min(1).optional(),
});
export type ReviewTaskRequest = z.infer<typeof ReviewTaskRequestSchema>;

/**
 * A review's outcome, fenced by the task's token as it went to review (a decision on an older
 * review is `STALE_TOKEN`; on a task not in review, `CONFLICT`): `POST /api/board/:ref/review/approve`
 * makes it done; `POST /api/board/:ref/review/changes` (a note is required) returns it to todo, for
 * the one who asked for the review. A person may always decide; an agent only on a review addressed
 * to it (its name or one of its roles) that it did not ask for itself (`FORBIDDEN`).
 */
export const ReviewDecisionRequestSchema = z.object({
  token: z.number().int().nonnegative(),
  note: z.string().max(100_000).optional(),
});
export type ReviewDecisionRequest = z.infer<typeof ReviewDecisionRequestSchema>;
export const RequestChangesRequestSchema = ReviewDecisionRequestSchema.extend({ note: z.string().min(1).max(100_000) });
export type RequestChangesRequest = z.infer<typeof RequestChangesRequestSchema>;

export const TaskListQuerySchema = z.object({
  status: z.array(TaskStatusSchema).optional(),
  tag: z.string().min(1).optional(),
  for: z.string().min(1).optional(),
  holder: z.string().min(1).optional(),
});
export type TaskListQuery = z.infer<typeof TaskListQuerySchema>;

/** The claim answer: the task (with its new `token`) or null when nothing is claimable. */
export const ClaimTaskResponseSchema = z.object({ task: TaskSchema.nullable() });
export type ClaimTaskResponse = z.infer<typeof ClaimTaskResponseSchema>;

/** A named claim's answer: the task, now held, with its new `token` (never null: a refusal is an error). */
export const ClaimNamedTaskResponseSchema = z.object({ task: TaskSchema });
export type ClaimNamedTaskResponse = z.infer<typeof ClaimNamedTaskResponseSchema>;
