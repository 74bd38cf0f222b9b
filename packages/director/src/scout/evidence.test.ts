import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@flotilla/testkit';
import { describe, expect, it } from 'vitest';
import { git } from '../git/run-git.js';
import { makeScoutRepo } from '../test-support/scout-world.js';
import { gatherEvidence, hasFindings, renderEvidence } from './evidence.js';
import { openScoutWorktree, sweepLeftovers } from './scout-worktree.js';

describe('the scout\'s evidence, gathered in a fresh worktree of the base', () => {
  it('should cluster marker comments by directory with path:line, keep a failing command\'s exit and tail, and leave nothing behind', { timeout: 120_000 }, async () => {
    await using tmp = await makeTempDir('scout-evidence-');
    const { repo } = await makeScoutRepo(tmp.path);
    const worktree = await openScoutWorktree({ repoPath: repo, repoName: 'api', base: 'main', worktreesDir: join(tmp.path, 'worktrees'), setup: 'echo installed > .installed' });
    expect(worktree.setup).toMatchObject({ ok: true });
    const evidence = await gatherEvidence({
      worktreePath: worktree.path,
      commands: [
        { name: 'tests', command: 'sh test/sum.test.sh', timeoutMinutes: 1 },
        { name: 'lint', command: 'echo "src/auth/login.ts:2 warning no-todo"; echo scratch > lint-cache.txt', timeoutMinutes: 1 },
        { name: 'slow', command: 'echo started; sleep 30', timeoutMinutes: 0.02 },
      ],
      markers: ['TODO', 'FIXME'],
    });
    await worktree.remove();

    expect(evidence.commands.map((c) => [c.name, c.exitCode, c.timedOut])).toEqual([
      ['tests', 1, false],
      ['lint', 0, false],
      ['slow', null, true],
    ]);
    expect(evidence.commands[0]!.tail).toContain('not ok 2 - sum handles negatives');
    expect(evidence.commands[2]!.tail).toBe('started');
    expect(evidence.markers.total).toBe(6);
    expect(evidence.markers.clusters.map((c) => [c.directory, c.count, c.files.map((f) => `${f.path}×${f.count}`)])).toEqual([
      ['src/auth', 4, ['src/auth/login.ts×2', 'src/auth/session.ts×2']],
      ['src/billing', 2, ['src/billing/invoice.ts×2']],
    ]);
    expect(evidence.markers.clusters[0]!.hits).toContainEqual({ path: 'src/auth/session.ts', line: 1, marker: 'FIXME', text: 'export const TTL = 3600; // FIXME: read the TTL from the config' });
    const text = renderEvidence(evidence);
    expect(text).toContain('src/auth/login.ts:2: // TODO: rate-limit failed logins');
    expect(text).toContain('### tests: `sh test/sum.test.sh` — exit 1');
    expect(text).toContain('timed out after');
    expect(hasFindings(evidence)).toBe(true);

    // The checkout is as it was: no worktree, no scout branch, no file the commands wrote.
    expect(existsSync(worktree.path)).toBe(false);
    expect(await git(repo, ['branch', '--list', 'flotilla/scout/*'])).toBe('');
    expect(await git(repo, ['status', '--porcelain'])).toBe('');
    expect((await git(repo, ['worktree', 'list', '--porcelain'])).split('\n').filter((line) => line.startsWith('worktree '))).toEqual([`worktree ${repo}`]);
  });

  it('should sweep a scout worktree and branch whose process is gone, and leave a live one', { timeout: 120_000 }, async () => {
    await using tmp = await makeTempDir('scout-sweep-');
    const { repo } = await makeScoutRepo(tmp.path);
    const live = await openScoutWorktree({ repoPath: repo, repoName: 'api', base: 'main', worktreesDir: join(tmp.path, 'worktrees') });
    // A scout killed mid-run: its branch names a pid that no longer runs.
    const deadPath = join(tmp.path, 'worktrees', 'dead');
    await git(repo, ['worktree', 'add', '--quiet', '-b', 'flotilla/scout/999999999-01dead', deadPath, 'main']);
    expect(await sweepLeftovers(repo)).toEqual(['flotilla/scout/999999999-01dead']);
    expect(existsSync(deadPath)).toBe(false);
    expect(existsSync(live.path)).toBe(true);
    await live.remove();
    expect(await git(repo, ['branch', '--list', 'flotilla/scout/*'])).toBe('');
  });
});
