import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@flotilla/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectorConfigSchema, type DirectorConfig } from '../config/config-schema.js';
import { openFlowLedger, type FlowLedger } from '../flow/flow-ledger.js';
import { routeTicket } from '../config/routing.js';
import { git } from '../git/run-git.js';
import { createBoardSource } from '../sources/board/board-source.js';
import { makeScoutRepo, scriptedScout, startScoutHub, type ScoutHub } from '../test-support/scout-world.js';
import { markerOf } from './duplicates.js';
import { PROPOSALS_JSON_SCHEMA } from './proposals.js';
import { openScoutRecord, type ScoutRecord } from './scout-record.js';
import { runScout } from './scout-run.js';
import { dueRepos, startScoutSchedule } from './scout-schedule.js';

const failingTest = {
  title: 'Fix sum() for negative numbers',
  body: 'The negatives test fails: sum(-2, 1) gives 1.',
  tags: ['tests'],
  priority: 'high',
  evidence: [
    { path: 'command:tests', line: null, quote: 'not ok 2 - sum handles negatives: expected -1, got 1' },
    { path: 'test/sum.test.sh', line: 4, quote: 'echo "not ok 2 - sum handles negatives: expected -1, got 1"' },
  ],
};
const authTodos = {
  title: 'Resolve the TODO cluster in src/auth',
  body: 'Rate-limit logins and rotate session ids.',
  tags: ['security'],
  priority: 'normal',
  evidence: [
    { path: 'src/auth/login.ts', line: 2, quote: '// TODO: rate-limit failed logins' },
    { path: 'src/auth/session.ts', line: 3, quote: '// TODO: rotate the session id on renew' },
    { path: 'src/auth/session.ts', line: 3, quote: '// TODO: an invented line' },
  ],
};
const external = {
  title: 'Rotate the Stripe API key in the Stripe dashboard',
  body: 'The key looks old.',
  tags: [],
  priority: 'high',
  evidence: [{ path: 'config/stripe.ts', line: 1, quote: 'STRIPE_KEY = "sk_live"' }],
};
const billing = {
  title: 'Round invoice totals to cents',
  body: 'total() sums floats.',
  tags: [],
  priority: 'low',
  evidence: [{ path: 'src/billing/invoice.ts', line: 2, quote: '// TODO: round to cents' }],
};
const answer = (...proposals: object[]): string => JSON.stringify({ proposals });

