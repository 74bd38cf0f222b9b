import { describe, expect, it } from 'vitest';
import { isBoardStoreError, type BoardStore, type BoardStoreErrorCode, type ClaimInput } from './board-store.js';

const LEASE_MS = 60_000;
const holder = (who: string, host = 'linux'): ClaimInput['holder'] => ({ who, host, jobId: `job-${who}` });
const as = (who: string, names: string[] = [who]) => ({ holder: holder(who), for: names, leaseMs: LEASE_MS });

async function expectRefusal(promise: Promise<unknown>, code: BoardStoreErrorCode): Promise<void> {
  const error: unknown = await promise.then(
    () => new Error(`expected ${code}, the write was accepted`),
    (reason: unknown) => reason,
  );
  expect(isBoardStoreError(error, code), String(error)).toBe(true);
}

/** Review: the holder asks (fenced), the task waits in `review` unheld, and a decision (fenced by its token) ends it. */
export function describeReviews(current: () => { board: BoardStore }): void {
  describe('review', () => {
    it('should move a held task to review with the note, free the lease, bump the token and address it', async () => {
      const { board } = current();
      await board.add({ title: 'login', tags: ['auth'] });
      const held = (await board.claim(as('api-1')))!;
      const inReview = await board.review(held.key, { token: held.token, holder: { host: 'linux', jobId: 'job-api-1' } }, { note: 'see branch b', to: 'reviewer', branch: 'b' });
      expect(inReview).toMatchObject({ status: 'review', holder: null, leaseExpiresAt: null, token: held.token + 1, for: 'reviewer', branch: 'b', previousJobId: 'job-api-1' });
      expect(inReview.history.at(-1)).toMatchObject({ kind: 'review_requested', by: 'api-1', host: 'linux', token: held.token, note: 'see branch b', to: 'reviewer', branch: 'b' });
      // The old holder's writes are refused; nobody can claim a task in review, by name or not.
      await expectRefusal(board.complete(held.key, held.token, 'sneak'), 'STALE_TOKEN');
      await expectRefusal(board.renew(held.key, held.token, LEASE_MS), 'STALE_TOKEN');
      expect(await board.claim(as('reviewer'))).toBeNull();
      await expectRefusal(board.claimNamed(held.key, as('reviewer')), 'NOT_CLAIMABLE');
      expect((await board.expireLeases(new Date(Date.now() + 10 * LEASE_MS))).map((task) => task.key)).toEqual([]);
    });

    it('should refuse a review from a stale token, from another holder, or of a task nobody holds', async () => {
      const { board } = current();
      const todo = await board.add({ title: 'x' });
      await expectRefusal(board.review(todo.key, 0, { note: 'n' }), 'CONFLICT');
      const held = (await board.claim(as('api-1')))!;
      await expectRefusal(board.review(held.key, held.token + 1, { note: 'n' }), 'STALE_TOKEN');
      await expectRefusal(board.review(held.key, { token: held.token, holder: { host: 'mac', who: 'api-1' } }, { note: 'n' }), 'NOT_HOLDER');
      expect((await board.get(held.key))?.status).toBe('doing');
    });

    it('should approve a review into done, fenced by the token it went to review with', async () => {
      const { board } = current();
      await board.add({ title: 'x' });
      const held = (await board.claim(as('api-1')))!;
      const inReview = await board.review(held.key, held.token, { note: 'ready' });
      await expectRefusal(board.decideReview(held.key, held.token, 'approve', { by: 'alice' }), 'STALE_TOKEN');
      const done = await board.decideReview(held.key, inReview.token, 'approve', { by: 'alice', note: 'lgtm' });
      expect(done).toMatchObject({ status: 'done', token: inReview.token, holder: null });
      expect(done.history.at(-1)).toMatchObject({ kind: 'review_approved', by: 'alice', note: 'lgtm', token: inReview.token });
      // Decided once: a second decision is a conflict, not a second outcome.
      await expectRefusal(board.decideReview(held.key, inReview.token, 'changes', { by: 'bob', note: 'late' }), 'CONFLICT');
    });

    it('should send changes back to todo for the one who asked, who can claim and review again', async () => {
      const { board } = current();
      await board.add({ title: 'x' });
      await board.add({ title: 'other' });
      const held = (await board.claim(as('api-1')))!;
      const inReview = await board.review(held.key, held.token, { note: 'ready', to: 'reviewer' });
      const back = await board.decideReview(held.key, inReview.token, 'changes', { reviewer: { who: 'rev-1', names: ['rev-1', 'reviewer'] }, note: 'add tests' });
      expect(back).toMatchObject({ status: 'todo', for: 'api-1', holder: null, token: inReview.token });
      expect(back.history.at(-1)).toMatchObject({ kind: 'changes_requested', by: 'rev-1', note: 'add tests', to: 'api-1' });
      // For its author only now: another claimer gets the other task, the author gets this one back.
      expect((await board.claim(as('api-2')))?.title).toBe('other');
      const again = (await board.claim(as('api-1')))!;
      expect(again).toMatchObject({ key: held.key, token: inReview.token + 1 });
      // A decision on the old review is stale.
      await expectRefusal(board.decideReview(held.key, inReview.token, 'approve', {}), 'STALE_TOKEN');
      const second = await board.review(again.key, again.token, { note: 'tests added', to: 'reviewer' });
      expect((await board.decideReview(held.key, second.token, 'approve', { by: 'alice' })).status).toBe('done');
    });

    it('should let an agent decide only a review addressed to it or its role, and never its own', async () => {
      const { board } = current();
      await board.add({ title: 'x' });
      const held = (await board.claim(as('api-1')))!;
      const inReview = await board.review(held.key, held.token, { note: 'ready', to: 'reviewer' });
      await expectRefusal(board.decideReview(held.key, inReview.token, 'approve', { reviewer: { who: 'api-2', names: ['api-2'] } }), 'NOT_REVIEWER');
      await expectRefusal(board.decideReview(held.key, inReview.token, 'approve', { reviewer: { who: 'api-1', names: ['api-1', 'reviewer'] } }), 'NOT_REVIEWER');
      expect((await board.get(held.key))?.status).toBe('review');
      expect((await board.decideReview(held.key, inReview.token, 'approve', { reviewer: { who: 'rev-1', names: ['rev-1', 'reviewer'] } })).status).toBe('done');
      // A review addressed to nobody is a person's to decide.
      await board.add({ title: 'y' });
      const other = (await board.claim(as('api-1')))!;
      const open = await board.review(other.key, other.token, { note: 'ready' });
      expect(open.for).toBeNull();
      await expectRefusal(board.decideReview(other.key, open.token, 'approve', { reviewer: { who: 'rev-1', names: ['rev-1', 'reviewer'] } }), 'NOT_REVIEWER');
      expect((await board.decideReview(other.key, open.token, 'changes', { by: 'alice', note: 'no' })).for).toBe('api-1');
    });
  });
}
