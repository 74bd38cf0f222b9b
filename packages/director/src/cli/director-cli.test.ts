/**
 * `flotilla-director` end to end, as a user runs it: the CLI as a child process, a real cb daemon
 * (its built bin, by path) running a scripted agent that edits the worktree, a real repository with a
 * bare remote, tickets from a fake GitHub. One ticket to a recorded branch; a director killed while
 * its job runs and started again adopts the job (same idempotency key) instead of starting another;
 * a host whose agent fails the doctor gets nothing; `status --json`; `mesh director …`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CycleReport } from '../cycle/report.js';
import { git } from '../git/run-git.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { startCbWorld, worldConfig, DIRECTOR_BIN, type CbWorld } from '../test-support/cb-world.js';
import { branchesOf } from '../test-support/git-fixture.js';
import type { DirectorStatus } from './status-command.js';

const CODEKB_MAIN = fileURLToPath(new URL('../../../codekb/dist/cli/main.js', import.meta.url));

let world: CbWorld;
beforeAll(async () => {
  world = await startCbWorld();
});
afterAll(async () => {
  await world?.[Symbol.asyncDispose]();
});

async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${world.daemonLog().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('flotilla-director start --once through a real cb daemon', () => {
  it('should take a ticket to a recorded branch, refuse a repo whose hosts are elsewhere, and say so in status --json', async () => {
    world.github.addRepo('acme/e2e');
    world.github.addIssue('acme/e2e', { title: '[api] add a greeting', body: 'say hello' });
    world.github.addIssue('acme/e2e', { title: '[web] runs elsewhere' });
    const config = await world.writeConfig(
      worldConfig(world, {
        repos: [
          { name: 'api', path: world.api.repo, base: 'main' },
          { name: 'web', path: world.api.repo, base: 'main', hosts: ['elsewhere'] },
        ],
        sources: { github: { repos: ['acme/e2e'] } },
        stateDir: join(world.tmp.path, 'state-e2e'),
      }),
      'e2e.yaml',
    );

    const run = await world.director(['start', '--once', '--json', '--config', config]);
    expect(run.stderr).toContain('dispatching through the cb daemon director-e2e');
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as CycleReport;
    expect(report.preflight).toEqual([{ host: 'director-e2e', ok: true, detail: expect.stringContaining('scripted CLI') }]);
    expect(report.batches).toEqual([
      expect.objectContaining({ tickets: ['github:acme/e2e#1'], outcome: 'branch', branch: 'flotilla/t/github-acme-e2e-1', host: 'director-e2e' }),
    ]);
    expect(report.skipped).toEqual([
      { ticket: 'github:acme/e2e#2', title: '[web] runs elsewhere', reason: expect.stringContaining("the repo's hosts (elsewhere) do not include director-e2e") },
    ]);

    // The branch is on the remote, with what the agent wrote in the worktree committed as the ticket.
    expect(await branchesOf(world.api.remote)).toContain('flotilla/t/github-acme-e2e-1');
    expect(await git(world.api.remote, ['show', 'flotilla/t/github-acme-e2e-1:agent-output.txt'])).toContain('add a greeting');
    expect(await git(world.api.remote, ['log', '-1', '--format=%s', 'flotilla/t/github-acme-e2e-1'])).toContain('acme/e2e#1');
    // One job, created with the attempt's key, the model the ladder gave, in the director's worktree.
    const jobs = (await world.jobs()).filter((job) => job.tags.includes('director') && job.prompt.includes('add a greeting'));
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ status: 'succeeded', agent: 'scripted', model: 'model-a', maxAttempts: 1 });
    expect(jobs[0]!.idempotencyKey).toMatch(/^[0-9A-Z]{26}:1$/);
    expect(jobs[0]!.cwd).toContain(join('state-e2e', 'worktrees'));
    expect(world.github.issue('acme/e2e', 1).labels).toContain('flotilla:in-review');
    expect(world.github.issue('acme/e2e', 2).labels).toEqual([]);

    const status = await world.main(['status', '--json', '--config', config]);
    expect(status.code, status.stderr).toBe(0);
    const shown = JSON.parse(status.stdout) as DirectorStatus;
    expect(shown).toMatchObject({
      ledger: { exists: true, path: join(world.tmp.path, 'state-e2e', 'ledger.db') },
      pause: null,
      inFlight: [],
      pullRequests: [],
      gaveUp: [],
      branches: [{ repo: 'api', branch: 'flotilla/t/github-acme-e2e-1', tickets: [{ key: 'github:acme/e2e#1', title: '[api] add a greeting' }] }],
    });
    // The refused ticket waits in its repo's queue; the finished one is not there.
    expect([...shown.queue].sort((a, b) => a.repo.localeCompare(b.repo))).toEqual([
      { repo: 'api', tickets: [] },
      { repo: 'web', tickets: [{ key: 'github:acme/e2e#2', title: '[web] runs elsewhere' }] },
    ]);
    expect(shown.lastCycle?.preflight).toEqual([expect.objectContaining({ host: 'director-e2e', ok: true })]);
    expect(shown.lastCycle?.skipped).toEqual([expect.objectContaining({ ticket: 'github:acme/e2e#2' })]);
    expect(Object.keys(shown).sort()).toEqual(['branches', 'gaveUp', 'generatedAt', 'inFlight', 'lastCycle', 'ledger', 'pause', 'pullRequests', 'queue']);

    // Again: the ticket is in review, nothing runs twice.
    const again = await world.main(['start', '--once', '--json', '--config', config]);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as CycleReport).batches).toEqual([]);
    expect((await world.jobs()).filter((job) => job.prompt.includes('add a greeting'))).toHaveLength(1);

    const human = await world.main(['status', '--config', config]);
    expect(human.stdout).toContain('branches for review (24 h):');
    expect(human.stdout).toContain('flotilla/t/github-acme-e2e-1');
  });

  it('should adopt the running job when a killed director dispatches the same attempt again', async () => {
    world.github.addRepo('acme/crash');
    world.github.addIssue('acme/crash', { title: '[api] survive a crash' });
    const stateDir = join(world.tmp.path, 'state-crash');
    const config = await world.writeConfig(worldConfig(world, { sources: { github: { repos: ['acme/crash'] } }, stateDir }), 'crash.yaml');
    const hold = join(world.agentDir, 'hold');
    await writeFile(hold, '');
    const mine = async () => (await world.jobs()).filter((job) => job.prompt.includes('survive a crash'));

    const first = world.spawnDirector(['start', '--once', '--config', config]);
    const running = await waitFor('the job to run', async () => (await mine()).find((job) => job.status === 'running'));
    const exited = new Promise((resolve) => first.once('exit', resolve));
    first.kill('SIGKILL');
    await exited;
    // The ledger has the attempt, never ended.
    const ledger = openSqliteLedger(join(stateDir, 'ledger.db'));
    const before = await ledger.overview(0);
    expect(before.open).toHaveLength(1);
    expect(before.open[0]!.attempts).toEqual([expect.objectContaining({ number: 1, outcome: null })]);
    expect(running.idempotencyKey).toBe(`${before.open[0]!.id}:1`);

    const second = world.main(['start', '--once', '--json', '--config', config]);
    // The job is still held while the restarted director re-dispatches; then the agent finishes.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await rm(hold);
    const result = await second;
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as CycleReport).batches).toEqual([expect.objectContaining({ outcome: 'branch', branch: 'flotilla/t/github-acme-crash-1' })]);
    const jobs = await mine();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ id: running.id, status: 'succeeded' });
    const after = await ledger.overview(0);
    const batch = after.closed.find((b) => b.branch === 'flotilla/t/github-acme-crash-1')!;
    expect(batch.attempts).toEqual([expect.objectContaining({ number: 1, outcome: 'succeeded' })]);
    await ledger.close();
    expect(await branchesOf(world.api.remote)).toContain('flotilla/t/github-acme-crash-1');
  });

  it('should dispatch nothing to a host whose agent fails the doctor, say why, and exit 1', async () => {
    world.github.addRepo('acme/ghost');
    world.github.addIssue('acme/ghost', { title: '[api] needs an agent that is not installed' });
    const config = await world.writeConfig(
      worldConfig(world, { sources: { github: { repos: ['acme/ghost'] } }, models: { agent: 'ghost', ladder: ['model-a'] }, stateDir: join(world.tmp.path, 'state-ghost') }),
      'ghost.yaml',
    );
    const run = await world.main(['start', '--once', '--json', '--config', config]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as CycleReport;
    expect(report.preflight).toEqual([{ host: 'director-e2e', ok: false, detail: expect.stringContaining('ghost CLI: not found on PATH') }]);
    expect(report.batches).toEqual([]);
    expect(report.skipped).toEqual([expect.objectContaining({ ticket: 'github:acme/ghost#1', reason: expect.stringContaining('host director-e2e failed the pre-flight') })]);
    expect((await world.jobs()).filter((job) => job.agent === 'ghost')).toEqual([]);
    expect(world.github.issue('acme/ghost', 1).labels).toEqual([]);

    const human = await world.main(['start', '--once', '--config', config]);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('pre-flight director-e2e: FAILED');

    // The loop: a cycle every second until the stop signal; after its first cycle the learnings in
    // codekb memory are consolidated once (the real codekb CLI), not again on the next cycles.
    const codekb = { FLOTILLA_CODEKB_BIN: CODEKB_MAIN };
    const loop = await world.main(['start', '--every', '1', '--config', config], codekb, {
      stopWhen: (out) => (out.match(/^cycle /gm)?.length ?? 0) >= 3 && out.includes('learnings consolidated'),
    });
    expect(loop.code, loop.stderr).toBe(0);
    expect(loop.stdout.match(/^cycle /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(loop.stderr).toContain('stopping (SIGTERM)');
    expect(loop.stdout.match(/^flotilla-director: learnings consolidated: \d+ current/gm)).toHaveLength(1);
    expect(existsSync(join(world.tmp.path, 'state-ghost', 'learnings-consolidation.json'))).toBe(true);

    const status = JSON.parse((await world.main(['status', '--json', '--config', config])).stdout) as DirectorStatus;
    expect(status.queue).toEqual([{ repo: 'api', tickets: [{ key: 'github:acme/ghost#1', title: '[api] needs an agent that is not installed' }] }]);
    expect(status.lastCycle?.preflight?.[0]).toMatchObject({ ok: false });
  });

  it('should be run by `mesh director …` and `mesh flow …` (the bin found at run time), and name the package when it is missing', async () => {
    const config = await world.writeConfig(worldConfig(world, { stateDir: join(world.tmp.path, 'state-mesh') }), 'mesh.yaml');
    // mesh's own bin, by path: the director does not depend on mesh.
    const meshBin = new URL('../../../mesh/bin/mesh.cjs', import.meta.url).pathname;
    const mesh = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        execFile(process.execPath, [meshBin, ...args], { env: { ...process.env, FLOTILLA_HOME: world.home, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
          if (error && typeof error.code !== 'number') return reject(error);
          resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
        });
      });
    const shown = await mesh(['director', 'status', '--json', '--config', config], { FLOTILLA_DIRECTOR_BIN: DIRECTOR_BIN });
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ ledger: { exists: false }, queue: [], inFlight: [] });
    const flows = await mesh(['flow', 'list', '--json', '--config', config], { FLOTILLA_DIRECTOR_BIN: DIRECTOR_BIN });
    expect(flows.code, flows.stderr).toBe(0);
    expect(JSON.parse(flows.stdout)).toEqual([]);
    const missing = await mesh(['director', 'status', '--config', config], { FLOTILLA_DIRECTOR_BIN: join(world.tmp.path, 'no-such-director') });
    expect(missing.code).not.toBe(0);
  });
});
