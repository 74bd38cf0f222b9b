import type { z } from 'zod';
import {
  ClaimNamedTaskResponseSchema,
  ClaimTaskResponseSchema,
  TaskSchema,
  type AddTaskRequest,
  type ClaimNamedTaskRequest,
  type ClaimTaskRequest,
  type FinishTaskRequest,
  type HandoffTaskRequest,
  type RenewTaskRequest,
  type RequestChangesRequest,
  type ReviewDecisionRequest,
  type ReviewTaskRequest,
  type Task,
  type TaskListQuery,
} from './board.js';
import { errorFromEnvelope } from './errors.js';
import type { Transport, TransportRequest } from './transport.js';

/**
 * The board's typed client (a hub's `/api/board`) over an injected transport. Every method rejects
 * with a `ProtocolError`: `NOT_FOUND` for an unknown task, `STALE_TOKEN` for a write whose fencing
 * token is no longer the task's, `FORBIDDEN` for what the caller's scope does not allow.
 */
export interface BoardClient {
  /** Tasks, high priority first, then oldest; `status` may name several. */
  listTasks(query?: TaskListQuery): Promise<Task[]>;
  addTask(request: AddTaskRequest): Promise<Task>;
  /** By id (ULID) or key (`AUTH-12`). */
  getTask(ref: string): Promise<Task>;
  /** Atomically takes the best claimable task under a lease; null when nothing is claimable. */
  claimTask(request: ClaimTaskRequest): Promise<Task | null>;
  /**
   * Atomically takes this one task (id or key) under a lease. Rejects `CONFLICT` when it is not
   * claimable by this claimer — `details.reason` says why (`ClaimRefusal`) — and `NOT_FOUND` when
   * there is no such task.
   */
  claimNamedTask(ref: string, request: ClaimNamedTaskRequest): Promise<Task>;
  renewTask(ref: string, request: RenewTaskRequest): Promise<Task>;
  completeTask(ref: string, request: FinishTaskRequest): Promise<Task>;
  failTask(ref: string, request: FinishTaskRequest): Promise<Task>;
  handoffTask(ref: string, request: HandoffTaskRequest): Promise<Task>;
  /** Moves a `proposed` task to `todo` (a person only). */
  approveTask(ref: string): Promise<Task>;
  /** The holder asks for a review: the task goes to `review`, for `to`; the lease is freed and the token bumped. */
  reviewTask(ref: string, request: ReviewTaskRequest): Promise<Task>;
  /** A task in review is done. `token` is the task's token since it went to review. */
  approveReview(ref: string, request: ReviewDecisionRequest): Promise<Task>;
  /** A task in review goes back to todo, for the one who asked for the review, with the note. */
  requestChanges(ref: string, request: RequestChangesRequest): Promise<Task>;
}

/**
 * @example
 * const board = createBoardClient(createHttpTransport(hubUrl, { token }));
 * const task = await board.claimTask({ holder: { who: 'api-1', host: 'linux' }, tags: ['api'], leaseMs: 1_800_000 });
 * if (task) await board.completeTask(task.key, { token: task.token, note: 'merged' });
 */
export function createBoardClient(transport: Transport): BoardClient {
  async function call<T extends z.ZodType>(schema: T, req: TransportRequest): Promise<z.infer<T>> {
    const res = await transport.request(req);
    if (res.status >= 400) throw errorFromEnvelope(res.status, res.body);
    return schema.parse(res.body);
  }
  const task = (ref: string, action = '') => `/api/board/${encodeURIComponent(ref)}${action}`;
  return {
    listTasks: (query = {}) => call(TaskSchema.array(), { method: 'GET', path: '/api/board', query: taskListQuery(query) }),
    addTask: (body) => call(TaskSchema, { method: 'POST', path: '/api/board', body }),
    getTask: (ref) => call(TaskSchema, { method: 'GET', path: task(ref) }),
    claimTask: async (body) => (await call(ClaimTaskResponseSchema, { method: 'POST', path: '/api/board/claim', body })).task,
    claimNamedTask: async (ref, body) => (await call(ClaimNamedTaskResponseSchema, { method: 'POST', path: task(ref, '/claim'), body })).task,
    renewTask: (ref, body) => call(TaskSchema, { method: 'POST', path: task(ref, '/renew'), body }),
    completeTask: (ref, body) => call(TaskSchema, { method: 'POST', path: task(ref, '/done'), body }),
    failTask: (ref, body) => call(TaskSchema, { method: 'POST', path: task(ref, '/fail'), body }),
    handoffTask: (ref, body) => call(TaskSchema, { method: 'POST', path: task(ref, '/handoff'), body }),
    approveTask: (ref) => call(TaskSchema, { method: 'POST', path: task(ref, '/approve') }),
    reviewTask: (ref, body) => call(TaskSchema, { method: 'POST', path: task(ref, '/review'), body }),
    approveReview: (ref, body) => call(TaskSchema, { method: 'POST', path: task(ref, '/review/approve'), body }),
    requestChanges: (ref, body) => call(TaskSchema, { method: 'POST', path: task(ref, '/review/changes'), body }),
  };
}

/** `status` travels comma-separated (`?status=todo,doing`); the hub also accepts it repeated. */
function taskListQuery(query: TaskListQuery): TransportRequest['query'] {
  return { tag: query.tag, for: query.for, holder: query.holder, status: query.status?.join(',') };
}
