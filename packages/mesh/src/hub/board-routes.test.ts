import { describe, expect, it } from 'vitest';
import { createBoardClient, isProtocolError, type BoardClient } from '@flotilla/protocol';
import { createSqliteBoardStore } from '../board/sqlite-board-store.js';
import type { BoardStore } from '../board/board-store.js';
import { callerFromTestHeader, serveRoutes, tempHubDb, type ServedRoutes } from '../test-support/hub-routes.test-support.js';
import { boardRoutes } from './board-routes.js';
import type { Caller } from './caller.js';
import type { HubEventInput } from './hub-events.js';

const LEASE_MS = 60_000;

interface ServedBoardOptions {
  /** Wraps the store the routes use (the test keeps the real one). */
  wrap?: (store: BoardStore) => BoardStore;
  roles?: Record<string, string[]>;
}

async function servedBoard(
  options: ServedBoardOptions = {},
): Promise<{ store: BoardStore; served: ServedRoutes; events: HubEventInput[]; client: (caller?: Caller) => BoardClient } & AsyncDisposable> {
  const db = tempHubDb();
  const store = createSqliteBoardStore({ path: db.path });
  const events: HubEventInput[] = [];
  const publish = async (event: HubEventInput) => void events.push(event);
  const rolesOf = async (session: string) => options.roles?.[session] ?? [];
  const routes = boardRoutes({ store: options.wrap?.(store) ?? store, publish, caller: callerFromTestHeader, defaultLeaseMs: LEASE_MS, rolesOf });
  const served = await serveRoutes((app) => app.route('/api/board', routes));
  return {
    store,
    served,
    events,
    client: (caller) => createBoardClient(served.transport(caller)),
    [Symbol.asyncDispose]: async () => {
      await served.close();
      await store.close();
      db[Symbol.dispose]();
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isProtocolError(error)) throw new Error(`expected a protocol error, got ${String(error)}`);
  return { code: error.code, status: error.status, message: error.message };
}

const agent = (host: string, extra: Partial<Extract<Caller, { kind: 'agent' }>> = {}): Caller => ({ kind: 'agent', host, ...extra });

describe('boardRoutes', () => {
  it('should give each of 200 tasks to exactly one of 16 concurrent HTTP claimers', async () => {
    await using hub = await servedBoard();
    const user = hub.client();
    for (let i = 0; i < 200; i += 1) await user.addTask({ title: `task ${i}`, tags: ['race'] });
    const claimed: string[] = [];
    const claimer = async (n: number) => {
      const board = hub.client();
      for (;;) {
        const task = await board.claimTask({ holder: { who: `c${n}`, host: 'h' }, tags: ['race'], leaseMs: LEASE_MS });
        if (task === null) return;
        claimed.push(task.id);
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, n) => claimer(n)));
    expect(claimed).toHaveLength(200);
    expect(new Set(claimed).size).toBe(200);
    expect(await user.listTasks({ status: ['todo'] })).toEqual([]);
    expect(hub.events.filter((e) => e.type === 'task.changed')).toHaveLength(400);
  });

  it('should refuse a write with a stale token with 409 STALE_TOKEN, and an unknown task with 404', async () => {
    await using hub = await servedBoard();
    const board = hub.client();
    await board.addTask({ title: 'contended', tags: ['auth'] });
    const first = (await board.claimTask({ holder: { who: 'slow', host: 'h' }, leaseMs: 1 }))!;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await hub.store.expireLeases(new Date());
    const second = (await board.claimTask({ holder: { who: 'fast', host: 'h' }, leaseMs: LEASE_MS }))!;
    expect(second.token).toBe(first.token + 2);
    expect(await refusal(board.completeTask(first.key, { token: first.token, note: 'late' }))).toMatchObject({ code: 'STALE_TOKEN', status: 409 });
    expect(await refusal(board.getTask('NOPE-1'))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(await refusal(board.renewTask('NOPE-1', { token: 1, leaseMs: 5 }))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(await refusal(board.renewTask(first.key, { token: first.token, leaseMs: LEASE_MS }))).toMatchObject({ code: 'STALE_TOKEN' });
    const renewed = await board.renewTask(second.key, { token: second.token, leaseMs: 2 * LEASE_MS });
    expect(hub.events.at(-1)).toEqual({ type: 'task.changed', task: renewed });
    expect((await board.completeTask(second.id, { token: second.token, note: 'merged' })).status).toBe('done');
  });

  it('should list by several statuses, tag, for and holder, and show a task by key or id', async () => {
    await using hub = await servedBoard();
    const board = hub.client();
    const a = await board.addTask({ title: 'a', tags: ['api'], for: 'reviewer' });
    await board.addTask({ title: 'b', tags: ['ui'], proposed: true });
    await board.claimTask({ holder: { who: 'w1', host: 'h' }, tags: ['ui'], leaseMs: LEASE_MS });
    expect((await board.listTasks({ status: ['todo', 'proposed'] })).map((t) => t.title)).toEqual(['a', 'b']);
    expect((await board.listTasks({ tag: 'ui' })).map((t) => t.title)).toEqual(['b']);
    expect((await board.listTasks({ for: 'reviewer' })).map((t) => t.key)).toEqual([a.key]);
    expect((await board.getTask(a.key)).id).toBe(a.id);
    const res = await fetch(`${hub.served.url}/api/board?status=todo&status=proposed`, { headers: { authorization: `Bearer ${hub.served.token}` } });
    expect(((await res.json()) as unknown[]).length).toBe(2);
    expect(await refusal(board.listTasks({ status: ['nope' as 'todo'] }))).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
  });

  it('should hand off with the branch and the job, then let the named session claim it', async () => {
    await using hub = await servedBoard();
    const board = hub.client();
    await board.addTask({ title: 'implement', tags: ['api'] });
    const held = (await board.claimTask({ holder: { who: 'impl', host: 'h', jobId: 'J1' }, leaseMs: LEASE_MS }))!;
    const handed = await board.handoffTask(held.key, { token: held.token, to: 'reviewer', note: 'please review', branch: 'flotilla/auth' });
    expect(handed).toMatchObject({ status: 'todo', for: 'reviewer', branch: 'flotilla/auth', previousJobId: 'J1' });
    expect(await board.claimTask({ holder: { who: 'other', host: 'h' }, for: ['other'], leaseMs: LEASE_MS })).toBeNull();
    expect((await board.claimTask({ holder: { who: 'rev', host: 'h' }, for: ['rev', 'reviewer'], leaseMs: LEASE_MS }))?.key).toBe(held.key);
  });

  describe('scopes', () => {
    it('should create an agent\'s task as proposed, refuse its approval and let the user approve it', async () => {
      await using hub = await servedBoard();
      const robot = hub.client(agent('linux', { session: 'api-1' }));
      const proposed = await robot.addTask({ title: 'refactor auth', tags: ['auth'] });
      expect(proposed).toMatchObject({ status: 'proposed', history: [{ kind: 'added', by: 'api-1' }] });
      expect(await robot.claimTask({ holder: { who: 'api-1', host: 'linux' }, leaseMs: LEASE_MS })).toBeNull();
      expect(await refusal(robot.approveTask(proposed.key))).toMatchObject({ code: 'FORBIDDEN', status: 403 });
      expect((await hub.client().approveTask(proposed.key)).status).toBe('todo');
    });

    it('should fill an agent\'s holder from its identity, with its link\'s host whatever host its daemon names', async () => {
      await using hub = await servedBoard();
      await hub.client().addTask({ title: 'one' });
      await hub.client().addTask({ title: 'two' });
      await hub.client().addTask({ title: 'three' });
      const robot = hub.client(agent('linux', { session: 'api-1', jobId: 'JOB1' }));
      const named = (await robot.claimTask({ holder: { who: 'x', host: 'linux.local' }, leaseMs: LEASE_MS }))!;
      expect(named.holder).toEqual({ who: 'api-1', host: 'linux', jobId: 'JOB1' });
      const task = (await robot.claimTask({ holder: { who: 'someone-else', host: 'linux', jobId: 'OTHER' }, leaseMs: LEASE_MS }))!;
      expect(task.holder).toEqual({ who: 'api-1', host: 'linux', jobId: 'JOB1' });
      const res = await fetch(`${hub.served.url}/api/board/claim`, {
        method: 'POST',
        headers: { authorization: `Bearer ${hub.served.token}`, 'x-test-caller': JSON.stringify(agent('mac', { jobId: 'J9' })), 'content-type': 'application/json' },
        body: '{}',
      });
      expect(((await res.json()) as { task: { holder: unknown; leaseExpiresAt: string } }).task.holder).toEqual({ who: 'J9', host: 'mac', jobId: 'J9' });
    });

    it('should refuse an agent writing into another host\'s holding even with the right token', async () => {
      await using hub = await servedBoard();
      await hub.client().addTask({ title: 'one' });
      const held = (await hub.client(agent('linux', { session: 'api-1' })).claimTask({ holder: { who: 'api-1', host: 'linux' }, leaseMs: LEASE_MS }))!;
      const intruder = hub.client(agent('mac', { session: 'ios-1' }));
      expect(await refusal(intruder.completeTask(held.key, { token: held.token, note: 'mine now' }))).toMatchObject({ code: 'FORBIDDEN' });
      expect(await refusal(intruder.completeTask(held.key, { token: held.token + 1, note: 'guess' }))).toMatchObject({ code: 'STALE_TOKEN' });
      expect((await hub.client(agent('linux', { session: 'api-1' })).completeTask(held.key, { token: held.token, note: 'ok' })).status).toBe('done');
    });
  });

  describe('agent claims are scoped to the agent', () => {
    it('should refuse an agent claiming for another agent or a role it lacks, in words', async () => {
      await using hub = await servedBoard({ roles: { 'api-1': ['reviewer'] } });
      await hub.client().addTask({ title: 'theirs', for: 'api-2' });
      const robot = hub.client(agent('linux', { session: 'api-1', jobId: 'J1' }));
      const refused = await refusal(robot.claimTask({ holder: { who: 'api-1', host: 'linux' }, for: ['api-2'], leaseMs: LEASE_MS }));
      expect(refused).toMatchObject({ code: 'FORBIDDEN', status: 403 });
      expect(refused.message).toMatchInlineSnapshot(`"an agent claims tasks for itself (api-1), its roles (roles reviewer) or nobody; not for api-2"`);
      expect((await refusal(robot.claimTask({ for: ['api-1', 'admin'], leaseMs: LEASE_MS }))).message).toContain('not for admin');
      expect(await hub.store.list({ status: ['doing'] })).toEqual([]);
    });

    it('should give an agent tasks for itself, its roles and nobody, never another agent\'s', async () => {
      await using hub = await servedBoard({ roles: { 'api-1': ['reviewer'] } });
      const user = hub.client();
      await user.addTask({ title: 'for api-2', for: 'api-2', priority: 'high' });
      await user.addTask({ title: 'for the writers', for: 'writer', priority: 'high' });
      await user.addTask({ title: 'for api-1', for: 'api-1' });
      await user.addTask({ title: 'for reviewers', for: 'reviewer' });
      await user.addTask({ title: 'for anyone', priority: 'low' });
      const robot = hub.client(agent('linux', { session: 'api-1' }));
      const titles: string[] = [];
      for (let task = await robot.claimTask({ leaseMs: LEASE_MS }); task; task = await robot.claimTask({ leaseMs: LEASE_MS })) titles.push(task.title);
      expect(titles).toEqual(['for api-1', 'for reviewers', 'for anyone']);
      const job = hub.client(agent('mac', { jobId: 'J7' }));
      expect(await job.claimTask({ for: ['J7'], leaseMs: LEASE_MS })).toBeNull();
      expect((await refusal(job.claimTask({ for: ['writer'], leaseMs: LEASE_MS }))).message).toContain('no roles declared');
      expect((await user.claimTask({ holder: { who: 'api-2', host: 'h' }, for: ['api-2'], leaseMs: LEASE_MS }))?.title).toBe('for api-2');
    });

    it('should refuse a non-holder\'s write even when the task is re-claimed between its check and its write', async () => {
      // The store the routes use re-claims the task for another agent just before each write goes
      // in: a holder check made by a separate read before the write would pass a guessed next token.
      let reclaim: (() => Promise<unknown>) | null = null;
      const interleaved = (store: BoardStore): BoardStore => ({
        ...store,
        complete: async (ref, fence, note) => {
          await reclaim?.();
          return store.complete(ref, fence, note);
        },
      });
      await using hub = await servedBoard({ wrap: interleaved });
      await hub.client().addTask({ title: 'contended' });
      const first = (await hub.client(agent('linux', { session: 'slow', jobId: 'J1' })).claimTask({ leaseMs: 1 }))!;
      reclaim = async () => {
        reclaim = null;
        await hub.store.expireLeases(new Date(Date.now() + 60_000));
        await hub.store.claim({ holder: { who: 'rightful', host: 'linux', jobId: 'J2' }, leaseMs: LEASE_MS });
      };
      const intruder = hub.client(agent('linux', { session: 'intruder', jobId: 'J3' }));
      const refused = await refusal(intruder.completeTask(first.key, { token: first.token + 2, note: 'guessed the next token' }));
      expect(refused).toMatchObject({ code: 'FORBIDDEN', status: 403 });
      expect(refused.message).toContain('held by rightful on linux');
      expect(await hub.store.get(first.key)).toMatchObject({ status: 'doing', holder: { who: 'rightful' }, token: first.token + 2 });
    });

    it('should let the holder\'s daemon (no job or session named) renew its host\'s holdings, not another host\'s', async () => {
      await using hub = await servedBoard();
      await hub.client().addTask({ title: 'one' });
      const held = (await hub.client(agent('linux', { jobId: 'J1' })).claimTask({ leaseMs: LEASE_MS }))!;
      expect(held.holder).toEqual({ who: 'J1', host: 'linux', jobId: 'J1' });
      expect((await hub.client(agent('linux')).renewTask(held.key, { token: held.token, leaseMs: 2 * LEASE_MS })).status).toBe('doing');
      expect(await refusal(hub.client(agent('mac')).renewTask(held.key, { token: held.token, leaseMs: LEASE_MS }))).toMatchObject({ code: 'FORBIDDEN' });
      expect(await refusal(hub.client(agent('linux', { session: 'other' })).renewTask(held.key, { token: held.token, leaseMs: LEASE_MS }))).toMatchObject({ code: 'FORBIDDEN' });
    });

    it('should let only the holder finish among concurrent writers on the same host', async () => {
      await using hub = await servedBoard();
      await hub.client().addTask({ title: 'one' });
      const holderCaller = agent('linux', { session: 'api-1', jobId: 'J1' });
      const held = (await hub.client(holderCaller).claimTask({ leaseMs: LEASE_MS }))!;
      const writers = ['api-2', 'api-3', 'api-4', 'api-1'].map((session, n) => hub.client(agent('linux', { session, jobId: `J${n + 2}` })));
      writers[3] = hub.client(holderCaller);
      const outcomes = await Promise.all(writers.map((w) => w.completeTask(held.key, { token: held.token, note: 'mine' }).then(() => 'done', (e: unknown) => (isProtocolError(e) ? e.code : String(e)))));
      expect(outcomes).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'done']);
      expect((await hub.store.get(held.key))?.history.at(-1)).toMatchObject({ kind: 'completed', by: 'api-1' });
    });
  });

  describe('claiming a named task', () => {
    it('should claim that task for the user as named, publish it once, and refuse it with 409 and the reason afterwards', async () => {
      await using hub = await servedBoard();
      const user = hub.client();
      await user.addTask({ title: 'better', priority: 'high' });
      const named = await user.addTask({ title: 'this one', tags: ['auth'] });
      const before = hub.events.length;
      const task = await user.claimNamedTask('auth-1', { holder: { who: 'director', host: 'h' }, leaseMs: LEASE_MS });
      expect(task).toMatchObject({ id: named.id, status: 'doing', token: 1, holder: { who: 'director', host: 'h' } });
      expect(hub.events.slice(before)).toEqual([{ type: 'task.changed', task }]);
      const error = await user.claimNamedTask('AUTH-1', { holder: { who: 'other', host: 'h' }, leaseMs: LEASE_MS }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CONFLICT', status: 409, details: { reason: 'held' } });
      expect((error as Error).message).toMatch(/^task AUTH-1 cannot be claimed: director@h holds it/);
      expect(await refusal(user.claimNamedTask('NOPE-1', { holder: { who: 'x', host: 'h' }, leaseMs: LEASE_MS }))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
      expect(hub.events.slice(before)).toHaveLength(1);
    });

    it('should scope an agent\'s named claim as any claim: for itself, its roles or nobody, never another\'s', async () => {
      await using hub = await servedBoard({ roles: { 'api-1': ['reviewer'] } });
      const user = hub.client();
      const theirs = await user.addTask({ title: 'for api-2', for: 'api-2' });
      const review = await user.addTask({ title: 'for reviewers', for: 'reviewer' });
      const robot = hub.client(agent('linux', { session: 'api-1', jobId: 'J1' }));
      const self = { holder: { who: 'api-1', host: 'linux' }, leaseMs: LEASE_MS };
      expect(await robot.claimNamedTask(theirs.key, self).catch((e: unknown) => e)).toMatchObject({ code: 'CONFLICT', details: { reason: 'for_other' } });
      expect(await refusal(robot.claimNamedTask(theirs.key, { ...self, for: ['api-2'] }))).toMatchObject({ code: 'FORBIDDEN', status: 403 });
      const claimed = await robot.claimNamedTask(review.key, { ...self, holder: { who: 'api-1', host: 'linux.local' } });
      expect(claimed.holder).toEqual({ who: 'api-1', host: 'linux', jobId: 'J1' });
      expect((await hub.store.get(theirs.id))?.status).toBe('todo');
    });
  });

  describe('review', () => {
    it('should take a holder\'s task to review with its note, and let the user approve it into done', async () => {
      await using hub = await servedBoard();
      const user = hub.client();
      await user.addTask({ title: 'implement', tags: ['api'] });
      const robot = hub.client(agent('linux', { session: 'impl', jobId: 'J1' }));
      const held = (await robot.claimTask({ holder: { who: 'impl', host: 'linux' }, leaseMs: LEASE_MS }))!;
      const inReview = await robot.reviewTask(held.key, { token: held.token, note: 'ready, see the branch', to: 'reviewer', branch: 'flotilla/api' });
      expect(inReview).toMatchObject({ status: 'review', holder: null, leaseExpiresAt: null, for: 'reviewer', token: held.token + 1, branch: 'flotilla/api', previousJobId: 'J1' });
      expect(inReview.history.at(-1)).toMatchObject({ kind: 'review_requested', by: 'impl', note: 'ready, see the branch', to: 'reviewer' });
      // The lease is gone: the old token is refused, and nobody claims a task in review.
      expect(await refusal(robot.completeTask(held.key, { token: held.token, note: 'sneak' }))).toMatchObject({ code: 'STALE_TOKEN', status: 409 });
      expect(await user.claimTask({ holder: { who: 'rev', host: 'h' }, for: ['rev', 'reviewer'], leaseMs: LEASE_MS })).toBeNull();
      expect((await user.listTasks({ status: ['review'] })).map((task) => task.key)).toEqual([held.key]);
      expect(await refusal(user.approveReview(held.key, { token: held.token }))).toMatchObject({ code: 'STALE_TOKEN' });
      const done = await user.approveReview(held.key, { token: inReview.token, note: 'lgtm' });
      expect(done).toMatchObject({ status: 'done' });
      expect(done.history.at(-1)).toMatchObject({ kind: 'review_approved', by: 'user', note: 'lgtm' });
      expect(await refusal(user.requestChanges(held.key, { token: inReview.token, note: 'late' }))).toMatchObject({ code: 'CONFLICT', status: 409 });
      expect(hub.events.filter((e) => e.type === 'task.changed').map((e) => (e.task as { status: string }).status)).toEqual(['todo', 'doing', 'review', 'done']);
    });

    it('should let only the agent the review is addressed to decide it, never its author, and send changes back to the author', async () => {
      await using hub = await servedBoard({ roles: { 'rev-1': ['reviewer'], impl: ['reviewer'] } });
      await hub.client().addTask({ title: 'implement' });
      await hub.client().addTask({ title: 'unrelated' });
      const author = hub.client(agent('linux', { session: 'impl' }));
      const held = (await author.claimTask({ holder: { who: 'impl', host: 'linux' }, leaseMs: LEASE_MS }))!;
      const inReview = await author.reviewTask(held.key, { token: held.token, note: 'ready', to: 'reviewer' });
      const stranger = hub.client(agent('mac', { session: 'ios-1' }));
      expect(await refusal(stranger.approveReview(held.key, { token: inReview.token }))).toMatchObject({ code: 'FORBIDDEN', status: 403 });
      expect(await refusal(author.approveReview(held.key, { token: inReview.token }))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('asked for the review') });
      const reviewer = hub.client(agent('mac', { session: 'rev-1' }));
      const back = await reviewer.requestChanges(held.key, { token: inReview.token, note: 'add a test' });
      expect(back).toMatchObject({ status: 'todo', for: 'impl' });
      expect(back.history.at(-1)).toMatchObject({ kind: 'changes_requested', by: 'rev-1', note: 'add a test', to: 'impl' });
      expect((await stranger.claimTask({ holder: { who: 'ios-1', host: 'mac' }, leaseMs: LEASE_MS }))?.title).toBe('unrelated');
      expect((await author.claimTask({ holder: { who: 'impl', host: 'linux' }, leaseMs: LEASE_MS }))?.key).toBe(held.key);
      expect(await refusal(hub.client().requestChanges(held.key, { token: inReview.token, note: '' }))).toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  it('should answer a malformed body with 400 in words', async () => {
    await using hub = await servedBoard();
    const res = await fetch(`${hub.served.url}/api/board`, { method: 'POST', headers: { authorization: `Bearer ${hub.served.token}` }, body: '{nope' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'the request body is not valid JSON' } });
    expect(await refusal(hub.client().addTask({ title: '' }))).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('title') });
  });
});
