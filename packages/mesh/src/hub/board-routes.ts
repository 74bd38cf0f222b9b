/**
 * `/api/board`: the board over HTTP. Every write goes through the board store (atomic, fenced),
 * is published as `task.changed`, and obeys the hub-side scopes of `caller.ts`.
 */
import { Hono } from 'hono';
import {
  AddTaskRequestSchema,
  ClaimNamedTaskRequestSchema,
  ClaimTaskRequestSchema,
  FinishTaskRequestSchema,
  HandoffTaskRequestSchema,
  ProtocolError,
  RenewTaskRequestSchema,
  RequestChangesRequestSchema,
  ReviewDecisionRequestSchema,
  ReviewTaskRequestSchema,
  TaskHolderSchema,
  TaskListQuerySchema,
} from '@flotilla/protocol';
import type { BoardStore, Fence, ReviewDecisionInput, Task, TaskHolder } from '../board/board-store.js';
import { agentName, type AgentCaller, type Caller, type CallerOf } from './caller.js';
import type { PublishEvent } from './hub-events.js';
import { jsonBody, publishCommitted, queryOf, routeErrorHandler } from './board-routes-http.js';

export interface BoardRoutesOptions {
  store: BoardStore;
  /** Appends a hub event; the board publishes `{ type: 'task.changed', task }` after every write. */
  publish: PublishEvent;
  caller: CallerOf;
  /** The lease of a claim or renewal that names none. */
  defaultLeaseMs: number;
  /**
   * The roles an agent's session declared in its profile: the names, beside its own, that it may
   * claim tasks `for`. Without it an agent claims only tasks for itself or for nobody.
   */
  rolesOf?: (session: string) => Promise<readonly string[]>;
}

/** A claim or renewal may leave out the lease (the hub's default), and an agent its holder (itself). */
const ClaimBodySchema = ClaimTaskRequestSchema.extend({
  holder: TaskHolderSchema.optional(),
  leaseMs: ClaimTaskRequestSchema.shape.leaseMs.optional(),
});
const ClaimNamedBodySchema = ClaimNamedTaskRequestSchema.extend({
  holder: TaskHolderSchema.optional(),
  leaseMs: ClaimNamedTaskRequestSchema.shape.leaseMs.optional(),
});
const RenewBodySchema = RenewTaskRequestSchema.extend({ leaseMs: RenewTaskRequestSchema.shape.leaseMs.optional() });

/**
 * The board's routes, to mount at `/api/board`.
 *
 * @example
 * app.route('/api/board', boardRoutes({ store: board, publish, caller, defaultLeaseMs: 30 * 60_000 }));
 */
export function boardRoutes(options: BoardRoutesOptions): Hono {
  const { store, caller } = options;
  const app = new Hono();
  app.onError(routeErrorHandler);
  const changed = async (task: Task): Promise<Task> => {
    await publishCommitted(options.publish, { type: 'task.changed', task });
    return task;
  };

  app.get('/', async (c) => c.json(await store.list(queryOf(c, TaskListQuerySchema, ['status']))));
  app.post('/', async (c) => {
    const request = await jsonBody(c, AddTaskRequestSchema);
    const who = caller(c);
    const input = who.kind === 'agent' ? { ...request, proposed: true, by: agentName(who) } : { ...request, by: request.by ?? 'user' };
    return c.json(await changed(await store.add(input)), 201);
  });
  app.post('/claim', async (c) => {
    const request = await jsonBody(c, ClaimBodySchema);
    const who = caller(c);
    const holder = claimHolder(who, request.holder);
    const names = who.kind === 'agent' ? await agentClaimNames(who, request.for, options.rolesOf) : request.for;
    const leaseMs = request.leaseMs ?? options.defaultLeaseMs;
    const task = await store.claim({ holder, tags: request.tags, for: names, leaseMs });
    return c.json({ task: task === null ? null : await changed(task) });
  });
  app.get('/:ref', async (c) => c.json(await load(store, c.req.param('ref'))));
  // This one task, under the same scopes as any claim: 409 with the reason when it is not claimable.
  app.post('/:ref/claim', async (c) => {
    const request = await jsonBody(c, ClaimNamedBodySchema);
    const who = caller(c);
    const holder = claimHolder(who, request.holder);
    const names = who.kind === 'agent' ? await agentClaimNames(who, request.for, options.rolesOf) : request.for;
    const leaseMs = request.leaseMs ?? options.defaultLeaseMs;
    return c.json({ task: await changed(await store.claimNamed(c.req.param('ref'), { holder, for: names, leaseMs })) });
  });
  app.post('/:ref/renew', async (c) => {
    const { token, leaseMs } = await jsonBody(c, RenewBodySchema);
    // Published too: the dashboard shows the lease left, and a renewal is rare (a few per lease).
    return c.json(await changed(await store.renew(c.req.param('ref'), fenceOf(caller(c), token), leaseMs ?? options.defaultLeaseMs)));
  });
  app.post('/:ref/done', async (c) => {
    const { token, note } = await jsonBody(c, FinishTaskRequestSchema);
    return c.json(await changed(await store.complete(c.req.param('ref'), fenceOf(caller(c), token), note)));
  });
  app.post('/:ref/fail', async (c) => {
    const { token, note } = await jsonBody(c, FinishTaskRequestSchema);
    return c.json(await changed(await store.fail(c.req.param('ref'), fenceOf(caller(c), token), note)));
  });
  app.post('/:ref/handoff', async (c) => {
    const { token, ...handoff } = await jsonBody(c, HandoffTaskRequestSchema);
    const who = caller(c);
    const jobId = who.kind === 'agent' ? (who.jobId ?? handoff.jobId) : handoff.jobId;
    return c.json(await changed(await store.handoff(c.req.param('ref'), fenceOf(who, token), { ...handoff, ...(jobId ? { jobId } : {}) })));
  });
  // Review: the holder asks (fenced like done); a person, or the agent it is addressed to, decides.
  app.post('/:ref/review', async (c) => {
    const { token, ...review } = await jsonBody(c, ReviewTaskRequestSchema);
    const who = caller(c);
    const jobId = who.kind === 'agent' ? (who.jobId ?? review.jobId) : review.jobId;
    return c.json(await changed(await store.review(c.req.param('ref'), fenceOf(who, token), { ...review, ...(jobId ? { jobId } : {}) })));
  });
  app.post('/:ref/review/approve', async (c) => {
    const { token, note } = await jsonBody(c, ReviewDecisionRequestSchema);
    const decision = await reviewDecision(caller(c), note, options.rolesOf);
    return c.json(await changed(await store.decideReview(c.req.param('ref'), token, 'approve', decision)));
  });
  app.post('/:ref/review/changes', async (c) => {
    const { token, note } = await jsonBody(c, RequestChangesRequestSchema);
    const decision = await reviewDecision(caller(c), note, options.rolesOf);
    return c.json(await changed(await store.decideReview(c.req.param('ref'), token, 'changes', decision)));
  });
  app.post('/:ref/approve', async (c) => {
    if (caller(c).kind !== 'user') {
      throw new ProtocolError('FORBIDDEN', 'an agent cannot approve a proposed task; only a person can', {
        fix: 'ask the user to run `mesh board approve` (or approve it on the dashboard)',
      });
    }
    return c.json(await changed(await store.approve(c.req.param('ref'), 'user')));
  });

  return app;
}

