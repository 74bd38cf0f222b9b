import { describe, expect, it } from 'vitest';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { branchesOf } from '../test-support/git-fixture.js';
import { githubWorld, scriptedRunner } from '../test-support/director-fixture.js';

/** Slow (real git, 20 worktrees and pushes): the duplicate storm the director exists to prevent. */
describe('never twice', () => {
  it('should open exactly 20 pull requests for 20 tickets triggered 10 times each by two directors on one ledger', { timeout: 300_000 }, async () => {
    await using world = await githubWorld({ perRepo: 3 });
    for (let n = 1; n <= 20; n += 1) world.github.addIssue('acme/tickets', { title: `[api] ticket ${n}`, body: `do thing ${n}` });
    const runner = scriptedRunner();
    const a = world.director('dir-a', runner.runJob);
    const b = world.director('dir-b', runner.runJob);

    const triggers = Array.from({ length: 10 }, (_, n) => (n % 2 === 0 ? a : b).runCycle());
    const reports = await Promise.all(triggers);
    // Tickets that another director held (or was opening a PR for) come back later: run until quiet.
    for (let round = 0; round < 5; round += 1) await Promise.all([a.runCycle(), b.runCycle()]);

    const pulls = world.github.pulls('acme/api');
    expect(pulls).toHaveLength(20);
    expect(new Set(pulls.map((p) => p.head)).size).toBe(20);
    expect(pulls.map((p) => p.head).sort()).toEqual(Array.from({ length: 20 }, (_, n) => `flotilla/t/github-acme-tickets-${n + 1}`).sort());
    // Not even an attempt at a second one: every create call made a pull request.
    expect(world.github.requests.filter((r) => r.startsWith('POST /repos/acme/api/pulls'))).toHaveLength(20);
    // Each ticket's job ran once.
    expect(runner.calls).toHaveLength(20);
    expect(new Set(runner.calls.map((c) => c.branch)).size).toBe(20);
    expect(runner.calls.every((c) => c.model === 'sonnet')).toBe(true);
    expect((await branchesOf(world.api.remote)).length).toBe(21);
    for (let n = 1; n <= 20; n += 1) {
      const issue = world.github.issue('acme/tickets', n);
      expect(issue.labels).toEqual(['flotilla:in-review']);
      expect(issue.comments.filter((c) => c.body.startsWith('Ready for review: https://github.test/acme/api/pull/'))).toHaveLength(1);
    }
    const outcomes = reports.flatMap((r) => r.batches.map((x) => x.outcome));
    expect(outcomes.filter((o) => o === 'pull_request').length).toBeLessThanOrEqual(20);
    expect(outcomes).not.toContain('error');
  });

  it('should adopt, not recreate, a pull request made by a run that died before recording it', { timeout: 120_000 }, async () => {
    await using world = await githubWorld();
    world.github.addIssue('acme/tickets', { title: '[api] crash me' });
    const runner = scriptedRunner();
    const crashing = world.director('dir-a', runner.runJob, {
      hooks: {
        afterPullCreated: () => {
          throw new Error('simulated crash: the process died between "PR created" and "PR recorded"');
        },
      },
    });
    const first = await crashing.runCycle();
    expect(first.batches).toMatchObject([{ outcome: 'error' }]);
    expect(world.github.pulls('acme/api')).toHaveLength(1);

    const ledger = openSqliteLedger(world.ledgerPath);
    const open = await ledger.openBatchOf('github:acme/tickets#1');
    expect(await ledger.pullRequest(open!.id)).toMatchObject({ state: 'intended', number: null });
    await ledger.close();

    const restarted = world.director('dir-a', runner.runJob);
    const second = await restarted.runCycle();
    expect(second.batches).toMatchObject([{ outcome: 'pull_request', link: 'https://github.test/acme/api/pull/1' }]);
    expect(world.github.pulls('acme/api')).toHaveLength(1);
    expect(world.github.requests.filter((r) => r.startsWith('POST /repos/acme/api/pulls'))).toHaveLength(1);
    expect(runner.calls).toHaveLength(1);
    expect(world.github.issue('acme/tickets', 1).labels).toEqual(['flotilla:in-review']);
  });
});
