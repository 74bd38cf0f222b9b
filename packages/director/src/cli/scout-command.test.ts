import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { makeTempDir } from '@flotilla/testkit';
import { describe, expect, it } from 'vitest';
import { DirectorConfigSchema } from '../config/config-schema.js';
import type { ScoutReport } from '../scout/scout-run.js';
import { makeRepoWithRemote } from '../test-support/git-fixture.js';
import { makeScoutRepo, scriptedScout, startScoutHub } from '../test-support/scout-world.js';
import type { DirectorCliContext } from './context.js';
import { main } from './main.js';
import { createFleet } from '../hub/fleet.js';
import { findServer } from '../hub/server.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { runScoutCommand, startScoutBeside } from './scout-command.js';

function collector(): { write(chunk: string): boolean; text(): string } {
  let text = '';
  return { write: (chunk: string) => ((text += chunk), true), text: () => text };
}

function cliContext(env: Record<string, string>, cwd: string, home: string) {
  const stdout = collector();
  const stderr = collector();
  const ctx: DirectorCliContext = {
    env: { ...env, PATH: process.env.PATH ?? '' },
    streams: { stdout, stderr, stdin: (async function* () {})() },
    cwd,
    home,
    stopSignal: () => new Promise(() => undefined),
  };
  return { ctx, stdout, stderr };
}

const proposal = {
  title: 'Resolve the TODO cluster in src/auth',
  body: 'Rate-limit logins.',
  tags: [],
  priority: 'normal',
  evidence: [{ path: 'src/auth/login.ts', line: 2, quote: '// TODO: rate-limit failed logins' }],
};

