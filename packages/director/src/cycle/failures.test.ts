import { describe, expect, it } from 'vitest';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { githubWorld, scriptedRunner } from '../test-support/director-fixture.js';
import type { RunJobResult } from './run-job.js';

const failed = (kind: Extract<RunJobResult, { ok: false }>['failure']['kind'], message: string = kind): RunJobResult => ({ ok: false, failure: { kind, message } });

describe('failures', () => {
  it('should burn no attempts on infrastructure failures and move to the stronger model after two task failures', { timeout: 180_000 }, async () => {
    await using world = await githubWorld();
    world.github.addIssue('acme/tickets', { title: '[api] flaky world' });
    const runner = scriptedRunner();
    runner.script('acme/tickets#1', [
      { ok: false, failure: { kind: 'rate_limited', message: "You've hit your limit", resetsAt: '2026-11-26T04:00:00.000Z' } },
      failed('auth_failed'),
      failed('fast_fail'),
      failed('overloaded'),
      failed('task', 'tests still fail'),
      failed('task', 'tests still fail'),
    ]);
    const director = world.director('dir-a', runner.runJob);
    const outcomes = [];
    for (let cycle = 0; cycle < 7; cycle += 1) outcomes.push(...(await director.runCycle()).batches);

    expect(outcomes.map((o) => [o.outcome, o.failureKind ?? null, o.burned ?? null, o.model])).toEqual([
      ['retry_later', 'rate_limited', false, 'sonnet'],
      ['retry_later', 'auth_failed', false, 'sonnet'],
      ['retry_later', 'fast_fail', false, 'sonnet'],
      ['retry_later', 'overloaded', false, 'sonnet'],
      ['retry_later', 'task', true, 'sonnet'],
      ['retry_later', 'task', true, 'sonnet'],
      ['pull_request', null, null, undefined],
    ]);
    expect(outcomes[5]).toMatchObject({ escalates: true, detail: 'task (attempt 2 of 3 used): tests still fail' });
    expect(outcomes[0]?.detail).toBe("rate_limited (infrastructure: no attempt used): You've hit your limit");
    expect(runner.calls.map((c) => c.model)).toEqual(['sonnet', 'sonnet', 'sonnet', 'sonnet', 'sonnet', 'sonnet', 'opus']);
    // One batch, one branch, attempts numbered across every kind of failure.
    expect(new Set(runner.calls.map((c) => c.idempotencyKey.split(':')[0])).size).toBe(1);
    expect(runner.calls.map((c) => Number(c.idempotencyKey.split(':')[1]))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const ledger = openSqliteLedger(world.ledgerPath);
    expect(await ledger.ticket('github:acme/tickets#1')).toMatchObject({ status: 'in_review', failedAttempts: 2, infraFailures: 4 });
    await ledger.close();
    expect(world.github.pulls('acme/api')).toHaveLength(1);
  });

  it('should give up after the configured attempts and say so on the ticket, opening nothing', { timeout: 120_000 }, async () => {
    await using world = await githubWorld({ attempts: 2 });
    world.github.addIssue('acme/tickets', { title: '[api] impossible' });
    const runner = scriptedRunner();
    runner.script('acme/tickets#1', [failed('task', 'no'), failed('task', 'still no')]);
    const director = world.director('dir-a', runner.runJob);
    const first = await director.runCycle();
    const second = await director.runCycle();
    const third = await director.runCycle();
    expect(first.batches.map((b) => b.outcome)).toEqual(['retry_later']);
    expect(second.batches).toMatchObject([{ outcome: 'gave_up', detail: 'gave up after 2 failed attempts; the last: task: still no' }]);
    expect(third.batches).toMatchObject([{ outcome: 'already_done' }]);
    expect(runner.calls).toHaveLength(2);
    expect(world.github.pulls('acme/api')).toEqual([]);
    const issue = world.github.issue('acme/tickets', 1);
    expect(issue.labels).toEqual([]);
    expect(issue.comments.map((c) => c.body)).toEqual(['Flotilla director gave up on this issue: gave up after 2 failed attempts; the last: task: still no']);
  });

  it('should treat a job runner that throws as a crash, not the ticket’s fault', { timeout: 120_000 }, async () => {
    await using world = await githubWorld();
    world.github.addIssue('acme/tickets', { title: '[api] x' });
    const director = world.director('dir-a', async () => {
      throw new Error('hub unreachable');
    });
    const report = await director.runCycle();
    expect(report.batches).toMatchObject([{ outcome: 'retry_later', failureKind: 'crashed', burned: false, detail: 'crashed (infrastructure: no attempt used): the job runner failed: hub unreachable' }]);
  });

  it('should skip and report tickets it cannot route, touching nothing', { timeout: 120_000 }, async () => {
    await using world = await githubWorld();
    world.github.addIssue('acme/tickets', { title: 'mystery ticket', body: 'somewhere, something' });
    world.github.addIssue('acme/tickets', { title: '[billing] invoices' });
    const runner = scriptedRunner();
    const report = await world.director('dir-a', runner.runJob).runCycle();
    expect(report.skipped).toEqual([
      { ticket: 'github:acme/tickets#2', title: '[billing] invoices', reason: 'the title names [billing], which is not a configured repo (api)' },
      { ticket: 'github:acme/tickets#1', title: 'mystery ticket', reason: 'no [repo] prefix, repo label or keyword matched; add one of api as a [prefix] or label' },
    ]);
    expect(report.batches).toEqual([]);
    expect(runner.calls).toEqual([]);
    expect(world.github.issue('acme/tickets', 1)).toMatchObject({ labels: [], comments: [] });
    expect(world.github.requests.some((r) => r.startsWith('POST'))).toBe(false);
  });

  it('should report a rate-limited source and carry on with the others', { timeout: 60_000 }, async () => {
    await using world = await githubWorld();
    world.github.rateLimitNext(1, 429);
    const report = await world.director('dir-a', scriptedRunner().runJob).runCycle();
    expect(report.sourceErrors).toMatchObject([{ source: 'github', code: 'RATE_LIMITED', resetsAt: expect.any(String) }]);
  });
});
