import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBoardStoreError, type BoardStore, type BoardStoreErrorCode, type ClaimInput, type Task } from './board-store.js';
import { describeNamedClaims } from './board-store-claim-named.conformance.js';
import { describeReviews } from './board-store-review.conformance.js';

/** What an implementation hands the suite: a fresh, empty store and more connections to it. */
export interface BoardStoreHarness {
  store: BoardStore;
  /** Another instance on the same data, as a second process would open it. */
  openPeer(): Promise<BoardStore>;
  dispose(): Promise<void>;
}

/** A clock the tests move by hand; every store in a harness reads it. */
export interface TestClock {
  now: () => Date;
  advance(ms: number): void;
}

export type MakeBoardStore = (clock: TestClock) => Promise<BoardStoreHarness>;

const LEASE_MS = 60_000;
const holder = (who: string, host = 'linux'): ClaimInput['holder'] => ({ who, host, jobId: `job-${who}` });
const claimAs = (who: string, over: Partial<ClaimInput> = {}): ClaimInput => ({ holder: holder(who), leaseMs: LEASE_MS, ...over });

function createTestClock(start = Date.parse('2026-01-01T00:00:00.000Z')): TestClock {
  let current = start;
  return { now: () => new Date(current), advance: (ms) => void (current += ms) };
}

async function expectRefusal(promise: Promise<unknown>, code: BoardStoreErrorCode): Promise<void> {
  const error: unknown = await promise.then(
    () => new Error(`expected ${code}, the write was accepted`),
    (reason: unknown) => reason,
  );
  expect(isBoardStoreError(error, code), String(error)).toBe(true);
}

/**
 * The contract every `BoardStore` must pass: keys, claims and their order, dependencies, leases
 * and fencing, handoffs, approval, lease expiry and grace, and a race of many claimers over
 * several instances on the same data.
 */
