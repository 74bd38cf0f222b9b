/**
 * Learnings through the real codekb CLI (its built bin, by path, with its own FLOTILLA_HOME): a
 * director cycle over a real git repository records how each batch ended in codekb memory, and the
 * next ticket's prompt cites it under "Learnings from earlier work". A missing codekb is said once
 * in the cycle report and fails nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '@flotilla/testkit';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createDirector } from '../cycle/director.js';
import type { RunJobResult } from '../cycle/run-job.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { createGitHubApi } from '../sources/github/github-api.js';
import { createGitHubIssuesSource } from '../sources/github/github-source.js';
import { githubWorld, scriptedRunner, TOKEN, type GitHubWorld } from '../test-support/director-fixture.js';
import { CODEKB_MISSING, createCodekbLearnings, findCodekbBin, RecalledLearningSchema, type Learnings } from './codekb-learnings.js';
import { batchLearning, learningQuery } from './learning-text.js';

const CODEKB_MAIN = fileURLToPath(new URL('../../../codekb/dist/cli/main.js', import.meta.url));

function directorOf(world: GitHubWorld, id: string, runJob: Parameters<typeof createDirector>[0]['runJob'], learnings: Learnings | null) {
  const ledger = openSqliteLedger(world.ledgerPath);
  const gh = createGitHubApi({ apiUrl: world.github.url, token: TOKEN });
  const director = createDirector({
    config: world.config,
    ledger,
    sources: [createGitHubIssuesSource(gh, world.config.sources.github!)],
    runJob,
    github: gh,
    id,
    worktreesDir: join(world.tmp.path, 'worktrees', id),
    learnings,
  });
  return { director, ledger };
}

describe('learnings through codekb memory', () => {
  it.skipIf(!existsSync(CODEKB_MAIN))('should record how a ticket ended and cite it in the next related ticket\'s prompt', { timeout: 240_000 }, async () => {
    await using world = await githubWorld();
    const home = join(world.tmp.path, 'fl');
    const env = { ...process.env, FLOTILLA_HOME: home, FLOTILLA_CODEKB_BIN: CODEKB_MAIN };
    const bin = findCodekbBin(env);
    expect(bin).toEqual({ command: process.execPath, args: [CODEKB_MAIN] });
    const learnings = createCodekbLearnings({ env, bin });

    world.github.addIssue('acme/tickets', { title: '[api] login endpoint returns 500 on empty password', body: 'The handler crashes when the password field is missing.' });
    const runner = scriptedRunner();
    const failed: RunJobResult = { ok: false, failure: { kind: 'task', message: 'tests still fail in auth.spec' } };
    const limited: RunJobResult = { ok: false, failure: { kind: 'rate_limited', message: "You've hit your limit" } };
    runner.script('acme/tickets#1', [limited, failed]);
    const base = runner.runJob;
    const summaries = new Map<string, string>([['acme/tickets#1', 'Validated the password in src/auth/login.ts before hashing; the tests mock bcrypt.']]);
    const runJob: typeof base = async (request) => {
      const result = await base(request);
      return result.ok ? { ...result, summary: summaries.get(request.tickets[0]!.id) ?? result.summary } : result;
    };
    const { director, ledger } = directorOf(world, 'dir-learn', runJob, learnings);
    try {
      const outcomes = [];
      for (let cycle = 0; cycle < 3; cycle += 1) outcomes.push(...(await director.runCycle()).batches.map((b) => [b.outcome, b.failureKind ?? null]));
      expect(outcomes).toEqual([['retry_later', 'rate_limited'], ['retry_later', 'task'], ['pull_request', null]]);

      // The real memory: the task failure and the success, filed under the repo (the rate limit taught nothing).
      const listed = await promisify(execFile)(process.execPath, [CODEKB_MAIN, 'memory', 'ls', '--json'], { env });
      const stored = RecalledLearningSchema.array().parse(JSON.parse(listed.stdout));
      expect(stored.map((l) => l.outcome).sort()).toEqual(['failure', 'success']);
      const success = stored.find((l) => l.outcome === 'success')!;
      expect(success.text).toContain('acme/tickets#1 "[api] login endpoint returns 500 on empty password" succeeded (pull_request)');
      expect(success.text).toContain('Validated the password in src/auth/login.ts');
      expect(success.text).toMatch(/pull request http\S+ \(branch flotilla\/t\/github-acme-tickets-1\)/);
      expect(success.tags).toEqual(expect.arrayContaining(['director', 'ticket:github:acme/tickets#1']));
      expect(stored.find((l) => l.outcome === 'failure')!.text).toContain('failed (task, retry_later): tests still fail in auth.spec');
      // The first ticket's own prompts had nothing to recall before its first failure was recorded.
      expect(runner.calls[0]!.prompt).not.toContain('Learnings from earlier work');
      expect(runner.calls[2]!.prompt).toContain('Learnings from earlier work');

      world.github.addIssue('acme/tickets', { title: '[api] rate limit the login endpoint', body: 'Too many password attempts per minute should be refused.' });
      const second = await director.runCycle();
      expect(second.batches.map((b) => b.outcome)).toEqual(['pull_request']);
      expect(second.notes).toBeUndefined();
      const prompt = runner.calls.at(-1)!.prompt;
      expect(runner.calls.at(-1)!.tickets[0]!.id).toBe('acme/tickets#2');
      const section = prompt.slice(prompt.indexOf('## Learnings from earlier work'));
      expect(section).toContain('## Learnings from earlier work');
      const today = new Date().toISOString().slice(0, 10);
      expect(section).toContain(`- (${success.updatedAt.slice(0, 10)}, success) Ticket acme/tickets#1 "[api] login endpoint returns 500 on empty password" succeeded`);
      expect(section).toContain(`(${today}, failure) Ticket acme/tickets#1`);
      expect(section).toContain('Validated the password in src/auth/login.ts');
    } finally {
      await ledger.close();
    }
  });

  it('should say once in the cycle report that codekb is missing, and still deliver every ticket', { timeout: 180_000 }, async () => {
    await using world = await githubWorld();
    world.github.addIssue('acme/tickets', { title: '[api] one' });
    world.github.addIssue('acme/tickets', { title: '[api] two' });
    const runner = scriptedRunner();
    const { director, ledger } = directorOf(world, 'dir-missing', runner.runJob, createCodekbLearnings({ env: {}, bin: null }));
    try {
      const report = await director.runCycle();
      expect(report.batches.map((b) => b.outcome)).toEqual(['pull_request', 'pull_request']);
      expect(report.notes).toEqual([`learnings: ${CODEKB_MISSING}`]);
      expect(runner.calls.every((c) => !c.prompt.includes('Learnings from earlier work'))).toBe(true);
    } finally {
      await ledger.close();
    }
  });

  it('should find codekb from FLOTILLA_CODEKB_BIN, be off with "off", else beside the director', async () => {
    await using tmp = await makeTempDir('codekb-bin-');
    const onPath = join(tmp.path, 'codekb');
    await writeFile(onPath, '#!/bin/sh\n', { mode: 0o755 });
    expect(findCodekbBin({ FLOTILLA_CODEKB_BIN: 'off', PATH: tmp.path })).toBeNull();
    expect(findCodekbBin({ FLOTILLA_CODEKB_BIN: '/opt/codekb' })).toEqual({ command: '/opt/codekb', args: [] });
    expect(findCodekbBin({ FLOTILLA_CODEKB_BIN: '/opt/codekb.js' })).toEqual({ command: process.execPath, args: ['/opt/codekb.js'] });
    // Installed beside the director (here: the workspace's @flotilla/codekb) wins over PATH.
    expect(findCodekbBin({ PATH: tmp.path })).toEqual({ command: process.execPath, args: [fileURLToPath(new URL('../../../codekb/bin/codekb.js', import.meta.url))] });
  });

  it('should ask codekb with the titles and the telling words of the text', () => {
    const ticket = { source: 'github', id: 'a#1', title: '[api] Flaky vitest pool', body: 'The worker pool crashes; the worker pool leaks sockets and sockets.', comments: [], labels: [], url: null, inProgress: false };
    expect(learningQuery([ticket as never])).toBe('Flaky vitest pool sockets worker crashes leaks');
  });
});

describe('batchLearning', () => {
  const ticket = { source: 'github', id: 'a#2', title: 'x', body: '', comments: [], labels: [], url: null, inProgress: false } as never;
  it('should file a job that changed nothing as a note, a burned failure as a failure, with the summary cut', () => {
    const base = { repoPath: '/r', tickets: [ticket], branch: 'flotilla/t/github-a-2', link: null, model: 'sonnet' };
    expect(batchLearning({ ...base, result: { ok: true }, outcome: 'nothing_to_do', summary: 'nothing needed' })).toMatchObject({ outcome: 'note', text: 'Ticket a#2 "x" succeeded (nothing_to_do) on sonnet; branch flotilla/t/github-a-2. Agent\'s summary: nothing needed' });
    const failed = batchLearning({ ...base, result: { ok: false, kind: 'timeout', message: 'wall\ntimeout' }, outcome: 'gave_up', summary: 'y'.repeat(700) });
    expect(failed).toMatchObject({ outcome: 'failure', tags: ['director', 'ticket:github:a#2'], repoPath: '/r' });
    expect(failed.text).toContain('failed (timeout, gave_up): wall timeout on sonnet');
    expect(failed.text.endsWith(`${'y'.repeat(600)}…`)).toBe(true);
  });
});
