import {
  AddTaskRequestSchema,
  ClaimNamedTaskRequestSchema,
  ClaimTaskRequestSchema,
  FinishTaskRequestSchema,
  HandoffTaskRequestSchema,
  RenewTaskRequestSchema,
  type ClaimNamedTaskRequest,
  type Task,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from '@flotilla/protocol';
import { ulid } from 'ulidx';

/**
 * The hub's `/api/board` routes as an in-memory protocol `Transport`, following the hub's rules
 * (`@flotilla/mesh/board`): a claim takes the best claimable task (todo, `for` nobody or one of the
 * claimer's names, high priority first, then oldest) and bumps the fencing token; fenced writes
 * with a stale token answer 409 `STALE_TOKEN`; a handoff returns the task to todo `for` the target
 * with its branch; `expireLeases()` is the hub's sweeper. The director cannot depend on mesh (mesh
 * will call the director), so its tests use this stand-in; it answers with the protocol's envelopes.
 */
export interface FakeBoard extends Transport {
  add(input: { title: string; body?: string; tags?: string[]; priority?: Task['priority'] }): Task;
  task(ref: string): Task;
  /** Returns every expired lease to todo, as the hub's sweeper does. */
  expireLeases(now?: Date): Task[];
  /** Every request as `METHOD /path`. */
  seen: string[];
}

const PRIORITY: Record<Task['priority'], number> = { high: 0, normal: 1, low: 2 };

export function createFakeBoard(): FakeBoard {
  const tasks: Task[] = [];
  const seen: string[] = [];
  let counter = 0;

  const find = (ref: string) => tasks.find((t) => t.id === ref || t.key === ref);
  const ok = (body: unknown, status = 200): TransportResponse => ({ status, headers: {}, body });
  const fail = (status: number, code: string, message: string): TransportResponse => ({ status, headers: {}, body: { error: { code, message } } });
  const event = (task: Task, kind: Task['history'][number]['kind'], extra: Partial<Task['history'][number]> = {}) =>
    task.history.push({ at: new Date().toISOString(), kind, ...extra });

  function add(input: { title: string; body?: string; tags?: string[]; priority?: Task['priority'] }): Task {
    const at = new Date(Date.now() + counter).toISOString();
    counter += 1;
    const task: Task = {
      id: ulid(),
      key: `T-${counter}`,
      title: input.title,
      body: input.body ?? '',
      tags: input.tags ?? [],
      priority: input.priority ?? 'normal',
      for: null,
      after: [],
      status: 'todo',
      holder: null,
      leaseExpiresAt: null,
      token: 0,
      attempts: 0,
      branch: null,
      previousJobId: null,
      history: [{ at, kind: 'added' }],
      createdAt: at,
      updatedAt: at,
    };
    tasks.push(task);
    return task;
  }

  function fenced(req: TransportRequest, ref: string, token: number): Task | TransportResponse {
    const task = find(ref);
    if (task === undefined) return fail(404, 'NOT_FOUND', `no task ${ref} on the board`);
    if (task.token !== token) return fail(409, 'STALE_TOKEN', `task ${task.key} is at fencing token ${task.token}, the write carried ${token}`);
    if (task.status !== 'doing') return fail(409, 'CONFLICT', `task ${task.key} is ${task.status}, not doing`);
    void req;
    return task;
  }

  function route(req: TransportRequest): TransportResponse {
    seen.push(`${req.method} ${req.path}`);
    if (req.method === 'GET' && req.path === '/api/board') {
      const statuses = typeof req.query?.status === 'string' ? req.query.status.split(',') : null;
      const holder = req.query?.holder;
      const list = tasks.filter((t) => (statuses === null || statuses.includes(t.status)) && (holder === undefined || t.holder?.who === holder));
      return ok(sorted(list));
    }
    if (req.method === 'POST' && req.path === '/api/board') return ok(add(AddTaskRequestSchema.parse(req.body)), 201);
    if (req.method === 'POST' && req.path === '/api/board/claim') {
      const claim = ClaimTaskRequestSchema.parse(req.body);
      const names = claim.for ?? [];
      const next = sorted(tasks.filter((t) => t.status === 'todo' && (t.for === null || names.includes(t.for)) && (!claim.tags?.length || t.tags.some((tag) => claim.tags!.includes(tag)))))[0];
      if (next === undefined) return ok({ task: null });
      Object.assign(next, { status: 'doing', holder: claim.holder, token: next.token + 1, leaseExpiresAt: new Date(Date.now() + claim.leaseMs).toISOString() });
      event(next, 'claimed', { by: claim.holder.who, host: claim.holder.host, token: next.token });
      return ok({ task: structuredClone(next) });
    }
    const match = /^\/api\/board\/([^/]+)(?:\/(\w+))?$/.exec(req.path);
    if (match === null) return fail(404, 'NOT_FOUND', `no route ${req.path}`);
    const ref = decodeURIComponent(match[1]!);
    const action = match[2];
    if (req.method === 'POST' && action === 'claim') return claimNamed(ref, ClaimNamedTaskRequestSchema.parse(req.body));
    if (req.method === 'GET' && action === undefined) {
      const task = find(ref);
      return task === undefined ? fail(404, 'NOT_FOUND', `no task ${ref} on the board`) : ok(structuredClone(task));
    }
    return write(req, ref, action ?? '');
  }

  /** The hub's named claim: that task or a 409 saying why (held, not todo, for another). */
  function claimNamed(ref: string, claim: ClaimNamedTaskRequest): TransportResponse {
    const task = find(ref);
    if (task === undefined) return fail(404, 'NOT_FOUND', `no task ${ref} on the board`);
    const reason = task.holder !== null && task.status === 'doing' ? 'held' : task.status !== 'todo' ? 'not_todo' : task.for !== null && !(claim.for ?? []).includes(task.for) ? 'for_other' : null;
    if (reason !== null) return { status: 409, headers: {}, body: { error: { code: 'CONFLICT', message: `task ${task.key} cannot be claimed (${reason})`, details: { reason } } } };
    Object.assign(task, { status: 'doing', holder: claim.holder, token: task.token + 1, leaseExpiresAt: new Date(Date.now() + claim.leaseMs).toISOString() });
    event(task, 'claimed', { by: claim.holder.who, host: claim.holder.host, token: task.token });
    return ok({ task: structuredClone(task) });
  }

  function write(req: TransportRequest, ref: string, action: string): TransportResponse {
    if (action === 'renew') {
      const body = RenewTaskRequestSchema.parse(req.body);
      const task = fenced(req, ref, body.token);
      if ('status' in task && 'headers' in task) return task;
      task.leaseExpiresAt = new Date(Date.now() + body.leaseMs).toISOString();
      return ok(structuredClone(task));
    }
    if (action === 'done' || action === 'fail') {
      const body = FinishTaskRequestSchema.parse(req.body);
      const task = fenced(req, ref, body.token);
      if ('status' in task && 'headers' in task) return task;
      event(task, action === 'done' ? 'completed' : 'failed', { by: task.holder?.who, note: body.note, token: task.token });
      Object.assign(task, { status: action === 'done' ? 'done' : 'failed', holder: null, leaseExpiresAt: null, attempts: task.attempts + (action === 'fail' ? 1 : 0) });
      return ok(structuredClone(task));
    }
    if (action === 'handoff') {
      const body = HandoffTaskRequestSchema.parse(req.body);
      const task = fenced(req, ref, body.token);
      if ('status' in task && 'headers' in task) return task;
      event(task, 'handed_off', { by: task.holder?.who, note: body.note, to: body.to, token: task.token, ...(body.branch ? { branch: body.branch } : {}) });
      Object.assign(task, { status: 'todo', for: body.to, holder: null, leaseExpiresAt: null, token: task.token + 1, branch: body.branch ?? task.branch });
      return ok(structuredClone(task));
    }
    return fail(404, 'NOT_FOUND', `no route ${req.path}`);
  }

  return {
    seen,
    add,
    task: (ref) => {
      const task = find(ref);
      if (task === undefined) throw new Error(`no task ${ref}`);
      return structuredClone(task);
    },
    expireLeases: (now = new Date()) => {
      const expired = tasks.filter((t) => t.status === 'doing' && t.leaseExpiresAt !== null && Date.parse(t.leaseExpiresAt) <= now.getTime());
      for (const task of expired) {
        event(task, 'expired', { by: task.holder?.who, token: task.token });
        Object.assign(task, { status: 'todo', holder: null, leaseExpiresAt: null, token: task.token + 1 });
      }
      return expired.map((t) => structuredClone(t));
    },
    request: async (req) => route(req),
    stream: async () => {
      throw new Error('the fake board does not stream');
    },
  };
}

function sorted(list: Task[]): Task[] {
  return [...list].sort((a, b) => PRIORITY[a.priority] - PRIORITY[b.priority] || a.createdAt.localeCompare(b.createdAt));
}
