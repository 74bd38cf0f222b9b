import { describe, expect, it } from 'vitest';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { githubWorld, scriptedRunner } from '../test-support/director-fixture.js';
import { createPauseGate, FIRST_BACKOFF_MS, MAX_BACKOFF_MS } from './pause.js';
import type { BatchReport } from './report.js';

const run = (failureKind?: BatchReport['failureKind'], resetsAt?: string): BatchReport => ({
  tickets: ['x'],
  repo: 'api',
  branch: 'b',
  outcome: failureKind === undefined ? 'pull_request' : 'retry_later',
  detail: '',
  model: 'sonnet',
  ...(failureKind === undefined ? {} : { failureKind, resetsAt: resetsAt ?? null }),
});
const T0 = Date.parse('2026-11-26T01:00:00.000Z');

describe('createPauseGate', () => {
  it('should pause until the latest reset once half the runs (and at least 3) hit a limit, and say so once', () => {
    const gate = createPauseGate();
    const storm = [run('rate_limited', '2026-11-26T03:00:00.000Z'), run('rate_limited', '2026-11-26T04:00:00.000Z'), run('fast_fail'), run(), run('task')];
    expect(gate.observe(storm, T0)).toEqual({ until: Date.parse('2026-11-26T04:00:00.000Z'), reason: '3 of 5 runs this cycle were rate-limited or failed fast' });
    expect(gate.current(T0 + 1000)?.until).toBe(Date.parse('2026-11-26T04:00:00.000Z'));
    expect(gate.observe(storm, T0 + 1000)).toBeNull();
    expect(gate.current(Date.parse('2026-11-26T04:00:00.001Z'))).toBeNull();
  });

  it('should not pause for a few failures or a minority', () => {
    const gate = createPauseGate();
    expect(gate.observe([run('rate_limited'), run('rate_limited'), run()], T0)).toBeNull();
    expect(gate.observe([run('rate_limited'), run('fast_fail'), run('rate_limited'), run(), run(), run(), run()], T0)).toBeNull();
    expect(gate.observe([], T0)).toBeNull();
  });

  it('should back off from 5 minutes, doubling up to an hour, when no reset is known', () => {
    const gate = createPauseGate();
    const storm = [run('fast_fail'), run('fast_fail'), run('fast_fail')];
    const waits: number[] = [];
    let now = T0;
    for (let n = 0; n < 6; n += 1) {
      const pause = gate.observe(storm, now)!;
      waits.push(pause.until - now);
      now = pause.until;
    }
    expect(waits).toEqual([FIRST_BACKOFF_MS, 2 * FIRST_BACKOFF_MS, 4 * FIRST_BACKOFF_MS, 8 * FIRST_BACKOFF_MS, MAX_BACKOFF_MS, MAX_BACKOFF_MS]);
    gate.observe([run(), run(), run()], now);
    expect(gate.observe(storm, now)!.until - now).toBe(FIRST_BACKOFF_MS);
  });
});

describe('a rate-limit storm', () => {
  it('should burn no attempts, escalate no model, announce one pause, dispatch nothing while paused and resume after the reset', { timeout: 240_000 }, async () => {
    await using world = await githubWorld({ perRepo: 3 });
    const runner = scriptedRunner();
    const reset = '2026-11-26T04:00:00.000Z';
    for (let n = 1; n <= 3; n += 1) {
      world.github.addIssue('acme/tickets', { title: `[api] storm ${n}` });
      runner.script(`acme/tickets#${n}`, [{ ok: false, failure: { kind: 'rate_limited', message: "You've hit your limit · resets 4am", resetsAt: reset } }]);
    }
    let clock = T0;
    const director = world.director('dir-a', runner.runJob, { now: () => clock });
    const first = await director.runCycle();
    expect(first.batches.map((b) => [b.outcome, b.failureKind, b.burned, b.escalates])).toEqual(Array.from({ length: 3 }, () => ['retry_later', 'rate_limited', false, false]));
    expect(first.pause).toEqual({ until: reset, reason: '3 of 3 runs this cycle were rate-limited or failed fast', started: true });

    clock = Date.parse('2026-11-26T03:59:00.000Z');
    const paused = await director.runCycle();
    expect(paused).toMatchObject({ batches: [], pause: { until: reset, started: false } });
    expect(runner.calls).toHaveLength(3);

    clock = Date.parse('2026-11-26T04:00:01.000Z');
    const resumed = await director.runCycle();
    expect(resumed.pause).toBeNull();
    expect(resumed.batches.map((b) => b.outcome)).toEqual(['pull_request', 'pull_request', 'pull_request']);
    expect(runner.calls.map((c) => c.model)).toEqual(['sonnet', 'sonnet', 'sonnet', 'sonnet', 'sonnet', 'sonnet']);
    const ledger = openSqliteLedger(world.ledgerPath);
    for (let n = 1; n <= 3; n += 1) expect(await ledger.ticket(`github:acme/tickets#${n}`)).toMatchObject({ failedAttempts: 0, infraFailures: 1, status: 'in_review' });
    await ledger.close();
  });
});
