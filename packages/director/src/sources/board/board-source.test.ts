import { createBoardClient } from '@flotilla/protocol';
import { describe, expect, it } from 'vitest';
import { createFakeBoard } from '../../test-support/fake-board.js';
import { createBoardSource } from './board-source.js';

const OPTIONS = { holder: 'director', leaseMinutes: 30, reviewTo: 'review', host: 'dragon' };

describe('createBoardSource', () => {
  it('should list todo tasks and its own held tasks, not tasks another holder has', async () => {
    const fake = createFakeBoard();
    const a = fake.add({ title: '[api] rate limiter', body: 'ten per second', tags: ['backend'] });
    fake.add({ title: 'someone else’s', tags: [] });
    const source = createBoardSource(createBoardClient(fake), OPTIONS);
    const other = createBoardSource(createBoardClient(fake), { ...OPTIONS, holder: 'agent-7' });
    const [, second] = await other.listEligible();
    expect(await other.claim(second!)).toBe(true);
    const tickets = await source.listEligible();
    expect(tickets.map((t) => [t.id, t.title, t.inProgress])).toEqual([['T-1', '[api] rate limiter', false]]);
    expect(tickets[0]).toMatchObject({ source: 'board', ref: a.id, body: 'ten per second', labels: ['backend'], url: null, comments: [] });
  });

  it('should claim exactly the wanted task under a lease, and not one another director holds', async () => {
    const fake = createFakeBoard();
    fake.add({ title: 'unroutable', priority: 'high' });
    fake.add({ title: '[api] wanted' });
    const source = createBoardSource(createBoardClient(fake), OPTIONS);
    const wanted = (await source.listEligible()).find((t) => t.title === '[api] wanted')!;
    expect(await source.claim(wanted)).toBe(true);
    expect(fake.task(wanted.ref)).toMatchObject({ status: 'doing', holder: { who: 'director', host: 'dragon' } });
    expect(fake.task('T-1')).toMatchObject({ status: 'todo', holder: null, token: 0 });
    const rival = createBoardSource(createBoardClient(fake), { ...OPTIONS, holder: 'director-2' });
    expect(await rival.claim(wanted)).toBe(false);
    // Held tasks show up again (a restarted director resumes them), and re-claiming renews.
    const again = createBoardSource(createBoardClient(fake), OPTIONS);
    const held = (await again.listEligible()).find((t) => t.id === wanted.id)!;
    expect(held.inProgress).toBe(true);
    expect(await again.claim(held)).toBe(true);
  });

  it('should hand a finished task to review with its branch, link and queued comments', async () => {
    const fake = createFakeBoard();
    fake.add({ title: '[api] wanted' });
    const source = createBoardSource(createBoardClient(fake), OPTIONS);
    const [ticket] = await source.listEligible();
    await source.claim(ticket!);
    await source.setStatus(ticket!, { status: 'in_progress' });
    await source.comment(ticket!, 'attempt 1 hit a rate limit; not counted');
    await source.setStatus(ticket!, { status: 'in_review', link: 'https://github.test/acme/api/pull/1', branch: 'flotilla/t/board-T-1', note: '1 commit' });
    const task = fake.task(ticket!.ref);
    expect(task).toMatchObject({ status: 'todo', for: 'review', branch: 'flotilla/t/board-T-1', holder: null });
    expect(task.history.at(-1)?.note).toBe('In review: https://github.test/acme/api/pull/1\n\n1 commit\n\nattempt 1 hit a rate limit; not counted');
    expect(await source.listEligible()).toEqual([]);
  });

  it('should report a lost lease as a failed claim, and fail a task it gives up on', async () => {
    const fake = createFakeBoard();
    fake.add({ title: 'a' });
    fake.add({ title: 'b' });
    const source = createBoardSource(createBoardClient(fake), { ...OPTIONS, leaseMinutes: 0.00001 });
    const [a, b] = await source.listEligible();
    expect(await source.claim(a!)).toBe(true);
    fake.expireLeases(new Date(Date.now() + 1000));
    await expect(source.setStatus(a!, { status: 'in_progress' })).rejects.toThrow(/lease was lost/);
    expect(await source.claim(b!)).toBe(true);
    await source.setStatus(b!, { status: 'failed', note: 'gave up after 3 failed attempts' });
    expect(fake.task(b!.ref)).toMatchObject({ status: 'failed', attempts: 1 });
  });
});
