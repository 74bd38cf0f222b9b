import { describe, expect, it } from 'vitest';
import { createMeshClient, isProtocolError, type Message, type MeshClient } from '@flotilla/protocol';
import { callerFromTestHeader, serveRoutes, tempHubDb } from '../test-support/hub-routes.test-support.js';
import type { Caller } from './caller.js';
import type { HubEventInput } from './hub-events.js';
import { startMessageDelivery } from './message-delivery.js';
import { channelRoutes, messageRoutes } from './message-routes.js';
import { createSqliteMessageStore } from './message-sqlite-store.js';
import { createTargetResolver } from './message-targets.js';
import { createSqliteProfileStore } from './profile-store.js';

/** A fleet of sessions that are up or down; delivering into a down one fails as an unreachable host would. */
function fakeFleet() {
  const up = new Map<string, string>();
  const received: Array<{ host: string; session: string; text: string }> = [];
  return {
    up,
    received,
    sessionHost: async (session: string) => up.get(session) ?? null,
    deliver: async (host: string, session: string, text: string) => {
      if (up.get(session) !== host) throw new Error(`session ${session} is not running on ${host}`);
      received.push({ host, session, text });
    },
  };
}

async function messagingHub(options: { retryMs?: number } = {}) {
  const db = tempHubDb();
  const store = createSqliteMessageStore({ path: db.path });
  const profiles = createSqliteProfileStore({ path: db.path });
  const fleet = fakeFleet();
  const events: HubEventInput[] = [];
  const publish = async (event: HubEventInput) => void events.push(event);
  const resolveTarget = createTargetResolver({ profiles, sessionHost: fleet.sessionHost });
  const messenger = startMessageDelivery({ store, resolveTarget, deliver: fleet.deliver, publish, retryMs: options.retryMs ?? 60_000 });
  const served = await serveRoutes((app) => {
    app.route('/api/messages', messageRoutes({ store, messenger, caller: callerFromTestHeader }));
    app.route('/api/channel', channelRoutes({ store, messenger, caller: callerFromTestHeader }));
  });
  return {
    db,
    store,
    profiles,
    fleet,
    events,
    messenger,
    client: (caller?: Caller): MeshClient => createMeshClient(served.transport(caller)),
    [Symbol.asyncDispose]: async () => {
      await served.close();
      await messenger.stop();
      await store.close();
      await profiles.close();
      db[Symbol.dispose]();
    },
  };
}

const states = (message: Message | null | undefined) => Object.fromEntries((message?.deliveries ?? []).map((d) => [d.session, d.state]));

