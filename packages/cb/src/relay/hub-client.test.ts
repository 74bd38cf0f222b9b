import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isProtocolError, TaskSchema } from '@flotilla/protocol';
import { startHubStandIn, type HubStandIn } from '../e2e/hub-stand-in.js';
import { createSqliteStore } from '../store/sqlite-store.js';
import type { JobStore } from '../store/types.js';
import { createHubClient } from './hub-client.js';
import { createOutbox } from './outbox.js';

let hub: HubStandIn | null = null;
let slowHub: Server | null = null;
let store: JobStore | null = null;
afterEach(async () => {
  await hub?.close();
  await store?.close();
  await new Promise((resolve) => (slowHub ? slowHub.close(resolve) : resolve(undefined)));
  slowHub = null;
  hub = null;
  store = null;
});

describe('the hub client', () => {
  it('should try hub.sock, then mesh.sock (a stale hub.sock file too), and say in words when neither answers', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cb-hub-'));
    const client = createHubClient({ home });
    const error = await client.request({ method: 'GET', path: '/api/board' }).catch((e: unknown) => e);
    expect(isProtocolError(error) && [error.code, error.status, error.message]).toEqual([
      'HUB_UNAVAILABLE',
      503,
      `the hub is not connected to this host; board calls need it (nothing listens on ${join(home, 'hub.sock')} or ${join(home, 'mesh.sock')})`,
    ]);
    writeFileSync(join(home, 'hub.sock'), '');
    hub = await startHubStandIn(join(home, 'mesh.sock'));
    expect(await client.call(TaskSchema.array(), { method: 'GET', path: '/api/board' })).toEqual([]);
    const refused = await client.call(TaskSchema, { method: 'GET', path: '/api/board/NOPE-1' }).catch((e: unknown) => e);
    expect(isProtocolError(refused) && [refused.code, refused.message]).toEqual(['NOT_FOUND', 'no task NOPE-1']);
  });

  it('should set aside a message the hub refuses (4xx) and still send the ones behind it, in order', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cb-hub-'));
    store = createSqliteStore({ path: join(home, 'flotilla.db'), host: 'box' });
    hub = await startHubStandIn(join(home, 'hub.sock'));
    const outbox = createOutbox({ store, hub: createHubClient({ home }), timing: { retryBaseMs: 50, retryMaxMs: 200 } });
    const bad = await outbox.send('/api/messages', { to: 'x' }, {});
    const good = await outbox.send('/api/messages', { to: 'x', text: 'hello', from: 'user' }, { 'x-flotilla-agent-host': 'box' });
    outbox.close();
    expect(bad.sent && bad.response.status).toBe(400);
    expect(good.sent && good.response.status).toBe(201);
    expect(hub.messages.map((m) => m.text)).toEqual(['hello']);
    expect(await store.pendingMessages(10)).toEqual([]);
    expect(hub.requests.map((r) => [r.headers['x-flotilla-agent-host'] ?? null, r.headers['x-flotilla-idempotency-key']?.length])).toEqual([
      [null, 26],
      ['box', 26],
    ]);
  });

  it('should say why a message is still queued: no hub connected, a hub asking to retry, or a hub slower than the wait', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cb-hub-'));
    store = createSqliteStore({ path: join(home, 'flotilla.db'), host: 'box' });
    const timing = { retryBaseMs: 50, retryMaxMs: 200, sendWaitMs: 300 };
    const outbox = createOutbox({ store, hub: createHubClient({ home }), timing });
    const message = { to: 'x', text: 'hello', from: 'user' };
    expect(await outbox.send('/api/messages', message, {})).toMatchObject({ sent: false, reason: 'hub_not_connected', waitedMs: 300 });
    let delayMs = 0;
    let status = 503;
    slowHub = createServer((req, res) => {
      req.resume();
      setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'M1', to: 'x' })), delayMs);
    });
    await new Promise<void>((resolve) => slowHub!.listen(join(home, 'hub.sock'), resolve));
    expect(await outbox.send('/api/messages', message, {})).toMatchObject({ sent: false, reason: 'hub_busy' });
    [delayMs, status] = [1_000, 201];
    expect(await outbox.send('/api/messages', message, {})).toMatchObject({ sent: false, reason: 'hub_slow', waitedMs: 300 });
    // The slow hub's answers still arrive: every message is sent, none waits.
    for (let i = 0; i < 50 && (await store.pendingMessages(10)).length > 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 200));
    outbox.close();
    expect(await store.pendingMessages(10)).toEqual([]);
  });
});
