import { describe, expect, it } from 'vitest';
import { isBoardStoreError, type BoardStore, type ClaimInput, type ClaimRefusal, type Task } from './board-store.js';

const LEASE_MS = 60_000;
const holder = (who: string, host = 'linux'): ClaimInput['holder'] => ({ who, host, jobId: `job-${who}` });
const as = (who: string, names: string[] = [who]) => ({ holder: holder(who), for: names, leaseMs: LEASE_MS });

async function expectNotClaimable(promise: Promise<unknown>, reason: ClaimRefusal, words: RegExp): Promise<void> {
  const error: unknown = await promise.then(
    () => new Error(`expected ${reason}, the claim was accepted`),
    (cause: unknown) => cause,
  );
  expect(isBoardStoreError(error, 'NOT_CLAIMABLE'), String(error)).toBe(true);
  expect(error).toMatchObject({ reason });
  expect((error as Error).message).toMatch(words);
}

/** `claimNamed`: one task by id or key, exactly when the any-claim could have taken it for this claimer. */
export function describeNamedClaims(current: () => { board: BoardStore; now(): Date }): void {
  describe('claim a named task', () => {
    it('should take the named task over a better one, by key or id in any case, with a lease and a new token', async () => {
      const { board, now } = current();
      await board.add({ title: 'urgent', priority: 'high' });
      const named = await board.add({ title: 'mine', priority: 'low', tags: ['api'] });
      const task = await board.claimNamed('api-1', as('s1'));
      expect(task).toMatchObject({ id: named.id, status: 'doing', token: 1, holder: holder('s1') });
      expect(task.leaseExpiresAt).toBe(new Date(now().getTime() + LEASE_MS).toISOString());
      expect(task.history.at(-1)).toMatchObject({ kind: 'claimed', by: 's1', token: 1 });
      expect((await board.claim(as('s2')))?.title).toBe('urgent');
      const other = await board.add({ title: 'by id' });
      expect((await board.claimNamed(other.id.toLowerCase(), as('s3'))).token).toBe(1);
      expect((await board.complete(named.id, task.token, 'ok')).status).toBe('done');
    });

    it('should refuse a task someone holds, saying who, and leave the holding as it was', async () => {
      const { board } = current();
      const added = await board.add({ title: 'a' });
      const held = await board.claimNamed(added.key, as('s1'));
      await expectNotClaimable(board.claimNamed(added.key, as('s2')), 'held', /^task T-1 cannot be claimed: s1@linux holds it \(lease until .+\)$/);
      expect(await board.get(added.id)).toMatchObject({ holder: holder('s1'), token: held.token });
    });

    it('should refuse a task that is not todo: proposed, done or failed', async () => {
      const { board } = current();
      const proposed = await board.add({ title: 'idea', proposed: true });
      await expectNotClaimable(board.claimNamed(proposed.key, as('s')), 'not_todo', /proposed and waits for approval/);
      const done = await board.add({ title: 'done' });
      await board.complete(done.id, (await board.claimNamed(done.id, as('s'))).token, 'ok');
      await expectNotClaimable(board.claimNamed(done.key, as('s')), 'not_todo', /it is done, not todo/);
    });

    it('should refuse a task waiting for a prerequisite, naming it, until it is done', async () => {
      const { board } = current();
      const schema = await board.add({ title: 'schema', tags: ['db'] });
      const migrate = await board.add({ title: 'migrate', after: [schema.id] });
      await expectNotClaimable(board.claimNamed(migrate.key, as('s')), 'waiting', /it waits for DB-1 \(todo\)$/);
      const first = await board.claimNamed(schema.key, as('s'));
      await board.complete(schema.id, first.token, 'ok');
      expect((await board.claimNamed(migrate.key, as('s'))).status).toBe('doing');
    });

    it('should refuse a task for another session or role, and give it to a claimer of that name', async () => {
      const { board } = current();
      const review = await board.add({ title: 'review', for: 'reviewer' });
      await expectNotClaimable(board.claimNamed(review.key, as('s1', ['s1', 'writer'])), 'for_other', /it is for reviewer, not for s1, writer$/);
      await expectNotClaimable(board.claimNamed(review.key, { holder: holder('u'), leaseMs: LEASE_MS }), 'for_other', /not for this claimer$/);
      expect((await board.claimNamed(review.key, as('r1', ['r1', 'reviewer']))).holder).toEqual(holder('r1'));
    });

    it('should refuse an unknown task as NOT_FOUND', async () => {
      const { board } = current();
      const error: unknown = await board.claimNamed('NOPE-1', as('s')).catch((cause: unknown) => cause);
      expect(isBoardStoreError(error, 'NOT_FOUND')).toBe(true);
    });

    it('should give one named task to exactly one of many concurrent claimers, the any-claim too', async () => {
      const { board } = current();
      const task = await board.add({ title: 'contested' });
      const outcomes = await Promise.allSettled([
        ...Array.from({ length: 8 }, (_, n) => board.claimNamed(task.key, as(`c${n}`))),
        board.claim(as('any')),
      ]);
      const won = outcomes.filter((outcome): outcome is PromiseFulfilledResult<Task | null> => outcome.status === 'fulfilled' && outcome.value !== null);
      expect(won).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.status === 'rejected').every((outcome) => isBoardStoreError(outcome.reason, 'NOT_CLAIMABLE'))).toBe(true);
      expect((await board.get(task.id))?.token).toBe(1);
    });
  });
}
