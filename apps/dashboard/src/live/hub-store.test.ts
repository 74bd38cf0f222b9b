import { describe, expect, it } from 'vitest';
import type { Capabilities, FlotillaClient, FlotillaEvent, Message } from '@flotilla/protocol';
import type { HubClient } from '../api/hub';
import { newestChannel } from './hub-snapshot';
import { host, message, T0, task } from './hub-fixtures.test-data';
import { createLiveStore } from './live-store';

const caps = (kind: Capabilities['kind'], features: string[] = []): Capabilities => ({ kind, host: 'h', version: '0', protocol: 1, agents: [], addons: [], features });

/** A server whose event stream the test feeds, and which records the hub calls made. */
function fakeServer(capabilities: Capabilities) {
  let push: ((events: FlotillaEvent[]) => void) | null = null;
  const calls: string[] = [];
  const client = {
    capabilities: async () => capabilities,
    listJobs: async () => ({ items: [], nextCursor: null }),
    listSessions: async () => [],
    pauses: async () => [],
    inbox: async () => [],
    events: () => ({
      async *[Symbol.asyncIterator]() {
        for (;;) yield* await new Promise<FlotillaEvent[]>((resolve) => (push = resolve));
      },
    }),
  } as unknown as FlotillaClient;
  const hub = {
    hosts: async () => (calls.push('hosts'), [host('dragon')]),
    board: async () => (calls.push('board'), [task('a')]),
    channel: async () => (calls.push('channel'), [message(1)]),
  } as unknown as HubClient;
  return { client, hub, calls, push: (events: FlotillaEvent[]) => push?.(events) };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
};

describe('createLiveStore with a hub client', () => {
  it('should ask a lone daemon nothing more than before', async () => {
    const server = fakeServer(caps('daemon'));
    const store = createLiveStore(server.client, { hub: async () => server.hub });
    store.start();
    await until(() => store.getState().connection === 'live');
    expect(server.calls).toEqual([]);
    // A hub's event reaching a daemon's page (it cannot, but) only moves the cursor.
    server.push([{ id: 1, at: T0, host: 'h', type: 'task.changed', task: task('stray') }]);
    await until(() => store.getState().lastEventId === 1);
    expect(store.getState().tasks.size).toBe(0);
    store.stop();
  });

  it('should load hosts, board and channel from a hub, and tell listeners once for a burst of task events', async () => {
    const server = fakeServer(caps('hub'));
    const store = createLiveStore(server.client, { hub: async () => server.hub });
    let notified = 0;
    store.subscribe(() => (notified += 1));
    store.start();
    await until(() => store.getState().connection === 'live' && store.getState().tasks.size === 1);
    expect(server.calls.sort()).toEqual(['board', 'channel', 'hosts']);
    expect(store.getState().channel).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 20));
    notified = 0;
    const changed = (id: number, status: 'doing' | 'review'): FlotillaEvent => ({ id, at: T0, host: 'hub', type: 'task.changed', task: task('a', { status, updatedAt: `2026-11-25T12:00:0${id}.000Z` }) });
    server.push([changed(1, 'doing'), changed(2, 'review')]);
    await until(() => store.getState().lastEventId === 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(store.getState().tasks.get('a')?.status).toBe('review');
    expect(notified).toBe(1);
    store.stop();
  });

  it('should show what a hub call answered at once, before its event', async () => {
    const server = fakeServer(caps('hub'));
    const store = createLiveStore(server.client, { hub: async () => server.hub });
    store.start();
    await until(() => store.getState().tasks.size === 1);
    store.received({ task: task('added') });
    store.received({ message: message(9) });
    expect(store.getState().tasks.has('added')).toBe(true);
    expect(store.getState().channel.map((m) => m.seq)).toEqual([1, 9]);
    store.stop();
  });

  it('should ask only for the features a daemon lists', async () => {
    const server = fakeServer(caps('daemon', ['board']));
    const store = createLiveStore(server.client, { hub: async () => server.hub });
    store.start();
    await until(() => store.getState().tasks.size === 1);
    expect(server.calls).toEqual(['board']);
    store.stop();
  });
});

describe('newestChannel', () => {
  it('should read forward while pages come back full, keeping the newest 500', async () => {
    const all = Array.from({ length: 1200 }, (_, i) => message(i + 1));
    const asked: Array<number | undefined> = [];
    const hub = {
      channel: async ({ after, limit }: { after?: number; limit?: number } = {}): Promise<Message[]> => {
        asked.push(after);
        return all.filter((m) => (m.seq ?? 0) > (after ?? 0)).slice(0, limit);
      },
    };
    const kept = await newestChannel(hub);
    expect(asked).toEqual([undefined, 500, 1000]);
    expect(kept.map((m) => m.seq)).toEqual(all.slice(-500).map((m) => m.seq));
  });

  it('should stop after one short page from a hub that answers the newest first', async () => {
    const hub = { channel: async () => [message(7), message(8)] };
    expect((await newestChannel(hub)).map((m) => m.seq)).toEqual([7, 8]);
  });
});
