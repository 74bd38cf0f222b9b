import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { githubWorld, scriptedRunner, TOKEN } from '../test-support/director-fixture.js';
import { spawnTs, srcModule } from '../test-support/run-ts.js';

describe('a director killed between "PR created" and "PR recorded"', () => {
  it('should find and adopt the pull request on restart instead of opening a second', { timeout: 240_000 }, async () => {
    await using world = await githubWorld();
    world.github.addIssue('acme/tickets', { title: '[api] survive a kill -9' });
    const child = spawnTs(srcModule('test-support/director-child.ts'), [
      JSON.stringify({ apiUrl: world.github.url, token: TOKEN, ledgerPath: world.ledgerPath, repoPath: world.api.repo, worktreesDir: join(world.tmp.path, 'wt-child'), id: 'dir-a' }),
    ]);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    // GitHub stores the pull request; the director dies before it reads the answer.
    const killed = new Promise<void>((resolve) => {
      world.github.onPullCreatedOnce(async () => {
        child.kill('SIGKILL');
        await exited;
        resolve();
      });
    });
    await Promise.race([killed, exited.then((how) => Promise.reject(new Error(`the child ended (${String(how)}) before creating a PR: ${stderr}`)))]);
    expect(await exited).toBe('SIGKILL');
    expect(world.github.pulls('acme/api')).toHaveLength(1);

    const ledger = openSqliteLedger(world.ledgerPath);
    const batch = await ledger.openBatchOf('github:acme/tickets#1');
    expect(batch).toMatchObject({ stage: 'pushed', owner: 'dir-a' });
    expect(await ledger.pullRequest(batch!.id)).toMatchObject({ state: 'intended', number: null });
    await ledger.close();

    const runner = scriptedRunner();
    const report = await world.director('dir-a', runner.runJob).runCycle();
    expect(report.batches).toMatchObject([{ outcome: 'pull_request', link: 'https://github.test/acme/api/pull/1', detail: 'adopted the existing pull request' }]);
    expect(world.github.pulls('acme/api')).toHaveLength(1);
    expect(world.github.requests.filter((r) => r.startsWith('POST /repos/acme/api/pulls'))).toHaveLength(1);
    expect(runner.calls).toEqual([]);
    expect(world.github.issue('acme/tickets', 1).labels).toEqual(['flotilla:in-review']);
  });
});