describe('messages', () => {
  it('should store a message before answering 201, even while its delivery hangs', async () => {
    const db = tempHubDb();
    const store = createSqliteMessageStore({ path: db.path });
    let release = (): void => undefined;
    const deliver = () => new Promise<void>((resolve) => (release = resolve));
    const messenger = startMessageDelivery({ store, resolveTarget: async (to) => [{ session: to, host: 'linux' }], deliver, publish: async () => undefined, retryMs: 60_000 });
    await using served = await serveRoutes((app) => app.route('/api/messages', messageRoutes({ store, messenger, caller: callerFromTestHeader })));
    const sent = await createMeshClient(served.transport()).sendMessage({ to: 'api-1', text: 'rebase on main' });
    const peer = createSqliteMessageStore({ path: db.path });
    expect(states(await peer.get(sent.id))).toEqual({ 'api-1': 'queued' });
    release();
    await messenger.settled();
    expect((await peer.get(sent.id))?.deliveries[0]).toMatchObject({ state: 'delivered', attempts: 1, deliveredAt: expect.any(String) });
    await messenger.stop();
    await peer.close();
    await store.close();
    db[Symbol.dispose]();
  });

  it('should deliver with a receipt and say who sent it', async () => {
    await using hub = await messagingHub();
    hub.fleet.up.set('api-1', 'linux');
    const sent = await hub.client({ kind: 'agent', host: 'mac', session: 'reviewer-1' }).sendMessage({ to: 'api-1', text: 'AUTH-12 looks good', from: 'forged' });
    expect(sent).toMatchObject({ from: 'reviewer-1', fromHost: 'mac', to: 'api-1', seq: null });
    await hub.messenger.settled();
    expect(hub.fleet.received).toEqual([{ host: 'linux', session: 'api-1', text: '[message from reviewer-1 — reply: cb msg reviewer-1 "…"] AUTH-12 looks good' }]);
    const [listed] = await hub.client().listMessages({ to: 'api-1' });
    expect(listed?.deliveries).toEqual([{ session: 'api-1', host: 'linux', state: 'delivered', attempts: 1, deliveredAt: expect.any(String), error: null }]);
    expect(hub.events.map((e) => e.type)).toEqual(['message.created', 'message.updated']);
  });

  it('should keep a message for a session that is down and deliver it, in order, when poked', async () => {
    await using hub = await messagingHub();
    const user = hub.client();
    const first = await user.sendMessage({ to: 'api-1', text: 'first' });
    await user.sendMessage({ to: 'api-1', text: 'second' });
    await hub.messenger.settled();
    const waiting = await hub.store.get(first.id);
    expect(waiting?.deliveries[0]).toMatchObject({ state: 'queued', error: 'session api-1 is not running on any host' });
    expect(waiting?.deliveries[0]?.attempts).toBeGreaterThanOrEqual(1);
    hub.fleet.up.set('api-1', 'linux');
    hub.messenger.poke('api-1');
    await hub.messenger.settled();
    expect(hub.fleet.received.map((r) => r.text)).toEqual(['[message from user] first', '[message from user] second']);
    expect((await user.listMessages({ to: 'api-1' })).map(states)).toEqual([{ 'api-1': 'delivered' }, { 'api-1': 'delivered' }]);
  });

  it('should retry a failed delivery with backoff without being poked', async () => {
    await using hub = await messagingHub({ retryMs: 20 });
    const sent = await hub.client().sendMessage({ to: 'api-1', text: 'ping' });
    await hub.messenger.settled();
    hub.fleet.up.set('api-1', 'linux');
    const deadline = Date.now() + 5_000;
    while (states(await hub.store.get(sent.id))['api-1'] !== 'delivered' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(states(await hub.store.get(sent.id))).toEqual({ 'api-1': 'delivered' });
  });

  it('should send to every session holding a role', async () => {
    await using hub = await messagingHub();
    await hub.profiles.declare('rev-1', 'linux', { roles: ['reviewer'] });
    await hub.profiles.declare('rev-2', 'mac', { roles: ['reviewer'] });
    await hub.profiles.declare('api-1', 'linux', { roles: ['backend'] });
    hub.fleet.up.set('rev-1', 'linux').set('rev-2', 'mac');
    const sent = await hub.client().sendMessage({ to: '@reviewer', text: 'who takes AUTH-12?' });
    expect(states(sent)).toEqual({ 'rev-1': 'queued', 'rev-2': 'queued' });
    await hub.messenger.settled();
    expect(hub.fleet.received.map((r) => `${r.session}: ${r.text}`)).toEqual([
      'rev-1: [message from user to @reviewer] who takes AUTH-12?',
      'rev-2: [message from user to @reviewer] who takes AUTH-12?',
    ]);
  });

  it('should refuse a target that is neither a session nor a role', async () => {
    await using hub = await messagingHub();
    const error = await hub.client().sendMessage({ to: 'not a name', text: 'x' }).catch((e: unknown) => e);
    expect(isProtocolError(error) && error.code).toBe('VALIDATION_FAILED');
  });
});

describe('channel', () => {
  it('should number posts, list them oldest first after a seq, and deliver to each mentioned session', async () => {
    await using hub = await messagingHub();
    await hub.profiles.declare('rev-1', 'linux', { roles: ['reviewer'] });
    hub.fleet.up.set('rev-1', 'linux').set('api-2', 'mac').set('api-1', 'linux');
    const agent = hub.client({ kind: 'agent', host: 'linux', session: 'api-1' });
    const first = await agent.postToChannel({ text: 'starting AUTH-12' });
    const second = await agent.postToChannel({ text: '@reviewer and @api-2: done, mail me@example.com. Thanks @api-1' });
    expect(second).toMatchObject({ seq: first.seq! + 1, from: 'api-1', to: '#channel', mentions: ['@reviewer', '@api-2', '@api-1'] });
    expect(Object.keys(states(second))).toEqual(['api-2', 'rev-1']);
    await hub.messenger.settled();
    expect(hub.fleet.received.map((r) => r.session).sort()).toEqual(['api-2', 'rev-1']);
    expect(hub.fleet.received[0]?.text).toMatch(/^\[channel #2, from api-1 — reply: cb msg api-1 "…"\] @reviewer/);
    const user = hub.client();
    expect((await user.channel()).map((m) => m.seq)).toEqual([1, 2]);
    expect((await user.channel({ after: 1 })).map((m) => m.text)).toEqual([second.text]);
    expect((await user.channel({ limit: 1 })).map((m) => m.seq)).toEqual([2]);
    expect(await user.listMessages()).toEqual([]);
    expect((await user.listMessages({ to: 'rev-1' })).map((m) => m.seq)).toEqual([2]);
  });
});
