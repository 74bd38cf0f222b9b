import { describe, expect, it } from 'vitest';
import type { Job, Session } from '@flotilla/protocol';
import { tempHubDb } from '../test-support/hub-routes.test-support.js';
import { openHubStore } from './hub-store.js';

const AT = '2026-11-25T10:00:00.000Z';
const LATER = '2026-11-25T10:00:05.000Z';

/** Only the fields the mirror reads; the store keeps the rest as it came. */
const job = (id: string, over: Partial<Job> = {}): Job => ({ id, host: 'daemon-linux', status: 'running', createdAt: AT, updatedAt: AT, result: null, ...over }) as Job;
const session = (name: string, over: Partial<Session> = {}): Session =>
  ({ id: `S-${name}`, name, host: 'daemon-linux', state: 'idle', endedAt: null, updatedAt: AT, ...over }) as Session;

function fixture() {
  const db = tempHubDb();
  const store = openHubStore({ path: db.path, hubName: 'hub' });
  return {
    store,
    [Symbol.dispose]: () => {
      store.close();
      db[Symbol.dispose]();
    },
  };
}

describe('HubStore.applySnapshot', () => {
  it('should publish nothing when a resync finds nothing changed', () => {
    using f = fixture();
    const jobs = [job('J1'), job('J2', { status: 'succeeded' })];
    const sessions = [session('api-1')];
    expect(f.store.applySnapshot('linux', jobs, sessions).map((event) => event.type)).toEqual(['job.updated', 'job.updated', 'session.state']);
    const latest = f.store.eventBounds().latest;
    expect(f.store.applySnapshot('linux', jobs.map((item) => ({ ...item })), [session('api-1')])).toEqual([]);
    expect(f.store.eventBounds().latest).toBe(latest);
  });

  it('should publish a changed job once, with its new copy, and nothing for the unchanged ones', () => {
    using f = fixture();
    f.store.applySnapshot('linux', [job('J1'), job('J2')], [session('api-1')]);
    const changed = job('J2', { status: 'succeeded', updatedAt: LATER });
    const written = f.store.applySnapshot('linux', [job('J1'), changed], [session('api-1')]);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ type: 'job.updated', host: 'linux', job: { id: 'J2', status: 'succeeded', host: 'linux' } });
    expect(f.store.applySnapshot('linux', [job('J1'), changed], [session('api-1')])).toEqual([]);
  });

  it('should publish a copy with the same updatedAt but other content, and never an older copy', () => {
    using f = fixture();
    f.store.applySnapshot('linux', [job('J1')], [session('api-1')]);
    const sameStamp = f.store.applySnapshot('linux', [job('J1', { status: 'failed' })], [session('api-1', { state: 'working' })]);
    expect(sameStamp.map((event) => event.type)).toEqual(['job.updated', 'session.state']);
    expect(sameStamp[1]).toMatchObject({ previous: 'idle', session: { state: 'working' } });
    const older = job('J1', { status: 'running', updatedAt: '2026-11-25T09:00:00.000Z' });
    expect(f.store.applySnapshot('linux', [older], [])).toEqual([]);
    expect(f.store.getJob('J1')?.status).toBe('failed');
  });
});