/** A user claims for whoever it names; an agent claims as itself (its session, else its job), on the host its link is to — whatever host it names. */
function claimHolder(who: Caller, requested: TaskHolder | undefined): TaskHolder {
  if (who.kind === 'user') {
    if (requested === undefined) {
      throw new ProtocolError('VALIDATION_FAILED', 'holder: a claim needs a holder ({ who, host })', { fix: 'say who claims: `mesh board claim --as NAME`' });
    }
    return requested;
  }
  // The host is the link's: a daemon knows itself by its own host name, which need not be the
  // fleet's name for it (`mesh hosts add dragon` for a machine called dragon.local).
  const holder: TaskHolder = { who: agentName(who), host: who.host };
  if (who.jobId !== undefined) holder.jobId = who.jobId;
  if (requested?.sessionId !== undefined) holder.sessionId = requested.sessionId;
  return holder;
}

/**
 * The names an agent claims tasks `for`: its own name and the roles its profile declares (tasks for
 * nobody are always claimable). It may narrow them, never name another agent or a role it lacks.
 */
async function agentClaimNames(
  who: AgentCaller,
  requested: readonly string[] | undefined,
  rolesOf: BoardRoutesOptions['rolesOf'],
): Promise<string[]> {
  const self = agentName(who);
  const roles = who.session === undefined || rolesOf === undefined ? [] : await rolesOf(who.session);
  const own = [self, ...roles];
  const foreign = (requested ?? []).filter((name) => !own.includes(name));
  if (foreign.length > 0) {
    const declared = roles.length === 0 ? 'no roles declared' : `roles ${roles.join(', ')}`;
    throw new ProtocolError('FORBIDDEN', `an agent claims tasks for itself (${self}), its roles (${declared}) or nobody; not for ${foreign.join(', ')}`, {
      fix: 'claim without --for to take tasks for you or your roles; a role is declared with `cb profile --role ROLE` (or by the user)',
    });
  }
  return requested === undefined ? own : [...requested];
}

/** A person decides any review; an agent as itself, with its names (self and roles), checked by the store on the row. */
async function reviewDecision(who: Caller, note: string | undefined, rolesOf: BoardRoutesOptions['rolesOf']): Promise<ReviewDecisionInput> {
  const withNote = note === undefined ? {} : { note };
  if (who.kind === 'user') return { ...withNote, by: 'user' };
  return { ...withNote, reviewer: { who: agentName(who), names: await agentClaimNames(who, undefined, rolesOf) } };
}

/**
 * A user's write carries the token alone; an agent's must also come from the holder, checked in the
 * write's transaction: the same host, and the same job or name as far as the request tells them. A
 * request with neither is the host's daemon itself (renewing the leases of its jobs): host only.
 */
function fenceOf(who: Caller, token: number): Fence {
  if (who.kind === 'user') return token;
  const name = who.session ?? who.jobId;
  return { token, holder: { host: who.host, ...(who.jobId === undefined ? {} : { jobId: who.jobId }), ...(name === undefined ? {} : { who: name }) } };
}

async function load(store: BoardStore, ref: string): Promise<Task> {
  const task = await store.get(ref);
  if (task === null) {
    throw new ProtocolError('NOT_FOUND', `no task ${ref} on the board`, { fix: 'name a task by its key (AUTH-12) or id, as `mesh board ls` shows them' });
  }
  return task;
}
