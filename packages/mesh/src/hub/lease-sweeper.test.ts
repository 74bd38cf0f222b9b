import { describe, expect, it } from 'vitest';
import { createSqliteBoardStore } from '../board/sqlite-board-store.js';
import type { BoardStore, Task } from '../board/board-store.js';
import { tempHubDb } from '../test-support/hub-routes.test-support.js';
import type { HubEventInput } from './hub-events.js';
import { startLeaseSweeper, type LeaseSweeperOptions } from './lease-sweeper.js';

const MINUTE = 60_000;

function fixture() {
  const db = tempHubDb();
  let at = Date.parse('2026-11-25T10:00:00.000Z');
  const clock = { now: () => new Date(at), advance: (ms: number) => void (at += ms) };
  const store = createSqliteBoardStore({ path: db.path, now: clock.now });
  const events: HubEventInput[] = [];
  const options = (overrides: Partial<LeaseSweeperOptions> = {}): LeaseSweeperOptions => ({
    store,
    intervalMs: 60 * MINUTE,
    frozenHosts: () => new Set(),
    holderEnded: async () => false,
    publish: async (event) => void events.push(event),
    graceOnStartMs: 30 * MINUTE,
    now: clock.now,
    ...overrides,
  });
  return {
    store,
    clock,
    events,
    options,
    [Symbol.asyncDispose]: async () => {
      await store.close();
      db[Symbol.dispose]();
    },
  };
}

async function claimOne(store: BoardStore, host: string, leaseMs = 5 * MINUTE): Promise<Task> {
  await store.add({ title: `work on ${host}` });
  return (await store.claim({ holder: { who: `agent-${host}`, host }, leaseMs }))!;
}

describe('startLeaseSweeper', () => {
  it('should return an expired lease to todo without counting an attempt when the holder did not end', async () => {
    await using f = fixture();
    await using sweeper = await startLeaseSweeper(f.options({ graceOnStartMs: 0 }));
    const task = await claimOne(f.store, 'linux');
    expect(await sweeper.sweep()).toEqual([]);
    f.clock.advance(6 * MINUTE);
    const [returned] = await sweeper.sweep();
    expect(returned).toMatchObject({ id: task.id, status: 'todo', holder: null, attempts: 0, token: task.token + 1 });
    expect(f.events).toEqual([{ type: 'task.changed', task: returned }]);
  });

  it('should count an attempt only when the holder\'s exit record shows it ended', async () => {
    await using f = fixture();
    const ended = await claimOne(f.store, 'linux');
    const unknown = await claimOne(f.store, 'mac');
    const failing = await claimOne(f.store, 'bsd');
    const holderEnded = async (task: Task) => {
      if (task.holder?.host === 'bsd') throw new Error('host unreachable');
      return task.holder?.host === 'linux' ? true : undefined;
    };
    await using sweeper = await startLeaseSweeper(f.options({ holderEnded, graceOnStartMs: 0 }));
    f.clock.advance(6 * MINUTE);
    const attempts = Object.fromEntries((await sweeper.sweep()).map((task) => [task.id, task.attempts]));
    expect(attempts).toEqual({ [ended.id]: 1, [unknown.id]: 0, [failing.id]: 0 });
  });

  it('should keep the leases of a frozen host until it is no longer frozen', async () => {
    await using f = fixture();
    const frozen = new Set(['mac']);
    await using sweeper = await startLeaseSweeper(f.options({ frozenHosts: () => frozen, graceOnStartMs: 0 }));
    const onMac = await claimOne(f.store, 'mac');
    const onLinux = await claimOne(f.store, 'linux');
    f.clock.advance(10 * MINUTE);
    expect((await sweeper.sweep()).map((task) => task.id)).toEqual([onLinux.id]);
    expect((await f.store.get(onMac.id))?.status).toBe('doing');
    frozen.clear();
    expect((await sweeper.sweep()).map((task) => task.id)).toEqual([onMac.id]);
  });

  it('should give every lease one full lease of grace on start (the hub was down)', async () => {
    await using f = fixture();
    const task = await claimOne(f.store, 'linux', 5 * MINUTE);
    f.clock.advance(20 * MINUTE);
    await using sweeper = await startLeaseSweeper(f.options({ graceOnStartMs: 30 * MINUTE }));
    expect((await f.store.get(task.id))?.leaseExpiresAt).toBe(new Date(f.clock.now().getTime() + 30 * MINUTE).toISOString());
    f.clock.advance(29 * MINUTE);
    expect(await sweeper.sweep()).toEqual([]);
    f.clock.advance(2 * MINUTE);
    expect((await sweeper.sweep()).map((t) => t.id)).toEqual([task.id]);
  });

  it('should sweep on its timer, never two sweeps at once, and survive a failing one', async () => {
    await using f = fixture();
    await claimOne(f.store, 'linux');
    await claimOne(f.store, 'mac');
    // Each sweep takes 40 ms against a 5 ms timer: an overlapping sweep would ask about the same
    // two holders again.
    let calls = 0;
    const holderEnded = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 40));
      return false;
    };
    let failNext = true;
    const frozenHosts = () => {
      if (failNext) {
        failNext = false;
        throw new Error('link table unavailable');
      }
      return new Set<string>();
    };
    const sweeper = await startLeaseSweeper(f.options({ intervalMs: 5, holderEnded, frozenHosts, graceOnStartMs: 0 }));
    f.clock.advance(6 * MINUTE);
    const deadline = Date.now() + 5_000;
    while (f.events.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await sweeper.stop();
    expect(f.events.map((e) => (e.task as Task).status)).toEqual(['todo', 'todo']);
    expect(calls).toBe(2);
  });
});
