// Agents on remote hosts use the board through their own daemon: `cb board claim` inside a job
// goes to the host's daemon, over the hub's reverse socket on that host, to the hub's board —
// one claim per task across every host, finished with `cb board done`, messages delivered.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBoardClient, createMeshClient } from '@flotilla/protocol';
import { netnsUnavailableReason } from '../test-support/netns.test-support.js';
import { startSshHub, type SshHub } from '../test-support/ssh-hub.test-support.js';

const skip = netnsUnavailableReason();
let fleet: SshHub;

/** A job script: claim one task (exit 3 when none), then finish it with a note naming the host. */
const CLAIM_AND_FINISH = [
  'set -e',
  'out=$(cb board claim --json 2>/tmp/claim-err-$$) || { code=$?; echo "claim exit $code: $(cat /tmp/claim-err-$$)"; exit 0; }',
  'key=$(printf %s "$out" | sed -n \'s/^  "key": "\\([^"]*\\)".*/\\1/p\')',
  'cb board done "$key" --note "finished on $FLOTILLA_HOST_NAME"',
  'echo "did $key"',
].join('\n');

describe.skipIf(skip !== null)('agents on namespace hosts use the hub board through cb board', () => {
  beforeAll(async () => {
    fleet = await startSshHub({ count: 2, prefix: 'ha' });
  }, 150_000);

  afterAll(async () => {
    await fleet?.close();
  });

  it('a job on a remote host claims a task and finishes it through cb board', async () => {
    const board = createBoardClient(fleet.transport);
    const task = await board.addTask({ title: 'write the release notes', tags: ['docs'] });
    const job = await fleet.dispatch('ha2', CLAIM_AND_FINISH);
    const done = await fleet.ended(job.id);
    expect(done.status, done.result ?? '').toBe('succeeded');
    expect(done.result).toContain(`did ${task.key}`);
    const finished = await board.getTask(task.id);
    expect(finished.status).toBe('done');
    expect(finished.holder).toBeNull();
    const claimed = finished.history.find((event) => event.kind === 'claimed');
    expect(claimed?.host).toBe('ha2');
    expect(finished.history.find((event) => event.kind === 'completed')?.note).toBe('finished on ha2');
  });

  it('many agents on two hosts race for fewer tasks: each task is claimed exactly once', async () => {
    const board = createBoardClient(fleet.transport);
    const tasks = await Promise.all(Array.from({ length: 8 }, (_, i) => board.addTask({ title: `race task ${i}`, tags: ['race'] })));
    const jobs = await Promise.all(Array.from({ length: 12 }, (_, i) => fleet.dispatch(i % 2 === 0 ? 'ha1' : 'ha2', CLAIM_AND_FINISH)));
    const results = await Promise.all(jobs.map((job) => fleet.ended(job.id)));
    expect(results.every((job) => job.status === 'succeeded')).toBe(true);
    const did = results.map((job) => /did (\S+)/.exec(job.result ?? '')?.[1]).filter((key): key is string => Boolean(key));
    expect(new Set(did).size).toBe(did.length);
    expect(did.sort()).toEqual(tasks.map((task) => task.key).sort());
    expect(results.filter((job) => (job.result ?? '').includes('claim exit 3'))).toHaveLength(4);
    for (const task of tasks) {
      const final = await board.getTask(task.id);
      expect(final.status).toBe('done');
      expect(final.history.filter((event) => event.kind === 'claimed')).toHaveLength(1);
    }
  });

  it('a job on a remote host claims the task it names, not a better one, and only once', async () => {
    const board = createBoardClient(fleet.transport);
    const urgent = await board.addTask({ title: 'more urgent', priority: 'high' });
    const named = await board.addTask({ title: 'the named one', priority: 'low', tags: ['docs'] });
    const job = await fleet.dispatch('ha1', [
      `cb board claim ${named.key} --json >/dev/null || { echo "claim exit $?"; exit 0; }`,
      `cb board claim ${named.key} 2>/dev/null; echo "again $?"`,
      `cb board done ${named.key} --note named`,
    ].join('\n'));
    const done = await fleet.ended(job.id);
    expect(done.status, done.result ?? '').toBe('succeeded');
    expect(done.result).toContain('again 3');
    const task = await board.getTask(named.id);
    expect(task).toMatchObject({ status: 'done', token: 1 });
    expect(task.history.find((event) => event.kind === 'claimed')).toMatchObject({ host: 'ha1' });
    await board.failTask(urgent.key, { token: (await board.claimNamedTask(urgent.key, { holder: { who: 'cleanup', host: 'hub' }, leaseMs: 60_000 })).token, note: 'not part of the test' });
  });

  it('a handoff moves its branch to the host of the agent that claims the task next', async () => {
    const board = createBoardClient(fleet.transport);
    const origin = join(fleet.net.dir, 'origin.git');
    const repo1 = join(fleet.net.dir, 'repo-ha1');
    const repo2 = join(fleet.net.dir, 'repo-ha2');
    git('init', '-q', '--bare', '-b', 'main', origin);
    git('clone', '-q', origin, repo1);
    git('-C', repo1, 'commit', '-q', '--allow-empty', '-m', 'start');
    git('-C', repo1, 'push', '-q', 'origin', 'main');
    git('clone', '-q', origin, repo2);
    const task = await board.addTask({ title: 'implement the parser' });
    const implement = await fleet.dispatch('ha1', [
      'set -e',
      'key=$(cb board claim --json | sed -n \'s/^  "key": "\\([^"]*\\)".*/\\1/p\')',
      'git checkout -q -b feature-parser',
      'echo "parse()" > parser.txt && git add parser.txt && git -c user.email=agent@example.com -c user.name=agent commit -q -m "the parser"',
      'cb board handoff "$key" --to reviewer --note "please review the parser" --branch feature-parser',
      'echo "handed $key"',
    ].join('\n'), repo1);
    const implemented = await fleet.ended(implement.id);
    expect(implemented.result, implemented.result ?? '').toContain(`handed ${task.key}`);
    const handed = await board.getTask(task.id);
    expect(handed).toMatchObject({ status: 'todo', for: 'reviewer', branch: 'feature-parser', previousJobId: implement.id });

    const reviewer = await fleet.dispatch('ha2', 'sleep 60', repo2);
    // An agent claims tasks for its own roles only: the reviewing session declares the role first.
    await createMeshClient(fleet.transport).declareProfile('rev-1', { roles: ['reviewer'] });
    const socket = join(fleet.net.host('ha2').home, 'hub.sock');
    const claim = await fleet.net.ssh(
      fleet.net.host('ha2'),
      `curl -sS -i --unix-socket ${socket} -H 'content-type: application/json' -H 'x-flotilla-agent-job: ${reviewer.id}' -H 'x-flotilla-agent-session: rev-1' -d '{"for":["reviewer"],"leaseMs":60000}' http://hub/api/board/claim`,
    );
    expect(claim.stdout).toMatch(/x-flotilla-branch: feature-parser moved from ha1/i);
    expect(claim.stdout).toContain('"branch":"feature-parser"');
    expect(git('-C', repo2, 'rev-parse', 'feature-parser')).toBe(git('-C', repo1, 'rev-parse', 'feature-parser'));
    await fleet.client.cancelJob(reviewer.id);
  });
});

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', ...args], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'test', GIT_COMMITTER_NAME: 'test', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_EMAIL: 't@e' } }).trim();
}
