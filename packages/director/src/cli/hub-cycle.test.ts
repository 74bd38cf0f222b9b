/**
 * `flotilla-director start --once --hub URL` against a real `mesh serve` (mesh's built bin) with this
 * machine attached as host `box` over a loopback sshd: a `[repo] title` board task is claimed, its
 * job runs on box's cb daemon (started by the hub) in the director's worktree, the branch is pushed
 * and recorded, and the task is handed to review; the pre-flight is box's own doctor relayed by the
 * hub (the director's FLOTILLA_HOME has no cb daemon), and an agent failing it gets nothing.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CycleReport } from '../cycle/report.js';
import { git } from '../git/run-git.js';
import { branchesOf } from '../test-support/git-fixture.js';
import { sshdUnavailableReason } from '@flotilla/testkit';
import { HOST, startMeshHubWorld, type MeshHubWorld } from '../test-support/mesh-hub-world.js';

const skip = sshdUnavailableReason();
let world: MeshHubWorld;

function config(agent: string, state: string): Record<string, unknown> {
  return {
    repos: [{ name: 'api', path: world.api.repo, base: 'main' }],
    models: { agent, ladder: ['model-a'] },
    stateDir: join(world.tmp.path, state),
  };
}

async function once(configPath: string): Promise<{ code: number | null; report: CycleReport; stderr: string }> {
  const run = await world.director(['start', '--once', '--json', '--hub', world.url, '--local-host', HOST, '--config', configPath]);
  let report: CycleReport;
  try {
    report = JSON.parse(run.stdout) as CycleReport;
  } catch {
    throw new Error(`no report (exit ${run.code}):\n${run.stdout}\n${run.stderr}\n${world.logs()}`);
  }
  return { code: run.code, report, stderr: run.stderr };
}

describe.skipIf(skip !== null)('flotilla-director start --once through a real mesh hub', () => {
  beforeAll(async () => {
    world = await startMeshHubWorld();
  }, 60_000);
  afterAll(async () => {
    await world?.[Symbol.asyncDispose]();
  }, 30_000);

  it('should take a board task to a pushed branch on this machine\'s host and hand the task to review', { timeout: 60_000 }, async () => {
    const task = await world.board.addTask({ title: '[api] add a greeting', body: 'say hello', by: 'test' });
    const { code, report, stderr } = await once(await world.writeConfig(config('scripted', 'state-ok'), 'ok.yaml'));
    expect(code, `${stderr}\n${world.logs()}`).toBe(0);
    expect(report.preflight).toEqual([{ host: HOST, ok: true, detail: expect.stringMatching(/^doctor: tmux, git, scripted CLI.* ok$/) }]);
    const branch = `flotilla/t/board-${task.key}`;
    expect(report.batches).toEqual([expect.objectContaining({ tickets: [`board:${task.key}`], outcome: 'branch', branch, host: HOST })]);

    expect(await branchesOf(world.api.remote)).toContain(branch);
    const output = await git(world.api.repo, ['show', `origin/${branch}:agent-output.txt`]);
    expect(output).toContain('say hello');
    const handed = await world.board.getTask(task.id);
    expect(handed).toMatchObject({ status: 'todo', for: 'review', branch, holder: null });
    expect(handed.history.at(-1)?.note).toContain(branch);
  });

  it('should dispatch nothing to a host whose doctor fails for the agent, and say why', { timeout: 60_000 }, async () => {
    const task = await world.board.addTask({ title: '[api] needs an agent that is not installed', by: 'test' });
    const jobsBefore = (await world.hosts()).find((h) => h.name === HOST)!;
    const { code, report } = await once(await world.writeConfig(config('ghost', 'state-ghost'), 'ghost.yaml'));
    expect(code).toBe(1);
    expect(report.preflight).toEqual([{ host: HOST, ok: false, detail: expect.stringContaining('ghost CLI: not found') }]);
    expect(report.batches).toEqual([]);
    expect(report.skipped).toEqual([expect.objectContaining({ ticket: `board:${task.key}`, reason: expect.stringContaining(`host ${HOST} failed the pre-flight`) })]);
    expect(await world.board.getTask(task.id)).toMatchObject({ status: 'todo', holder: null, attempts: 0 });
    const listed = await world.transport.request({ method: 'GET', path: '/api/jobs', query: { limit: '100' } });
    const jobs = (listed.body as { items: { agent: string }[] }).items;
    expect(jobs.filter((job) => job.agent === 'ghost')).toEqual([]);
    expect((await world.hosts()).find((h) => h.name === HOST)).toMatchObject({ running: 0, queued: jobsBefore.queued });
  });
});
