/**
 * `flotilla-director start` through a real `mesh serve` with two fleet hosts over loopback sshds
 * (src/test-support/remote-hub-world.ts): `box` is this machine's host, `far` another machine with
 * its own cb daemon, agent and clone of the repo. A repo preferring far, or box without a free slot,
 * sends the job to far: it works in far's clone, far's daemon commits the agent's leftovers with the
 * ticket's message and publishes the branch on origin, and the director records it once. A director
 * killed mid-job on far adopts that job on restart; a host without the repo is passed over, said why.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshdUnavailableReason } from '@flotilla/testkit';
import type { Job } from '@flotilla/protocol';
import type { CycleReport } from '../cycle/report.js';
import { git } from '../git/run-git.js';
import { branchesOf } from '../test-support/git-fixture.js';
import { startRemoteHubWorld, type RemoteHubWorld } from '../test-support/remote-hub-world.js';

const namespaces = spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status === 0;
const skip = sshdUnavailableReason() ?? (namespaces ? null : 'unshare -m is not allowed here (far needs a mount namespace)');
let world: RemoteHubWorld;

function config(state: string, repo: Record<string, unknown>): Record<string, unknown> {
  return { repos: [{ base: 'main', ...repo }], models: { agent: 'scripted', ladder: ['model-a'] }, concurrency: { perHost: 2, perRepo: 2 }, stateDir: `${world.tmp.path}/${state}` };
}

const startArgs = (configPath: string, ...more: string[]): string[] => ['start', '--json', '--hub', world.url, '--local-host', 'box', '--config', configPath, ...more];

async function once(configPath: string): Promise<{ code: number | null; report: CycleReport; stderr: string }> {
  const run = await world.director(startArgs(configPath, '--once'));
  try {
    return { code: run.code, report: JSON.parse(run.stdout) as CycleReport, stderr: run.stderr };
  } catch {
    throw new Error(`no report (exit ${run.code}):\n${run.stdout}\n${run.stderr}\n${world.logs()}`);
  }
}

/** The director's jobs publishing `branch`, as the hub lists them. */
async function jobsOf(branch: string): Promise<Job[]> {
  return (await world.jobs('director')).filter((job) => job.publish?.branch === branch);
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`${what} never happened\n${world.logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.skipIf(skip !== null)('the director runs jobs on another fleet host (a real hub with two hosts)', () => {
  beforeAll(async () => {
    world = await startRemoteHubWorld();
  }, 120_000);
  afterAll(async () => {
    await world?.[Symbol.asyncDispose]();
  }, 60_000);

  it('should run a job of a repo preferring far in far\'s clone, publish the branch with the ticket\'s message, and record it once', { timeout: 120_000 }, async () => {
    const task = await world.board.addTask({ title: '[api] add a greeting', body: 'say hello from far', by: 'test' });
    const path = await world.writeConfig(config('state-prefers', { name: 'api', path: world.api.repo, hosts: ['far'] }), 'prefers.yaml');
    const { code, report, stderr } = await once(path);
    const branch = `flotilla/t/board-${task.key}`;
    expect(code, `${stderr}\n${JSON.stringify(report)}\n${world.logs()}`).toBe(0);
    expect(report.batches).toEqual([expect.objectContaining({ tickets: [`board:${task.key}`], outcome: 'branch', branch, host: 'far' })]);
    expect(report.preflight?.map((h) => [h.host, h.ok])).toEqual([['box', true], ['far', true]]);

    expect(await git(world.api.remote, ['log', '-1', '--format=%s', branch])).toBe(`${task.key}: [api] add a greeting`);
    expect(await git(world.api.remote, ['show', `${branch}:agent-output.txt`])).toContain('say hello from far');
    const [job, ...more] = await jobsOf(branch);
    expect(more).toEqual([]);
    expect(job).toMatchObject({ host: 'far', status: 'succeeded', worktree: expect.objectContaining({ repoRoot: world.api.repo }) });
    // The worktree was made in far's own clone (its branch is there, not in this machine's checkout).
    expect(await branchesOf(world.farClone)).toContain(job!.worktree!.branch);
    expect(await branchesOf(world.api.repo)).not.toContain(job!.worktree!.branch);
    expect(await branchesOf(world.api.repo)).toContain(branch);
    expect(await world.board.getTask(task.id)).toMatchObject({ status: 'todo', for: 'review', branch, holder: null });

    // Another cycle finds it done: no second job, no second branch.
    const again = await once(path);
    expect(again.report.batches.filter((b) => b.outcome !== 'already_done')).toEqual([]);
    expect(await jobsOf(branch)).toHaveLength(1);
  });

  it('should send the job to far while box has no free slot, and adopt it after the director is killed mid-job', { timeout: 180_000 }, async () => {
    await world.hold('box', true);
    await world.hold('far', true);
    const occupy = await world.transport.request({ method: 'POST', path: '/api/jobs', query: { host: 'box' }, body: { prompt: 'occupy the slot', agent: 'scripted', cwd: world.tmp.path } });
    expect(occupy.status, JSON.stringify(occupy.body)).toBeLessThan(300);
    await until('box full', async () => (await world.hosts()).find((h) => h.name === 'box' && h.freeSlots === 0));

    const task = await world.board.addTask({ title: '[api] add a farewell', body: 'say goodbye', by: 'test' });
    const branch = `flotilla/t/board-${task.key}`;
    const path = await world.writeConfig(config('state-full', { name: 'api', path: world.api.repo }), 'full.yaml');
    const first = world.spawnDirector(startArgs(path, '--once'));
    const running = await until('the job running on far', async () => (await jobsOf(branch)).find((job) => job.status === 'running'));
    expect(running.host).toBe('far');
    const killed = new Promise((resolve) => first.once('close', resolve));
    first.kill('SIGKILL');
    await killed;

    const restarted = once(path);
    await world.hold('far', false);
    const { code, report, stderr } = await restarted;
    expect(code, `${stderr}\n${JSON.stringify(report)}`).toBe(0);
    expect(report.batches).toEqual([expect.objectContaining({ outcome: 'branch', branch, host: 'far' })]);
    expect((await jobsOf(branch)).map((job) => job.id)).toEqual([running.id]);
    expect(await git(world.api.remote, ['log', '-1', '--format=%s', branch])).toBe(`${task.key}: [api] add a farewell`);
    expect(await git(world.api.remote, ['show', `${branch}:agent-output.txt`])).toContain('say goodbye');

    await world.hold('box', false);
    await world.transport.request({ method: 'POST', path: `/api/jobs/${(occupy.body as Job).id}/cancel` });
  });

  it('should pass over a host without the repo: the refused dispatch costs no attempt, the next cycle skips it with the reason', { timeout: 120_000 }, async () => {
    const task = await world.board.addTask({ title: '[web] fix the footer', by: 'test' });
    const path = await world.writeConfig(config('state-missing', { name: 'web', path: world.web.repo, hosts: ['far'] }), 'missing.yaml');
    const child = world.spawnDirector(startArgs(path, '--every', '1'));
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const reports = (): CycleReport[] => stdout.split(/^\}$/m).slice(0, -1).map((doc) => JSON.parse(`${doc}}`) as CycleReport);
    await until('two cycles', async () => reports().length >= 2);
    child.kill('SIGTERM');
    const [first, second] = reports();
    expect(first!.batches).toEqual([
      expect.objectContaining({ outcome: 'retry_later', burned: false, failureKind: 'interrupted', host: 'far', detail: expect.stringContaining(`far refused the job: it has no usable checkout at ${world.web.repo}`) }),
    ]);
    expect(second!.batches).toEqual([]);
    expect(second!.skipped).toEqual([
      expect.objectContaining({ ticket: `board:${task.key}`, reason: expect.stringContaining(`no host can run web's jobs: not host far: it has no usable checkout at ${world.web.repo} (CWD_NOT_FOUND`) }),
    ]);
    expect(await world.jobs(`director`).then((jobs) => jobs.filter((job) => job.cwd.startsWith(world.web.repo)))).toEqual([]);
  });
});
