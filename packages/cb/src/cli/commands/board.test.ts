import { describe, expect, it } from 'vitest';
import type { Task } from '@flotilla/protocol';
import { ExitError, UsageError } from '../errors.js';
import { createRelayClient, jobToken } from '../relay-client.js';
import { createMemoryTransport, reply, testStreams, NOW } from '../testing.js';
import { boardClaim, boardFinish, boardLs, NOTHING_TO_CLAIM_EXIT } from './board.js';
import { msg } from './msg.js';

const task: Task = {
  id: '01JTASKAAAAAAAAAAAAAAAAAAA', key: 'AUTH-12', title: 'fix login', body: '', tags: ['backend'], priority: 'high', for: null, after: [],
  status: 'doing', holder: { who: 'job-01jzabcdef', host: 'box' }, leaseExpiresAt: new Date(NOW + 120_000).toISOString(), token: 4, attempts: 1,
  branch: null, previousJobId: null, history: [], createdAt: new Date(NOW).toISOString(), updatedAt: new Date(NOW).toISOString(),
};

describe('cb board / cb msg', () => {
  it('should exit 3 when nothing is claimable and print the claimed task (id and token) with --json', async () => {
    const transport = createMemoryTransport({ 'POST /api/relay/board/claim': (_req: unknown, n: number) => ({ task: n === 0 ? null : task }) });
    const relay = createRelayClient(transport, jobToken({ FLOTILLA_JOB_TOKEN: 'fjt_abc' }));
    const streams = testStreams();
    const error = await boardClaim({ relay, streams, json: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExitError);
    expect((error as ExitError).exitCode).toBe(NOTHING_TO_CLAIM_EXIT);
    expect(streams.stdout.text).toBe('');
    await boardClaim({ relay, streams, json: true, tag: ['backend'] });
    expect(JSON.parse(streams.stdout.text)).toMatchObject({ id: task.id, token: 4 });
    expect(transport.requests.map((r) => [r.headers?.authorization, r.body])).toEqual([
      ['Bearer fjt_abc', {}],
      ['Bearer fjt_abc', { tags: ['backend'] }],
    ]);
  });

  it('should claim a named task, and exit 3 with the hub\'s reason when it is not claimable', async () => {
    const conflict = { error: { code: 'CONFLICT', message: 'task AUTH-12 cannot be claimed: api-2@mac holds it', details: { reason: 'held' } } };
    const transport = createMemoryTransport({ 'POST /api/relay/board/AUTH-12/claim': (_req: unknown, n: number) => (n === 0 ? { task } : reply(409, conflict)) });
    const relay = createRelayClient(transport, jobToken({ FLOTILLA_JOB_TOKEN: 'fjt_abc' }));
    const streams = testStreams();
    await boardClaim({ relay, streams, json: true, ref: 'AUTH-12' });
    expect(JSON.parse(streams.stdout.text)).toMatchObject({ key: 'AUTH-12', token: 4 });
    const error = await boardClaim({ relay, streams, json: true, ref: 'AUTH-12' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExitError);
    expect(error).toMatchObject({ exitCode: NOTHING_TO_CLAIM_EXIT, message: 'not claimed: task AUTH-12 cannot be claimed: api-2@mac holds it' });
    await expect(boardClaim({ relay, streams, ref: 'AUTH-12', tag: ['api'] })).rejects.toBeInstanceOf(UsageError);
    expect(transport.requests.map((r) => [r.path, r.body])).toEqual([
      ['/api/relay/board/AUTH-12/claim', {}],
      ['/api/relay/board/AUTH-12/claim', {}],
    ]);
  });

  it('should list with status and lease left, refuse an unknown status, and pass --token only when given', async () => {
    const transport = createMemoryTransport({ 'GET /api/relay/board': [task], 'POST /api/relay/board/AUTH-12/done': { ...task, status: 'done' } });
    const relay = createRelayClient(transport);
    const streams = testStreams({ columns: 100 });
    await boardLs({ relay, streams, status: 'doing', now: () => NOW });
    expect(streams.stdout.text).toMatchInlineSnapshot(`
      "KEY      STATUS  PRI   HOLDER              LEASE  TITLE
      AUTH-12  doing   high  job-01jzabcdef@box     2m  fix login
      "
    `);
    expect(transport.requests[0]!.query).toEqual({ status: 'doing', tag: undefined });
    await expect(boardLs({ relay, streams, status: 'busy' })).rejects.toBeInstanceOf(UsageError);
    await boardFinish({ relay, streams, ref: 'AUTH-12', outcome: 'done', note: 'fixed' });
    expect(transport.requests.at(-1)!.body).toEqual({ note: 'fixed' });
    expect(transport.requests.at(-1)!.headers).toEqual({});
  });

  it('should say a message was queued while the hub is away, and refuse a message without text', async () => {
    const transport = createMemoryTransport({ 'POST /api/relay/messages': reply(202, { queued: true, id: '01JQUEUEDAAAAAAAAAAAAAAAAA', reason: 'hub_not_connected', waitedMs: 3_000 }) });
    const streams = testStreams();
    await msg({ relay: createRelayClient(transport), streams, words: ['reviewer', 'look at AUTH-12'] });
    expect(streams.stderr.text).toBe('the hub is not connected: queued (01JQUEUEDAAAAAAAAAAAAAAAAA); it is sent when the hub is back\n');
    await expect(msg({ relay: createRelayClient(transport), streams, words: ['reviewer'] })).rejects.toBeInstanceOf(UsageError);
  });

  it('should say the hub was slow, not gone, when a reachable hub did not answer within the wait', async () => {
    const transport = createMemoryTransport({ 'POST /api/relay/channel': reply(202, { queued: true, id: '01JSLOWAAAAAAAAAAAAAAAAAAA', reason: 'hub_slow', waitedMs: 3_000 }) });
    const streams = testStreams();
    await msg({ relay: createRelayClient(transport), streams, words: ['the build is green'], channel: true });
    expect(streams.stderr.text).toBe('the hub did not answer within 3 s: queued (01JSLOWAAAAAAAAAAAAAAAAAAA); it will be sent as soon as the hub answers\n');
  });
});
