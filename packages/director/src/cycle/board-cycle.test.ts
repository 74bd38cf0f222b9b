import { join } from 'node:path';
import { makeTempDir } from '@flotilla/testkit';
import { describe, expect, it } from 'vitest';
import { formatConfigIssue, parseConfig } from '../config/load-config.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { createSources } from '../sources/create-sources.js';
import { scriptedRunner } from '../test-support/director-fixture.js';
import { createFakeBoard } from '../test-support/fake-board.js';
import { branchesOf, makeRepoWithRemote } from '../test-support/git-fixture.js';
import { createDirector } from './director.js';

describe('a cycle over the Flotilla board', () => {
  it('should turn [repo] board tasks into one recorded branch each, with two directors on one board and ledger', { timeout: 300_000 }, async () => {
    await using tmp = await makeTempDir('director-board-');
    const api = await makeRepoWithRemote(tmp.path, 'api');
    const solo = await makeRepoWithRemote(tmp.path, 'solo', { remote: false });
    const parsed = parseConfig(JSON.stringify({ repos: [{ name: 'api', path: api.repo, base: 'main' }, { name: 'solo', path: solo.repo, base: 'main' }] }));
    if (!parsed.ok) throw new Error(parsed.issues.map(formatConfigIssue).join('\n'));
    const board = createFakeBoard();
    board.add({ title: 'nobody knows where this goes', priority: 'high' });
    for (let n = 1; n <= 4; n += 1) board.add({ title: `[api] board task ${n}` });
    board.add({ title: '[solo] a local-only repo' });
    const runner = scriptedRunner();
    const ledgerPath = join(tmp.path, 'ledger.db');
    const directors = ['dir-a', 'dir-b'].map((id) => {
      const made = createSources(parsed.config, { hub: board, env: {}, host: 'dragon' });
      if (!made.ok) throw new Error(made.problems.join('; '));
      return createDirector({ config: parsed.config, ledger: openSqliteLedger(ledgerPath), sources: made.sources, runJob: runner.runJob, github: null, id, worktreesDir: join(tmp.path, 'wt', id) });
    });

    const first = await Promise.all([directors[0]!.runCycle(), directors[1]!.runCycle(), directors[0]!.runCycle(), directors[1]!.runCycle()]);
    for (let round = 0; round < 6; round += 1) {
      board.expireLeases(new Date(Date.now() + 10)); // the hub's sweeper returns released tasks
      await Promise.all(directors.map((d) => d.runCycle()));
    }

    expect(runner.calls.map((c) => c.branch).sort()).toEqual([
      'flotilla/t/board-T-2',
      'flotilla/t/board-T-3',
      'flotilla/t/board-T-4',
      'flotilla/t/board-T-5',
      'flotilla/t/board-T-6',
    ]);
    expect(await branchesOf(api.remote)).toEqual(['flotilla/t/board-T-2', 'flotilla/t/board-T-3', 'flotilla/t/board-T-4', 'flotilla/t/board-T-5', 'main']);
    expect(await branchesOf(solo.repo)).toEqual(['flotilla/t/board-T-6', 'main']);
    for (const key of ['T-2', 'T-3', 'T-4', 'T-5', 'T-6']) {
      const task = board.task(key);
      expect(task).toMatchObject({ status: 'todo', for: 'review', branch: `flotilla/t/board-${key}` });
      expect(task.history.filter((e) => e.kind === 'handed_off')).toHaveLength(1);
    }
    expect(board.task('T-6').history.at(-1)?.note).toBe('In review: branch flotilla/t/board-T-6\n\nbranch flotilla/t/board-T-6: the repo has no origin remote; the branch stays local');
    expect(board.task('T-1')).toMatchObject({ status: 'todo', for: null, attempts: 0 });
    expect(first.flatMap((r) => r.skipped.map((s) => s.ticket))).toContain('board:T-1');
    expect(first.flatMap((r) => r.batches.map((b) => b.outcome))).not.toContain('error');
  });

  it('should hand on a board task the ledger finished but whose handoff was lost', async () => {
    await using tmp = await makeTempDir('director-board-sync-');
    const parsed = parseConfig(JSON.stringify({ repos: [{ name: 'api', path: join(tmp.path, 'api'), base: 'main' }] }));
    if (!parsed.ok) throw new Error('bad config');
    const board = createFakeBoard();
    const task = board.add({ title: '[api] finished, then the director died' });
    const ledgerPath = join(tmp.path, 'ledger.db');
    const before = openSqliteLedger(ledgerPath, { now: () => Date.now() - 60_000 });
    const claim = await before.claimBatch({ repo: 'api', branch: 'flotilla/t/board-T-1', owner: 'dir-a', leaseMs: 1000, tickets: [{ key: 'board:T-1', source: 'board', ticketId: 'T-1', title: task.title }] });
    if (!claim.claimed) throw new Error('not claimed');
    await before.closeBatch(claim.batch.id, 'branch', null, 'branch flotilla/t/board-T-1: pushed to origin');
    await before.close();

    const made = createSources(parsed.config, { hub: board, env: {}, host: 'dragon' });
    if (!made.ok) throw new Error(made.problems.join('; '));
    const runner = scriptedRunner();
    const ledger = openSqliteLedger(ledgerPath);
    const director = createDirector({ config: parsed.config, ledger, sources: made.sources, runJob: runner.runJob, github: null, id: 'dir-a', worktreesDir: join(tmp.path, 'wt') });
    const report = await director.runCycle();
    await ledger.close();
    expect(report.batches).toMatchObject([{ outcome: 'already_done', detail: 'finished before (branch); its status was brought up to date' }]);
    expect(runner.calls).toEqual([]);
    expect(board.task('T-1')).toMatchObject({ status: 'todo', for: 'review', branch: 'flotilla/t/board-T-1' });
  });

  it('should refuse to start without the tokens its sources need', () => {
    const parsed = parseConfig(JSON.stringify({ repos: [{ name: 'api', path: '/a', base: 'main', github: 'acme/api' }], sources: { linear: { team: 'ENG' } } }));
    if (!parsed.ok) throw new Error('bad config');
    expect(createSources(parsed.config, { hub: createFakeBoard(), env: {} })).toEqual({
      ok: false,
      problems: [
        'GITHUB_TOKEN is not set, but repos "api" (pull requests) need a GitHub token',
        'LINEAR_API_KEY is not set, but sources.linear needs a Linear API key',
      ],
    });
  });
});