export function describeBoardStoreConformance(name: string, makeStore: MakeBoardStore): void {
  describe(`BoardStore conformance: ${name}`, () => {
    let clock: TestClock;
    let harness: BoardStoreHarness;
    let board: BoardStore;

    beforeEach(async () => {
      clock = createTestClock();
      harness = await makeStore(clock);
      board = harness.store;
    });
    afterEach(async () => harness.dispose());

    describe('add and get', () => {
      it('should give every task a ULID and a key prefixed by its first tag, or T', async () => {
        const a = await board.add({ title: 'login', tags: ['auth', 'backend'] });
        const b = await board.add({ title: 'logout', tags: ['auth'] });
        const c = await board.add({ title: 'readme' });
        expect(a.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
        expect([a.key, b.key, c.key]).toEqual(['AUTH-1', 'AUTH-2', 'T-1']);
        expect(c).toMatchObject({ status: 'todo', priority: 'normal', body: '', for: null, after: [], token: 0, attempts: 0, holder: null });
      });

      it('should find a task by id and by key, and resolve null for an unknown one', async () => {
        const task = await board.add({ title: 'x', tags: ['ui'] });
        expect((await board.get(task.id))?.key).toBe('UI-1');
        expect((await board.get('UI-1'))?.id).toBe(task.id);
        expect(await board.get('UI-99')).toBeNull();
        expect((await board.get('ui-1'))?.id).toBe(task.id);
        expect((await board.get(task.id.toLowerCase()))?.key).toBe('UI-1');
      });

      it('should resolve dependencies given by key to ids and refuse an unknown one', async () => {
        const first = await board.add({ title: 'schema', tags: ['db'] });
        const second = await board.add({ title: 'migrate', after: ['DB-1'] });
        expect(second.after).toEqual([first.id]);
        await expectRefusal(board.add({ title: 'y', after: ['NOPE-1'] }), 'NOT_FOUND');
        // The refused add took no key number.
        expect(await board.add({ title: 'z', after: ['db-1'] })).toMatchObject({ key: 'T-2', after: [first.id] });
      });

      it('should list tasks filtered by status, tag, for and holder', async () => {
        await board.add({ title: 'a', tags: ['api'] });
        await board.add({ title: 'b', for: 'reviewer' });
        await board.add({ title: 'c', proposed: true });
        await board.claim(claimAs('s1', { tags: ['api'] }));
        expect((await board.list()).map((t) => t.title)).toEqual(['a', 'b', 'c']);
        expect((await board.list({ status: ['todo', 'proposed'] })).map((t) => t.title)).toEqual(['b', 'c']);
        expect((await board.list({ tag: 'api' })).map((t) => t.title)).toEqual(['a']);
        expect((await board.list({ for: 'reviewer' })).map((t) => t.title)).toEqual(['b']);
        expect((await board.list({ holder: 's1' })).map((t) => t.title)).toEqual(['a']);
      });
    });

    describe('claim', () => {
      it('should take high priority first, then the oldest, and resolve null when nothing is left', async () => {
        await board.add({ title: 'old normal' });
        clock.advance(1);
        await board.add({ title: 'low', priority: 'low' });
        clock.advance(1);
        await board.add({ title: 'new high', priority: 'high' });
        clock.advance(1);
        await board.add({ title: 'new normal' });
        const order: string[] = [];
        for (let task = await board.claim(claimAs('s')); task; task = await board.claim(claimAs('s'))) order.push(task.title);
        expect(order).toEqual(['new high', 'old normal', 'new normal', 'low']);
      });

      it('should return the task held, with a lease and a fencing token bumped by the claim', async () => {
        await board.add({ title: 'a' });
        const task = await board.claim(claimAs('s1'));
        expect(task).toMatchObject({ status: 'doing', token: 1, holder: holder('s1') });
        expect(task?.leaseExpiresAt).toBe(new Date(clock.now().getTime() + LEASE_MS).toISOString());
        expect(task?.history.at(-1)).toMatchObject({ kind: 'claimed', by: 's1', token: 1 });
      });

      it('should hold a task until every task it comes after is done', async () => {
        const schema = await board.add({ title: 'schema', priority: 'low' });
        await board.add({ title: 'migrate', priority: 'high', after: [schema.id] });
        const first = await board.claim(claimAs('s'));
        expect(first?.title).toBe('schema');
        expect(await board.claim(claimAs('s'))).toBeNull();
        await board.complete(first!.id, first!.token, 'done');
        expect((await board.claim(claimAs('s')))?.title).toBe('migrate');
      });

      it('should claim only tasks sharing a tag when tags are asked for', async () => {
        await board.add({ title: 'css', tags: ['ui'] });
        await board.add({ title: 'sql', tags: ['db'] });
        expect((await board.claim(claimAs('s', { tags: ['db', 'infra'] })))?.title).toBe('sql');
        expect(await board.claim(claimAs('s', { tags: ['db'] }))).toBeNull();
        expect((await board.claim(claimAs('s')))?.title).toBe('css');
      });

      it('should give a task for a session or role only to a claimer of that name', async () => {
        await board.add({ title: 'review', for: 'reviewer' });
        expect(await board.claim(claimAs('s'))).toBeNull();
        expect(await board.claim(claimAs('s', { for: ['api-1', 'writer'] }))).toBeNull();
        expect((await board.claim(claimAs('r', { for: ['r', 'reviewer'] })))?.title).toBe('review');
      });

      it('should not claim a proposed task until it is approved, and approve only once', async () => {
        const task = await board.add({ title: 'risky', proposed: true });
        expect(task.status).toBe('proposed');
        expect(await board.claim(claimAs('s'))).toBeNull();
        expect((await board.approve(task.key, 'alice')).status).toBe('todo');
        await expectRefusal(board.approve(task.id), 'CONFLICT');
        await expectRefusal(board.approve('T-404'), 'NOT_FOUND');
        expect((await board.claim(claimAs('s')))?.id).toBe(task.id);
      });
    });

    describe('fenced writes', () => {
      async function claimOne(title = 'a'): Promise<Task> {
        await board.add({ title });
        return (await board.claim(claimAs('s1')))!;
      }

      it('should renew a lease from now and refuse a wrong token or a missing task', async () => {
        const task = await claimOne();
        clock.advance(50_000);
        const renewed = await board.renew(task.key, task.token, LEASE_MS);
        expect(renewed.leaseExpiresAt).toBe(new Date(clock.now().getTime() + LEASE_MS).toISOString());
        await expectRefusal(board.renew(task.id, task.token + 1, LEASE_MS), 'STALE_TOKEN');
        await expectRefusal(board.renew('T-99', 1, LEASE_MS), 'NOT_FOUND');
      });

      it('should complete with a note, then refuse a second completion as a conflict', async () => {
        const task = await claimOne();
        const done = await board.complete(task.id, task.token, 'merged in #4');
        expect(done).toMatchObject({ status: 'done', holder: null, leaseExpiresAt: null, attempts: 0 });
        expect(done.history.at(-1)).toMatchObject({ kind: 'completed', note: 'merged in #4', by: 's1' });
        await expectRefusal(board.complete(task.id, task.token, 'again'), 'CONFLICT');
        await expectRefusal(board.fail(task.id, task.token, 'late'), 'CONFLICT');
      });

      it('should fail with a note and count the attempt', async () => {
        const task = await claimOne();
        const failed = await board.fail(task.key, task.token, 'tests red');
        expect(failed).toMatchObject({ status: 'failed', attempts: 1, holder: null });
        expect(failed.history.at(-1)).toMatchObject({ kind: 'failed', note: 'tests red' });
      });

      it('should refuse a write whose fence names another holder, and check the token first', async () => {
        const task = await claimOne();
        const fence = (check: { host: string; jobId?: string; who?: string }, token = task.token) => ({ token, holder: check });
        await expectRefusal(board.complete(task.id, fence({ host: 'mac', who: 's1' }), 'x'), 'NOT_HOLDER');
        await expectRefusal(board.fail(task.key, fence({ host: 'linux', jobId: 'job-other' }), 'x'), 'NOT_HOLDER');
        await expectRefusal(board.handoff(task.id, fence({ host: 'linux', who: 'someone' }), { to: 'r', note: 'n' }), 'NOT_HOLDER');
        await expectRefusal(board.renew(task.id, fence({ host: 'mac' }, task.token + 1), LEASE_MS), 'STALE_TOKEN');
        expect((await board.renew(task.id, fence({ host: 'linux', who: 's1' }), LEASE_MS)).status).toBe('doing');
        expect((await board.complete(task.id, fence({ host: 'linux', jobId: 'job-s1', who: 'ignored-when-jobs-match' }), 'ok')).status).toBe('done');
      });

      it('should answer writes issued together each on its own, a refusal among them changing nothing else', async () => {
        await board.add({ title: 'a' });
        await board.add({ title: 'b' });
        const [a, b] = await Promise.all([board.claim(claimAs('s1')), board.claim(claimAs('s2'))]);
        const outcomes = await Promise.allSettled([
          board.complete(a!.id, a!.token, 'ok'),
          board.complete(b!.id, b!.token + 1, 'stale'),
          board.renew(b!.id, b!.token, LEASE_MS * 2),
        ]);
        expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect(await board.get(a!.id)).toMatchObject({ status: 'done' });
        expect(await board.get(b!.id)).toMatchObject({ status: 'doing', token: b!.token, leaseExpiresAt: new Date(clock.now().getTime() + LEASE_MS * 2).toISOString() });
      });

      it('should refuse a write on a task that was never claimed as a conflict', async () => {
        const task = await board.add({ title: 'idle' });
        await expectRefusal(board.complete(task.id, 0, 'x'), 'CONFLICT');
      });

      it('should hand off back to todo for the named session with the note, branch and job', async () => {
        const task = await claimOne();
        const handed = await board.handoff(task.id, task.token, { to: 'reviewer', note: 'ready', branch: 'feat/login' });
        expect(handed).toMatchObject({ status: 'todo', for: 'reviewer', holder: null, token: 2, branch: 'feat/login', previousJobId: 'job-s1' });
        expect(handed.history.at(-1)).toMatchObject({ kind: 'handed_off', to: 'reviewer', note: 'ready', branch: 'feat/login' });
        await expectRefusal(board.complete(task.id, task.token, 'mine'), 'STALE_TOKEN');
        expect(await board.claim(claimAs('s1'))).toBeNull();
        expect(await board.claim(claimAs('r', { for: ['reviewer'] }))).toMatchObject({ token: 3, branch: 'feat/login' });
      });
    });

    describe('leases', () => {
      it('should return an expired task to todo, count the attempt and refuse the old holder', async () => {
        await board.add({ title: 'slow' });
        await board.add({ title: 'fresh' });
        const old = (await board.claim(claimAs('s1')))!;
        clock.advance(LEASE_MS / 2);
        const kept = (await board.claim(claimAs('s2')))!;
        clock.advance(LEASE_MS / 2);
        const expired = await board.expireLeases(clock.now());
        expect(expired.map((t) => t.id)).toEqual([old.id]);
        expect(await board.get(old.id)).toMatchObject({ status: 'todo', holder: null, attempts: 1, token: 2 });
        expect((await board.get(kept.id))?.status).toBe('doing');
        await expectRefusal(board.complete(old.id, old.token, 'late'), 'STALE_TOKEN');
        const again = (await board.claim(claimAs('s3')))!;
        expect(again).toMatchObject({ id: old.id, token: 3 });
        await expectRefusal(board.renew(old.id, old.token, LEASE_MS), 'STALE_TOKEN');
        expect((await board.complete(again.id, again.token, 'ok')).status).toBe('done');
      });

      it('should keep a task whose holder renews past its first lease', async () => {
        await board.add({ title: 'long tool call' });
        const task = (await board.claim(claimAs('s1')))!;
        for (let i = 0; i < 5; i += 1) {
          clock.advance(LEASE_MS - 1_000);
          await board.renew(task.id, task.token, LEASE_MS);
          expect(await board.expireLeases(clock.now())).toEqual([]);
        }
        expect((await board.complete(task.id, task.token, 'ok')).status).toBe('done');
      });

      it('should freeze the leases of unreachable hosts and count an expiry only when asked to', async () => {
        await board.add({ title: 'on mac' });
        await board.add({ title: 'on linux' });
        const mac = (await board.claim({ holder: holder('m', 'mac'), leaseMs: LEASE_MS }))!;
        const linux = (await board.claim(claimAs('l')))!;
        clock.advance(LEASE_MS * 2);
        const expired = await board.expireLeases(clock.now(), { frozenHosts: new Set(['mac']), countsAsAttempt: () => false });
        expect(expired.map((t) => t.id)).toEqual([linux.id]);
        expect(await board.get(linux.id)).toMatchObject({ status: 'todo', attempts: 0 });
        expect((await board.get(mac.id))?.status).toBe('doing');
      });

      it('should give every held lease one full lease after a restart', async () => {
        await board.add({ title: 'a' });
        const task = (await board.claim(claimAs('s1', { leaseMs: 1_000 })))!;
        clock.advance(5_000);
        expect(await board.graceAll(LEASE_MS)).toBe(1);
        expect(await board.expireLeases(clock.now())).toEqual([]);
        clock.advance(LEASE_MS);
        expect((await board.expireLeases(clock.now())).map((t) => t.id)).toEqual([task.id]);
      });

      it('should never shorten a lease that runs longer than the grace', async () => {
        await board.add({ title: 'a' });
        const task = (await board.claim(claimAs('s1', { leaseMs: LEASE_MS * 10 })))!;
        await board.graceAll(LEASE_MS);
        expect((await board.get(task.id))?.leaseExpiresAt).toBe(task.leaseExpiresAt);
      });
    });

    describeNamedClaims(() => ({ board, now: () => clock.now() }));
    describeReviews(() => ({ board }));
    describeClaimRace(() => harness);
  });
}

const RACE_TASKS = 200;
const RACE_PEERS = 4;
const RACE_CLAIMERS = 16;

/** 16 claimers spread over 4 instances of the store take 200 tasks: each exactly once. */
function describeClaimRace(current: () => BoardStoreHarness): void {
  it('should hand every task to exactly one of many concurrent claimers', async () => {
    const { store, openPeer } = current();
    for (let i = 0; i < RACE_TASKS; i += 1) await store.add({ title: `task ${i}`, tags: ['race'] });
    const peers = [store, ...(await Promise.all(Array.from({ length: RACE_PEERS - 1 }, () => openPeer())))];
    const claims: Task[] = [];
    const claimer = async (n: number): Promise<void> => {
      const peer = peers[n % peers.length]!;
      for (let task = await peer.claim(claimAs(`c${n}`)); task; task = await peer.claim(claimAs(`c${n}`))) claims.push(task);
    };
    await Promise.all(Array.from({ length: RACE_CLAIMERS }, (_, n) => claimer(n)));
    await Promise.all(peers.slice(1).map((peer) => peer.close()));
    expect(claims).toHaveLength(RACE_TASKS);
    expect(new Set(claims.map((t) => t.id)).size).toBe(RACE_TASKS);
    expect(claims.every((t) => t.token === 1)).toBe(true);
  });
}
