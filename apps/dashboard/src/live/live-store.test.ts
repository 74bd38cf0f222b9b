import { describe, expect, it } from 'vitest';
import type { FlotillaClient, FlotillaEvent, Job } from '@flotilla/protocol';
import { createLiveStore } from './live-store';

const at = '2026-01-01T00:00:00.000Z';
const job = (id: string, status: Job['status'], updatedAt = at) => ({ id, status, host: 'h', updatedAt, createdAt: at }) as Job;

/** A client whose event stream is fed by the test. */
function fakeClient() {
  let push: ((events: FlotillaEvent[]) => void) | null = null;
  let end: (() => void) | null = null;
  const client = {
    capabilities: async () => ({ kind: 'daemon', host: 'h', version: '0', protocol: 1, agents: [], addons: [], features: [] }),
    listJobs: async () => ({ items: [job('a', 'running')], nextCursor: null }),
    listSessions: async () => [],
    pauses: async () => [],
    inbox: async () => [],
    events: () => ({
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const batch = await new Promise<FlotillaEvent[] | null>((resolve) => {
            push = resolve;
            end = () => resolve(null);
          });
          if (batch === null) return;
          yield* batch;
        }
      },
    }),
  } as unknown as FlotillaClient;
  return { client, push: (events: FlotillaEvent[]) => push?.(events), end: () => end?.() };
}

const updated = (id: number, j: Job): FlotillaEvent => ({ id, at, host: 'h', type: 'job.updated', job: j });
const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
};

describe('createLiveStore', () => {
  it('should load a snapshot, apply events, and tell listeners once for a burst of events', async () => {
    const { client, push } = fakeClient();
    const store = createLiveStore(client);
    let notified = 0;
    store.subscribe(() => (notified += 1));
    store.start();
    await until(() => store.getState().connection === 'live' && store.getState().jobs.size === 1);
    await new Promise((r) => setTimeout(r, 20));
    notified = 0;
    push([updated(1, job('a', 'running', '2026-01-01T00:00:01.000Z')), updated(2, job('b', 'queued')), updated(3, job('a', 'succeeded', '2026-01-01T00:00:02.000Z'))]);
    await until(() => store.getState().lastEventId === 3);
    await new Promise((r) => setTimeout(r, 20));
    expect(store.getState().jobs.get('a')?.status).toBe('succeeded');
    expect(store.getState().jobs.size).toBe(2);
    expect(notified).toBe(1);
    store.stop();
  });

  it('should keep a newer copy of a job when an older event arrives after it', async () => {
    const { client, push } = fakeClient();
    const store = createLiveStore(client);
    store.start();
    await until(() => store.getState().connection === 'live');
    push([updated(1, job('a', 'succeeded', '2026-01-01T00:00:05.000Z')), updated(2, job('a', 'running', '2026-01-01T00:00:03.000Z'))]);
    await until(() => store.getState().lastEventId === 2);
    expect(store.getState().jobs.get('a')?.status).toBe('succeeded');
    store.stop();
  });

  it('should show offline when the stream ends and resume after the last applied event', async () => {
    const { client, push, end } = fakeClient();
    const calls: Array<number | undefined> = [];
    const events = client.events.bind(client);
    (client as { events: FlotillaClient['events'] }).events = (options) => {
      calls.push(options?.lastEventId);
      return events(options);
    };
    const store = createLiveStore(client);
    store.start();
    await until(() => store.getState().connection === 'live');
    push([updated(7, job('a', 'running'))]);
    await until(() => store.getState().lastEventId === 7);
    end();
    await until(() => store.getState().connection === 'offline');
    expect(store.getState().offlineSince).not.toBeNull();
    await until(() => calls.length === 2);
    expect(calls).toEqual([undefined, 7]);
    store.stop();
  });
});
