import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTs, srcModule } from '../test-support/run-ts.js';
import { modelForAttempt } from './attempt-cost.js';
import type { BatchTicketInput, Ledger } from './ledger.js';
import { openSqliteLedger } from './sqlite-ledger.js';


function ticket(id: string): BatchTicketInput {
  return { key: `board:${id}`, source: 'board', ticketId: id, title: `ticket ${id}` };
}

describe('openSqliteLedger', () => {
  let dir: string;
  let clock: number;
  let a: Ledger;
  let b: Ledger;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'director-ledger-'));
    clock = 1_000_000;
    a = openSqliteLedger(join(dir, 'ledger.db'), { now: () => clock });
    b = openSqliteLedger(join(dir, 'ledger.db'), { now: () => clock });
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should give a batch to one director until its lease runs out', async () => {
    const input = { repo: 'api', branch: 'flotilla/t/board-T-1', tickets: [ticket('T-1')], leaseMs: 60_000 };
    const first = await a.claimBatch({ ...input, owner: 'dir-a' });
    expect(first).toMatchObject({ claimed: true, resumed: false });
    expect(await b.claimBatch({ ...input, owner: 'dir-b' })).toMatchObject({ claimed: false, reason: 'held', by: 'dir-a' });
    expect(await a.claimBatch({ ...input, owner: 'dir-a' })).toMatchObject({ claimed: true, resumed: true });
    clock += 60_001;
    const taken = await b.claimBatch({ ...input, owner: 'dir-b' });
    expect(taken).toMatchObject({ claimed: true, resumed: true });
    expect(taken.claimed && taken.batch.id).toBe(first.claimed && first.batch.id);
  });

  it('should keep a ticket in at most one open batch and refuse finished tickets', async () => {
    const one = await a.claimBatch({ repo: 'api', branch: 'b1', tickets: [ticket('T-1'), ticket('T-2')], owner: 'dir-a', leaseMs: 1000 });
    expect(await b.claimBatch({ repo: 'api', branch: 'b2', tickets: [ticket('T-2')], owner: 'dir-b', leaseMs: 1000 })).toMatchObject({
      claimed: false,
      reason: 'other_batch',
    });
    if (!one.claimed) throw new Error('not claimed');
    await a.closeBatch(one.batch.id, 'pull_request', 'https://example.test/pr/1');
    expect(await a.ticket('board:T-2')).toMatchObject({ status: 'in_review', link: 'https://example.test/pr/1' });
    expect(await b.claimBatch({ repo: 'api', branch: 'b2', tickets: [ticket('T-2')], owner: 'dir-b', leaseMs: 1000 })).toMatchObject({
      claimed: false,
      reason: 'finished',
    });
  });

  it('should burn attempts only for the ticket’s own failures, and give up at the limit', async () => {
    const claim = await a.claimBatch({ repo: 'api', branch: 'b', tickets: [ticket('T-1')], owner: 'dir-a', leaseMs: 1000 });
    if (!claim.claimed) throw new Error('not claimed');
    const id = claim.batch.id;
    for (const kind of ['rate_limited', 'auth_failed', 'fast_fail', 'overloaded', 'crashed'] as const) {
      const attempt = await a.startAttempt(id, 'sonnet', 'dir-a');
      const result = await a.endAttempt(attempt.id, { outcome: 'failed', kind, message: kind }, 3);
      expect(result).toMatchObject({ failedAttempts: 0, exhausted: false, attempt: { burned: false, failureKind: kind } });
    }
    expect(await a.ticket('board:T-1')).toMatchObject({ failedAttempts: 0, infraFailures: 5, status: 'open' });
    const ladder = ['sonnet', 'sonnet', 'opus'];
    const models: string[] = [];
    for (let n = 0; n < 3; n += 1) {
      const failed = (await a.ticket('board:T-1'))!.failedAttempts;
      models.push(modelForAttempt(ladder, failed));
      const attempt = await a.startAttempt(id, models.at(-1)!, 'dir-a');
      const result = await a.endAttempt(attempt.id, { outcome: 'failed', kind: 'task', message: 'tests fail' }, 3);
      expect(result.exhausted).toBe(n === 2);
    }
    expect(models).toEqual(['sonnet', 'sonnet', 'opus']);
    expect(await a.ticket('board:T-1')).toMatchObject({ failedAttempts: 3, status: 'given_up' });
    expect(await a.batch(id)).toMatchObject({ status: 'closed', outcome: 'given_up' });
    expect((await a.attempts(id)).map((t) => t.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('should commit the PR intent before the create and let one director at a time create', async () => {
    const claim = await a.claimBatch({ repo: 'api', branch: 'flotilla/t/board-T-1', tickets: [ticket('T-1')], owner: 'dir-a', leaseMs: 1000 });
    if (!claim.claimed) throw new Error('not claimed');
    const pr = { repo: 'acme/api', head: 'flotilla/t/board-T-1', base: 'main', leaseMs: 30_000 };
    expect(await a.intendPullRequest(claim.batch.id, { ...pr, owner: 'dir-a' })).toMatchObject({ state: 'intended' });
    // The intent is visible to another connection at once: it was committed.
    expect(await b.pullRequest(claim.batch.id)).toMatchObject({ state: 'intended', intendedBy: 'dir-a' });
    expect(await b.intendPullRequest(claim.batch.id, { ...pr, owner: 'dir-b' })).toMatchObject({ state: 'busy' });
    clock += 30_001;
    expect(await b.intendPullRequest(claim.batch.id, { ...pr, owner: 'dir-b' })).toMatchObject({ state: 'intended', record: { intendedBy: 'dir-b' } });
    await b.recordPullRequest(claim.batch.id, { number: 7, url: 'https://example.test/pull/7', adopted: true });
    expect(await a.intendPullRequest(claim.batch.id, { ...pr, owner: 'dir-a' })).toMatchObject({ state: 'created', record: { number: 7, adopted: true } });
  });

  it('should let exactly one of several processes claim a batch', { timeout: 240_000 }, async () => {
    const script = join(dir, 'claim.mts');
    const ledgerModule = srcModule('ledger/sqlite-ledger.ts');
    writeFileSync(
      script,
      `import { openSqliteLedger } from ${JSON.stringify(ledgerModule)};
const ledger = openSqliteLedger(process.argv[2]);
const result = await ledger.claimBatch({ repo: 'api', branch: 'b', owner: process.argv[3], leaseMs: 60000,
  tickets: [{ key: 'board:T-9', source: 'board', ticketId: 'T-9', title: 't' }] });
process.stdout.write(result.claimed ? 'claimed' : result.reason);
await ledger.close();`,
    );
    const runs = Array.from({ length: 4 }, (_, n) =>
      runTs(script, [join(dir, 'ledger.db'), `proc-${n}`]),
    );
    const outputs = (await Promise.all(runs)).sort();
    expect(outputs).toEqual(['claimed', 'held', 'held', 'held']);
  });
});
