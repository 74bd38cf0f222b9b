import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
// protocol's index.ts does not export board.ts yet; the test reads the schema from its source.
import { TaskSchema } from '@flotilla/protocol';
import { createSqliteBoardStore } from './sqlite-board-store.js';
import type { Task } from './board-store.js';

describe('board tasks on the wire', () => {
  it('should have the same shape as the protocol TaskSchema', () => {
    expectTypeOf<Task>().toEqualTypeOf<z.infer<typeof TaskSchema>>();
  });

  it('should produce tasks that the protocol TaskSchema accepts through their whole life', async () => {
    const board = createSqliteBoardStore({ path: ':memory:' });
    const dep = await board.add({ title: 'schema', tags: ['db'], by: 'alice' });
    const task = await board.add({ title: 'migrate', body: 'all of it', after: [dep.key], for: 'api', priority: 'high', proposed: true });
    const seen = [dep, task, await board.approve(task.id, 'alice')];
    const first = (await board.claim({ holder: { who: 'w', host: 'linux', jobId: 'j1' }, leaseMs: 1_000 }))!;
    seen.push(first, await board.renew(first.id, first.token, 1_000));
    seen.push(await board.complete(first.id, first.token, 'done'));
    const second = (await board.claim({ holder: { who: 'api', host: 'mac', sessionId: 's1' }, for: ['api'], leaseMs: 1_000 }))!;
    seen.push(second, await board.handoff(second.id, second.token, { to: 'reviewer', note: 'look', branch: 'b', jobId: 'j2' }));
    const third = (await board.claim({ holder: { who: 'r', host: 'mac' }, for: ['reviewer'], leaseMs: 1 }))!;
    seen.push(third, ...(await board.expireLeases(new Date(Date.now() + 60_000))));
    const fourth = (await board.claim({ holder: { who: 'r', host: 'mac' }, for: ['reviewer'], leaseMs: 1_000 }))!;
    const failed = await board.fail(fourth.id, fourth.token, 'no');
    seen.push(fourth, failed);
    await board.add({ title: 'reviewed' });
    const fifth = (await board.claim({ holder: { who: 'w', host: 'linux' }, leaseMs: 1_000 }))!;
    const inReview = await board.review(fifth.id, fifth.token, { note: 'look', to: 'reviewer', branch: 'b5' });
    const back = await board.decideReview(fifth.id, inReview.token, 'changes', { by: 'alice', note: 'again' });
    const sixth = (await board.claim({ holder: { who: 'w', host: 'linux' }, for: ['w'], leaseMs: 1_000 }))!;
    const again = await board.review(sixth.id, sixth.token, { note: 'fixed' });
    const approved = await board.decideReview(sixth.id, again.token, 'approve', { by: 'alice' });
    seen.push(fifth, inReview, back, sixth, again, approved, ...(await board.list()));
    await board.close();
    for (const each of seen) expect(TaskSchema.parse(each)).toEqual(each);
    expect(failed.history.map((event) => event.kind)).toEqual(['added', 'approved', 'claimed', 'handed_off', 'claimed', 'expired', 'claimed', 'failed']);
    expect(approved.history.map((event) => event.kind)).toEqual(['added', 'claimed', 'review_requested', 'changes_requested', 'claimed', 'review_requested', 'review_approved']);
  });
});
