import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('Semaphore', () => {
  it('should run at most `limit` tasks at once, in order, and honour a lowered limit', async () => {
    const semaphore = new Semaphore(3);
    const gates = Array.from({ length: 6 }, gate);
    const started: number[] = [];
    const done = gates.map((g, index) =>
      semaphore.run(async () => {
        started.push(index);
        await g.promise;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    semaphore.setLimit(1);
    gates[0]?.open();
    gates[1]?.open();
    await Promise.all(done.slice(0, 2));
    expect(started).toEqual([0, 1, 2]); // two still above the new limit of 1 until task 2 ends
    gates[2]?.open();
    await done[2];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(semaphore.inUse).toBe(1);
    for (const g of gates) g.open();
    await Promise.all(done);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(semaphore.inUse).toBe(0);
  });
});
