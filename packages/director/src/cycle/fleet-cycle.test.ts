/**
 * The cycle with a fleet: a host that fails the pre-flight gets nothing (nothing claimed either),
 * `concurrency.perHost` holds across repos, the storm pause survives a restart (it lives in the
 * ledger), and a crashed attempt is resumed under its own number.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { createGitHubApi } from '../sources/github/github-api.js';
import { createGitHubIssuesSource } from '../sources/github/github-source.js';
import { githubWorld, scriptedRunner, TOKEN, type GitHubWorld } from '../test-support/director-fixture.js';
import { createDirector, type DirectorFleet } from './director.js';
import type { RunJob } from './run-job.js';

function fleetOf(hosts: Array<{ host: string; ok: boolean; detail: string }>, local = hosts[0]!.host): DirectorFleet & { calls: number } {
  const fleet = {
    calls: 0,
    async preflight() {
      fleet.calls += 1;
      return { hosts, placement: (repoHosts: readonly string[]) => (repoHosts.length === 0 || repoHosts.includes(local) ? { host: local } : { refused: `not ${local}` }) };
    },
  };
  return fleet;
}

function directorFor(world: GitHubWorld, runJob: RunJob, options: { fleet?: DirectorFleet; perHost?: number; perRepo?: number; id?: string; now?: () => number } = {}) {
  const config = { ...world.config, concurrency: { perHost: options.perHost ?? 2, perRepo: options.perRepo ?? 2 } };
  const gh = createGitHubApi({ apiUrl: world.github.url, token: TOKEN });
  const ledger = openSqliteLedger(world.ledgerPath);
  const director = createDirector({
    config,
    ledger,
    sources: [createGitHubIssuesSource(gh, config.sources.github!)],
    runJob,
    github: gh,
    id: options.id ?? 'dir-a',
    worktreesDir: join(world.tmp.path, 'wt', options.id ?? 'dir-a'),
    ...(options.fleet ? { fleet: options.fleet } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return { director, ledger };
}

describe('a cycle with a fleet', () => {
  it('should dispatch nothing to a host that failed the pre-flight, claim nothing, and say why', async () => {
    await using world = await githubWorld();
    world.github.addIssue('acme/tickets', { title: '[api] first' });
    const runner = scriptedRunner();
    const fleet = fleetOf([{ host: 'box', ok: false, detail: 'doctor: claude credential: not logged in' }]);
    const { director, ledger } = directorFor(world, runner.runJob, { fleet });
    const report = await director.runCycle();
    await ledger.close();
    expect(fleet.calls).toBe(1);
    expect(runner.calls).toEqual([]);
    expect(report.preflight).toEqual([{ host: 'box', ok: false, detail: 'doctor: claude credential: not logged in' }]);
    expect(report.skipped).toEqual([
      { ticket: 'github:acme/tickets#1', title: '[api] first', reason: 'host box failed the pre-flight, nothing is dispatched to it: doctor: claude credential: not logged in' },
    ]);
    expect(world.github.issue('acme/tickets', 1).labels).toEqual([]);
  });

  it('should dispatch nothing more to a host in the cycle once its agent failed to authenticate, claim nothing more, and say why', { timeout: 120_000 }, async () => {
    await using world = await githubWorld();
    for (let n = 1; n <= 3; n += 1) world.github.addIssue('acme/tickets', { title: `[api] ticket ${n}` });
    const calls: string[] = [];
    // The first job dispatched finds the host's credential refused; the other two would succeed.
    const runJob: RunJob = async (request) => {
      calls.push(request.tickets[0]!.id);
      return { ok: false, failure: { kind: 'auth_failed', message: 'Invalid API key · Please run /login', resetsAt: null } };
    };
    const { director, ledger } = directorFor(world, runJob, { fleet: fleetOf([{ host: 'box', ok: true, detail: 'doctor ok' }]), perHost: 1, perRepo: 3 });
    const report = await director.runCycle();
    await ledger.close();
    expect(calls).toHaveLength(1);
    const first = Number(calls[0]!.split('#')[1]);
    expect(report.batches).toEqual([expect.objectContaining({ tickets: [`github:acme/tickets#${first}`], outcome: 'retry_later', failureKind: 'auth_failed', burned: false, host: 'box' })]);
    const reason = 'host box failed auth_failed earlier this cycle; nothing more is dispatched to it until the next pre-flight';
    const others = [1, 2, 3].filter((n) => n !== first);
    expect(report.skipped.sort((a, b) => a.ticket.localeCompare(b.ticket))).toEqual(others.map((n) => ({ ticket: `github:acme/tickets#${n}`, title: `[api] ticket ${n}`, reason })));
    for (const n of others) expect(world.github.issue('acme/tickets', n).labels).toEqual([]);
  });

  it('should hold concurrency.perHost across batches and name the host in the report', { timeout: 120_000 }, async () => {
    await using world = await githubWorld();
    for (let n = 1; n <= 2; n += 1) world.github.addIssue('acme/tickets', { title: `[api] ticket ${n}` });
    const runner = scriptedRunner();
    let running = 0;
    let most = 0;
    const runJob: RunJob = async (request) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 150));
      try {
        return await runner.runJob(request);
      } finally {
        running -= 1;
      }
    };
    const { director, ledger } = directorFor(world, runJob, { fleet: fleetOf([{ host: 'box', ok: true, detail: 'doctor ok' }]), perHost: 1, perRepo: 3 });
    const report = await director.runCycle();
    await ledger.close();
    expect(most).toBe(1);
    expect(report.batches.map((b) => [b.outcome, b.host])).toEqual([
      ['pull_request', 'box'],
      ['pull_request', 'box'],
    ]);
  });

  it('should keep a storm pause in the ledger, so a restarted director still honours it', { timeout: 120_000 }, async () => {
    await using world = await githubWorld({ perRepo: 3 });
    for (let n = 1; n <= 3; n += 1) world.github.addIssue('acme/tickets', { title: `[api] ticket ${n}` });
    const resetsAt = new Date(Date.now() + 3_600_000).toISOString();
    const runner = scriptedRunner();
    for (let n = 1; n <= 3; n += 1) runner.script(`acme/tickets#${n}`, [{ ok: false, failure: { kind: 'rate_limited', message: 'limit', resetsAt } }]);
    const first = directorFor(world, runner.runJob, { perRepo: 3 });
    const report = await first.director.runCycle();
    await first.ledger.close();
    expect(report.pause).toEqual({ until: resetsAt, reason: '3 of 3 runs this cycle were rate-limited or failed fast', started: true });

    const restarted = directorFor(world, runner.runJob, { perRepo: 3, id: 'dir-a' });
    const again = await restarted.director.runCycle();
    await restarted.ledger.close();
    expect(again.pause).toEqual({ until: resetsAt, reason: '3 of 3 runs this cycle were rate-limited or failed fast', started: false });
    expect(again.batches).toEqual([]);
    expect(runner.calls).toHaveLength(3);

    // (Past the reset the gate lets cycles run again: pause.test.ts and failures.test.ts.)
  });

  it('should resume an attempt a crashed director never ended, under the same number (the same idempotency key)', async () => {
    await using world = await githubWorld();
    const ledger = openSqliteLedger(world.ledgerPath);
    const claim = await ledger.claimBatch({ repo: 'api', branch: 'flotilla/t/x', owner: 'dir-a', leaseMs: 60_000, tickets: [{ key: 'github:x#1', source: 'github', ticketId: 'x#1', title: 'x' }] });
    if (!claim.claimed) throw new Error('not claimed');
    const started = await ledger.startAttempt(claim.batch.id, 'sonnet', 'dir-a');
    const resumed = await ledger.startAttempt(claim.batch.id, 'sonnet', 'dir-a');
    expect(resumed).toMatchObject({ id: started.id, number: 1, outcome: null });
    await ledger.endAttempt(resumed.id, { outcome: 'failed', kind: 'rate_limited', message: 'limit' }, 3);
    expect((await ledger.startAttempt(claim.batch.id, 'sonnet', 'dir-a')).number).toBe(2);
    await ledger.close();
  });
});