describe('a scout run against the hub\'s real board', () => {
  let tmp: TempDir;
  let hub: ScoutHub;
  let repo: string;
  let record: ScoutRecord;
  let flows: FlowLedger;
  let config: DirectorConfig;

  beforeAll(async () => {
    tmp = await makeTempDir('scout-run-');
    hub = await startScoutHub(tmp.path);
    repo = (await makeScoutRepo(tmp.path)).repo;
    record = openScoutRecord(join(tmp.path, 'state', 'scout.db'));
    flows = openFlowLedger(join(tmp.path, 'state', 'flows.db'));
    config = DirectorConfigSchema.parse({ repos: [{ name: 'api', path: repo, base: 'main' }], scout: { commands: { tests: 'sh test/sum.test.sh' }, maxPending: 4 } });
  }, 120_000);
  afterAll(async () => {
    record?.close();
    await flows?.close();
    await hub?.[Symbol.asyncDispose]();
    await tmp?.[Symbol.asyncDispose]();
  });
  const scout = (answers: Parameters<typeof scriptedScout>[0], extra: { dryRun?: boolean } = {}) => {
    const agent = scriptedScout(answers);
    return { agent, run: runScout({ config, stateDir: join(tmp.path, 'state'), runJob: agent.runJob, board: hub.board, record, flows, ...extra }) };
  };

  it('should add checked proposals as proposed [repo] tasks, drop one whose quotes do not check out, and leave nothing in the checkout', { timeout: 180_000 }, async () => {
    const { agent, run } = scout([answer(failingTest, authTodos, external)]);
    const report = await run;
    const [api] = report.repos;

    expect(api).toMatchObject({ repo: 'api', outcome: 'proposed', reason: null });
    expect(api!.proposed.map((p) => [p.title, p.priority])).toEqual([
      ['[api] Fix sum() for negative numbers', 'high'],
      ['[api] Resolve the TODO cluster in src/auth', 'normal'],
    ]);
    expect(api!.skipped).toEqual([expect.objectContaining({ title: external.title, why: 'unverified', reason: 'no quote checked out (config/stripe.ts:1: external_unverified: config/stripe.ts does not exist in the worktree)' })]);
    const tasks = await hub.board.listTasks();
    expect(tasks.map((t) => [t.title, t.status, t.priority])).toEqual([
      ['[api] Fix sum() for negative numbers', 'proposed', 'high'],
      ['[api] Resolve the TODO cluster in src/auth', 'proposed', 'normal'],
    ]);
    const auth = tasks[1]!;
    expect(auth.tags).toEqual(['scout', 'api', 'security']);
    expect(auth.body).toContain('- src/auth/login.ts:2 — verified');
    expect(auth.body).toContain('- src/auth/session.ts:3 — unverified: the quote is not in src/auth/session.ts');
    expect(markerOf(auth)).toEqual({ fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/), cites: [expect.stringMatching(/^src\/auth\/login\.ts#[0-9a-f]{8}$/), expect.stringMatching(/^src\/auth\/session\.ts#[0-9a-f]{8}$/)] });

    // One agent job, on the config's agent and first model, with the proposals' JSON Schema and the evidence.
    expect(agent.requests).toHaveLength(1);
    const request = agent.requests[0]!;
    expect([request.agent, request.model, request.jsonSchema]).toEqual(['claude', 'sonnet', PROPOSALS_JSON_SCHEMA]);
    expect(request.prompt).toContain('src/auth/login.ts:2: // TODO: rate-limit failed logins');
    expect(request.prompt).toContain('not ok 2 - sum handles negatives');
    expect(request.prompt).toContain('"proposals"');
    expect(existsSync(request.worktreePath)).toBe(false);
    expect(await git(repo, ['status', '--porcelain'])).toBe('');
    expect(await git(repo, ['branch', '--list', 'flotilla/scout/*'])).toBe('');
    // The run is a flow on record: `flow show` names its step and job.
    const flow = await flows.getFlow(api!.flowId!);
    expect(flow?.steps.map((s) => [s.name, s.status, s.jobId])).toEqual([['scout', 'succeeded', 'job-1']]);
  });

  it('should not propose the same work again on the next run, and say why for each', { timeout: 180_000 }, async () => {
    const reworded = { ...failingTest, title: 'Make the negative-numbers test pass' };
    const sameTitle = { ...authTodos, title: 'resolve the TODO-cluster in src/auth!', evidence: [authTodos.evidence[0]!] };
    const { run } = scout([answer(reworded, sameTitle, billing)]);
    const [api] = (await run).repos;

    expect(api!.proposed.map((p) => p.title)).toEqual(['[api] Round invoice totals to cents']);
    const keyOf = async (title: string): Promise<string> => (await hub.board.listTasks()).find((t) => t.title === title)!.key;
    expect(api!.skipped.map((s) => [s.title, s.why, s.duplicateOf])).toEqual([
      [reworded.title, 'duplicate', await keyOf('[api] Fix sum() for negative numbers')],
      [sameTitle.title, 'duplicate', await keyOf('[api] Resolve the TODO cluster in src/auth')],
    ]);
    expect(api!.skipped[0]!.reason).toMatch(/was proposed from the same evidence$/);
    expect(api!.skipped[1]!.reason).toMatch(/has the same title$/);
    expect((await hub.board.listTasks()).map((t) => t.title)).toHaveLength(3);
  });

  it('should propose nothing in a dry run, and find duplicates in its own record when the board has lost the task', { timeout: 120_000 }, async () => {
    const billingTask = (await hub.board.listTasks()).find((t) => t.title.includes('invoice'))!;
    const currency = { ...billing, title: 'Support currencies in invoices', evidence: [{ path: 'src/billing/invoice.ts', line: 5, quote: '// TODO: currency' }] };
    const dry = await scout([answer(billing, currency)], { dryRun: true }).run;
    expect(dry.dryRun).toBe(true);
    expect(dry.repos[0]!.skipped.map((s) => s.reason)).toEqual([`${billingTask.key} (proposed) was proposed from the same evidence`]);
    expect(dry.repos[0]!.proposed.map((p) => [p.title, p.taskKey])).toEqual([['[api] Support currencies in invoices', null]]);
    expect(await hub.board.listTasks()).toHaveLength(3);
    expect(record.findProposal('api', 'no-such-fingerprint', 'support currencies in invoices')).toBeNull();

    // The hub's board was replaced by an empty one: the scout's record still knows what it proposed.
    await using emptyHub = await startScoutHub(join(tmp.path, 'second-hub'));
    const agent = scriptedScout([answer(billing)]);
    const report = await runScout({ config, stateDir: join(tmp.path, 'state'), runJob: agent.runJob, board: emptyHub.board, record, flows });
    expect(report.repos[0]!.skipped.map((s) => s.reason)).toEqual([`proposed before as ${billingTask.key} on ${billingTask.createdAt.slice(0, 10)} (the scout's record)`]);
    expect(await emptyHub.board.listTasks()).toEqual([]);
  });

  it('should fail the repo in words when the agent\'s JSON has the wrong shape, adding nothing', { timeout: 180_000 }, async () => {
    const { run } = scout(['Here you go:\n```json\n{"proposals": [{"title": "x", "priority": "urgent", "evidence": "src/a.ts"}]}\n```']);
    const [api] = (await run).repos;
    expect(api!.outcome).toBe('failed');
    expect(api!.reason).toMatch(/^the scout's JSON does not match \{proposals: \[\{title, body, tags, priority: high\|normal\|low, evidence: \[\{path, line, quote\}\]\}\]\}: proposals\.0\.priority: .*; proposals\.0\.evidence: .*\(flow show \w+\)$/);
    const prose = await scout(['I looked around and everything seems fine.']).run;
    expect(prose.repos[0]!.reason).toMatch(/^the scout's final answer holds no proposals: neither JSON nor a fenced ```json block/);
    expect(await hub.board.listTasks()).toHaveLength(3);
  });

  it('should not scout a repo another scout is scouting (its lock names a live process)', { timeout: 120_000 }, async () => {
    const lock = join(tmp.path, 'state', 'scout-api.lock');
    await writeFile(lock, `${process.ppid}\n`);
    const { agent, run } = scout([answer(billing)]);
    expect((await run).repos[0]).toMatchObject({ outcome: 'skipped', reason: `another scout of api is running (pid ${process.ppid})` });
    expect(agent.requests).toHaveLength(0);
    await rm(lock);
  });

  it('should not scout a repo whose proposals already wait for approval (maxPending), and scout it on schedule once it is due', { timeout: 180_000 }, async () => {
    await hub.board.addTask({ title: '[api] a person\'s own idea', proposed: true });
    const { agent, run } = scout([answer(billing)]);
    const [api] = (await run).repos;
    expect(api).toMatchObject({ outcome: 'skipped', reason: '4 proposals of api await approval (scout.maxPending 4): approve or fail some first' });
    expect(agent.requests).toHaveLength(0);

    // Proposed tasks are nobody's work until a person approves one; then the director routes it by its [api] prefix.
    const source = createBoardSource(hub.board, { ...config.sources.board, host: 'box' });
    expect(await source.listEligible()).toEqual([]);
    const auth = (await hub.board.listTasks()).find((t) => t.title === '[api] Resolve the TODO cluster in src/auth')!;
    await hub.board.approveTask(auth.key);
    const eligible = await source.listEligible();
    expect(eligible.map((t) => t.id)).toEqual([auth.key]);
    expect(routeTicket(eligible[0]!, config)).toMatchObject({ routed: true, repo: { name: 'api' }, by: 'prefix' });

    // `start`'s schedule: due after everyHours since the last run started, counted from the record.
    const now = Date.now();
    expect(dueRepos(['api'], record, 24, now)).toEqual([]);
    expect(dueRepos(['api'], record, 24, now + 25 * 3600_000)).toEqual(['api']);
    const schedule = startScoutSchedule({ config: { ...config, scout: { ...config.scout!, everyHours: null } }, stateDir: join(tmp.path, 'state'), runJob: agent.runJob, board: hub.board });
    expect(schedule.off).toBe('scout.everyHours is null (scout by hand: flotilla-director scout)');
    expect(await schedule.check()).toEqual([]);
    await schedule.stop();
  });
});
