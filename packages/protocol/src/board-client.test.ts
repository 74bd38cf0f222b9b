import { describe, expect, it } from 'vitest';
import { createBoardClient } from './board-client.js';
import type { Task } from './board.js';
import { isProtocolError } from './errors.js';
import { transportAnswering } from './transport.test-data.js';

const TASK: Task = {
  id: '01JD0000000000000000000000',
  key: 'AUTH-12',
  title: 'fix the login',
  body: '',
  tags: ['auth'],
  priority: 'normal',
  for: null,
  after: [],
  status: 'doing',
  holder: { who: 'api-1', host: 'linux' },
  leaseExpiresAt: '2026-01-01T00:30:00.000Z',
  token: 3,
  attempts: 0,
  branch: null,
  previousJobId: null,
  history: [{ at: '2026-01-01T00:00:00.000Z', kind: 'added' }],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('createBoardClient', () => {
  it('should send each board operation to its route and parse the task', async () => {
    const transport = transportAnswering((req) => ({ status: 200, body: req.path.endsWith('/claim') ? { task: TASK } : TASK }));
    const board = createBoardClient(transport);
    expect(await board.claimTask({ holder: { who: 'api-1', host: 'linux' }, leaseMs: 1000 })).toEqual(TASK);
    expect(await board.claimNamedTask('AUTH-12', { holder: { who: 'api-1', host: 'linux' }, leaseMs: 1000 })).toEqual(TASK);
    await board.renewTask('AUTH-12', { token: 3, leaseMs: 1000 });
    await board.completeTask('AUTH-12', { token: 3, note: 'merged' });
    await board.failTask('AUTH-12', { token: 3, note: 'no' });
    await board.handoffTask('AUTH 12', { token: 3, to: '@reviewer', note: 'review it' });
    await board.approveTask('AUTH-12');
    await board.reviewTask('AUTH-12', { token: 3, note: 'please look', to: 'reviewer' });
    await board.approveReview('AUTH-12', { token: 4 });
    await board.requestChanges('AUTH-12', { token: 4, note: 'tests missing' });
    await board.getTask('AUTH-12');
    expect(transport.seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/board/claim',
      'POST /api/board/AUTH-12/claim',
      'POST /api/board/AUTH-12/renew',
      'POST /api/board/AUTH-12/done',
      'POST /api/board/AUTH-12/fail',
      'POST /api/board/AUTH%2012/handoff',
      'POST /api/board/AUTH-12/approve',
      'POST /api/board/AUTH-12/review',
      'POST /api/board/AUTH-12/review/approve',
      'POST /api/board/AUTH-12/review/changes',
      'GET /api/board/AUTH-12',
    ]);
    expect(transport.seen.slice(7, 10).map((r) => r.body)).toEqual([
      { token: 3, note: 'please look', to: 'reviewer' },
      { token: 4 },
      { token: 4, note: 'tests missing' },
    ]);
  });

  it('should answer a claim with nothing claimable as null', async () => {
    const board = createBoardClient(transportAnswering(() => ({ status: 200, body: { task: null } })));
    expect(await board.claimTask({ holder: { who: 'a', host: 'h' }, leaseMs: 1 })).toBeNull();
  });

  it('should send several statuses comma-separated', async () => {
    const transport = transportAnswering(() => ({ status: 200, body: [TASK] }));
    await createBoardClient(transport).listTasks({ status: ['todo', 'doing'], tag: 'auth' });
    expect(transport.seen[0]?.query).toEqual({ status: 'todo,doing', tag: 'auth', for: undefined, holder: undefined });
  });

  it('should reject a stale token as a STALE_TOKEN ProtocolError', async () => {
    const envelope = { error: { code: 'STALE_TOKEN', message: 'task AUTH-12 is at fencing token 4', fix: 'stop' } };
    const board = createBoardClient(transportAnswering(() => ({ status: 409, body: envelope })));
    const error = await board.completeTask('AUTH-12', { token: 3, note: '' }).catch((e: unknown) => e);
    expect(isProtocolError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'STALE_TOKEN', status: 409, fix: 'stop' });
  });

  it('should reject a named claim that is not claimable as a CONFLICT carrying the reason', async () => {
    const envelope = { error: { code: 'CONFLICT', message: 'task AUTH-12 is held by api-2@mac', details: { reason: 'held' } } };
    const board = createBoardClient(transportAnswering(() => ({ status: 409, body: envelope })));
    const error = await board.claimNamedTask('AUTH-12', { holder: { who: 'a', host: 'h' }, leaseMs: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFLICT', status: 409, details: { reason: 'held' } });
  });
});