describe('flotilla-director scout', () => {
  it('should print what it proposed and what it skipped and why, as text or one JSON document, exit 1 when a repo failed', { timeout: 240_000 }, async () => {
    await using tmp = await makeTempDir('scout-cli-');
    await using hub = await startScoutHub(tmp.path);
    const { repo } = await makeScoutRepo(tmp.path);
    const config = DirectorConfigSchema.parse({ repos: [{ name: 'api', path: repo, base: 'main' }] });
    const deps = (answers: Parameters<typeof scriptedScout>[0]) => {
      const stdout = collector();
      const stderr = collector();
      return { stdout, stderr, deps: { config, stateDir: join(tmp.path, 'state'), runJob: scriptedScout(answers).runJob, board: hub.board, stdout, stderr } };
    };

    const first = deps([JSON.stringify({ proposals: [proposal] })]);
    expect(await runScoutCommand({ dryRun: false, json: false }, first.deps)).toBe(0);
    const key = (await hub.board.listTasks())[0]!.key;
    expect(first.stdout.text()).toMatch(/^ {2}api: worktree of main at [0-9a-f]{12}$/m);
    expect(first.stdout.text()).toContain('  api: evidence: 6 marker comments\n');
    expect(first.stdout.text()).toMatch(/^api: 1 proposed, 0 skipped \(evidence: 6 marker comments; flow \w+\)$/m);
    expect(first.stdout.text()).toContain(`  + ${key} [api] Resolve the TODO cluster in src/auth [normal]\n      src/auth/login.ts:2 verified\n`);

    const again = deps([JSON.stringify({ proposals: [proposal] })]);
    expect(await runScoutCommand({ dryRun: false, json: true }, again.deps)).toBe(0);
    const report = JSON.parse(again.stdout.text()) as ScoutReport;
    expect(report.repos[0]).toMatchObject({ repo: 'api', outcome: 'nothing_new', proposed: [], skipped: [{ title: proposal.title, why: 'duplicate', duplicateOf: key }] });
    expect(again.stderr.text()).toContain('api: ▸ scout (claude sonnet)…');

    const broken = deps(['no JSON here']);
    expect(await runScoutCommand({ dryRun: false, json: false }, broken.deps)).toBe(1);
    expect(broken.stdout.text()).toMatch(/^api: failed: the scout's final answer holds no proposals: neither JSON nor a fenced ```json block/m);
  });

  it('should refuse a scout config naming an unknown repo (exit 78) before connecting to anything, and print its usage', { timeout: 30_000 }, async () => {
    await using tmp = await makeTempDir('scout-cli-config-');
    const path = join(tmp.path, 'flotilla.yaml');
    await writeFile(path, JSON.stringify({ repos: [{ name: 'api', path: '.', base: 'main' }], scout: { repos: ['web'] } }));
    const bad = cliContext({ FLOTILLA_HOME: join(tmp.path, 'no-home') }, tmp.path, join(tmp.path, 'no-home'));
    expect(await main(['scout', '--config', path], bad.ctx)).toBe(78);
    // Refused where every command loads the config (src/config/load-config.ts), not only by scout.
    expect(bad.stderr.text()).toContain('cannot be used:\n  scout: "web" is not one of the repos (api)');

    const help = cliContext({}, tmp.path, tmp.path);
    expect(await main(['scout', '--help'], help.ctx)).toBe(0);
    expect(help.stdout.text()).toContain('usage: flotilla-director scout [--repo NAME] [--dry-run] [options]');
    const usage = cliContext({}, tmp.path, tmp.path);
    expect(await main(['scout', '--repos', 'x'], usage.ctx)).toBe(2);
  });

  it('should run through the real CLI against a hub: a repo with nothing to find asks no agent, a job the hub cannot place fails the repo in words', { timeout: 240_000 }, async () => {
    await using tmp = await makeTempDir('scout-cli-hub-');
    await using hub = await startScoutHub(tmp.path);
    const clean = (await makeRepoWithRemote(tmp.path, 'clean')).repo;
    const { repo } = await makeScoutRepo(tmp.path);
    const path = join(tmp.path, 'flotilla.yaml');
    await writeFile(path, JSON.stringify({ repos: [{ name: 'clean', path: clean, base: 'main' }, { name: 'api', path: repo, base: 'main' }], scout: { commands: { tests: 'true' } }, stateDir: join(tmp.path, 'state') }));
    const env = { FLOTILLA_HOME: join(tmp.path, 'director-home'), FLOTILLA_HUB_TOKEN: hub.token, FLOTILLA_DIRECTOR_POLL_MS: '200' };

    const quiet = cliContext(env, tmp.path, env.FLOTILLA_HOME);
    expect(await main(['scout', '--repo', 'clean', '--hub', hub.url, '--config', path], quiet.ctx), quiet.stderr.text()).toBe(0);
    expect(quiet.stdout.text()).toMatch(/^clean: nothing found: every command passed and no marker comments were found: nothing to ask an agent about \(evidence: tests exit 0, 0 marker comments\)$/m);

    // The hub has no host to run the scout's job on: the repo fails with the dispatch's words, nothing is proposed.
    const refused = cliContext(env, tmp.path, env.FLOTILLA_HOME);
    expect(await main(['scout', '--json', '--repo', 'api', '--hub', hub.url, '--config', path], refused.ctx)).toBe(1);
    const report = JSON.parse(refused.stdout.text()) as ScoutReport;
    expect(report.repos).toEqual([expect.objectContaining({ repo: 'api', outcome: 'failed', reason: expect.stringMatching(/^the scout flow "scout" failed: step "scout" failed on attempt 1: the job failed \(interrupted\): not dispatched: /) })]);
    expect(await hub.board.listTasks()).toEqual([]);
  });

  it('should scout beside start on the director\'s own fleet and ledger, and say when it does not', { timeout: 240_000 }, async () => {
    await using tmp = await makeTempDir('scout-beside-');
    await using hub = await startScoutHub(tmp.path);
    const clean = (await makeRepoWithRemote(tmp.path, 'clean')).repo;
    const server = await findServer({ home: join(tmp.path, 'director-home'), env: { FLOTILLA_HUB_TOKEN: hub.token }, server: hub.url });
    const ledger = openSqliteLedger(join(tmp.path, 'state', 'ledger.db'));
    const running = { server, fleet: createFleet({ server, localDaemon: null }), ledger };
    const lines: string[] = [];
    const say = (line: string): number => lines.push(line);
    try {
      const config = DirectorConfigSchema.parse({ repos: [{ name: 'clean', path: clean, base: 'main' }] });
      expect(startScoutBeside({ loaded: { config, stateDir: join(tmp.path, 'state') }, running, say })).toBeNull();
      const manual = startScoutBeside({ loaded: { config: { ...config, scout: DirectorConfigSchema.parse({ repos: config.repos, scout: { everyHours: null } }).scout! }, stateDir: join(tmp.path, 'state') }, running, say });
      expect(manual).toBeNull();
      expect(lines).toEqual(['flotilla-director: no scout: scout.everyHours is null (scout by hand: flotilla-director scout)']);

      const scouting = DirectorConfigSchema.parse({ repos: config.repos, scout: { commands: { tests: 'true' } } });
      const schedule = startScoutBeside({ loaded: { config: scouting, stateDir: join(tmp.path, 'state') }, running, say });
      const reports = await schedule!.check();
      await schedule!.stop();
      expect(reports.map((r) => r.repos.map((repo) => [repo.repo, repo.outcome]))).toEqual([[['clean', 'nothing_found']]]);
      expect(lines.slice(1, 3)).toEqual(['flotilla-director: scouting every 24 h when idle', expect.stringMatching(/^scout \d\d:\d\d:\d\d-\d\d:\d\d:\d\d$/)]);
      expect(lines[3]).toMatch(/^clean: nothing found: every command passed/);
    } finally {
      await ledger.close();
    }
  });
});
