import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { createGitHubApi } from '../sources/github/github-api.js';
import { createLinearApi } from '../sources/linear/linear-api.js';
import { createLinearSource } from '../sources/linear/linear-source.js';
import { githubWorld, scriptedRunner, TOKEN } from '../test-support/director-fixture.js';
import { startFakeLinear } from '../test-support/fake-linear.js';
import { createDirector } from './director.js';

describe('a cycle over Linear', () => {
  it('should take a queued Linear issue to a pull request and move it to In Review with the link', { timeout: 180_000 }, async () => {
    await using world = await githubWorld();
    await using linear = await startFakeLinear({ token: 'lin_api_test' });
    linear.addTeam('ENG', ['Todo', 'In Progress', 'In Review', 'Done']);
    linear.addIssue('ENG', { title: 'add request ids', description: 'every log line', state: 'Todo', labels: ['api'], comments: ['use ulids'] });
    linear.addIssue('ENG', { title: 'an idea', state: 'Todo' });
    const source = createLinearSource(createLinearApi({ apiUrl: linear.url, token: 'lin_api_test' }), {
      team: 'ENG', states: ['Todo'], inProgressState: 'In Progress', inReviewState: 'In Review', tokenEnv: 'LINEAR_API_KEY', apiUrl: linear.url,
    });
    const runner = scriptedRunner();
    const ledger = openSqliteLedger(world.ledgerPath);
    const director = createDirector({
      config: world.config, ledger, sources: [source], runJob: runner.runJob,
      github: createGitHubApi({ apiUrl: world.github.url, token: TOKEN }), id: 'dir-a', worktreesDir: join(world.tmp.path, 'wt'),
    });
    const report = await director.runCycle();
    const again = await director.runCycle();
    await ledger.close();

    expect(report.skipped).toMatchObject([{ ticket: 'linear:ENG-2', reason: expect.stringMatching(/^no \[repo\] prefix/) }]);
    expect(report.batches).toMatchObject([{ tickets: ['linear:ENG-1'], branch: 'flotilla/t/linear-ENG-1', outcome: 'pull_request', link: 'https://github.test/acme/api/pull/1' }]);
    expect(runner.calls[0]?.prompt).toContain('## ENG-1: add request ids\nhttps://linear.test/issue/ENG-1\n\nevery log line');
    expect(runner.calls[0]?.prompt).toContain('### Comment by Human');
    expect(linear.issue('ENG-1')).toMatchObject({ stateName: 'In Review', comments: [{ body: 'use ulids' }, { body: 'Ready for review: https://github.test/acme/api/pull/1\n\nopened the pull request' }] });
    expect(linear.issue('ENG-2').stateName).toBe('Todo');
    expect(again.batches).toEqual([]);
    expect(world.github.pulls('acme/api')).toHaveLength(1);
  });
});
