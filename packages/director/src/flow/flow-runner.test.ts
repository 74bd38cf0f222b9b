import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeGitRepo, makeTempDir, type TempDir } from '@flotilla/testkit';
import { describe, expect, it } from 'vitest';
import type { RunJobResult } from '../cycle/run-job.js';
import { git } from '../git/run-git.js';
import { ensureWorktree } from '../git/worktree.js';
import type { FlowDefinitionInput, FlowItem } from './flow-definition.js';
import { FlowDefinitionSchema } from './flow-definition.js';
import { openFlowLedger, type FlowLedger } from './flow-ledger.js';
import { createFlowRunner, type FlowJobRequest } from './flow-runner.js';

/** What the scripted agent does at one step and round: edit files like an agent would, then answer. */
interface Act {
  write?: Record<string, string>;
  answer?: string;
  fail?: RunJobResult & { ok: false };
}

/** A RunJob that plays `script[<step>#<round>]` (or `<step>`), edits the worktree for real and records every request. */
function scriptedAgent(script: Record<string, Act | ((request: FlowJobRequest) => Act)>) {
  const requests: FlowJobRequest[] = [];
  let jobs = 0;
  const runJob = async (request: FlowJobRequest): Promise<RunJobResult> => {
    requests.push(request);
    const entry = script[`${request.flow.step}#${request.flow.round}`] ?? script[request.flow.step];
    if (entry === undefined) throw new Error(`no script for ${request.flow.step}#${request.flow.round}`);
    const act = typeof entry === 'function' ? entry(request) : entry;
    jobs += 1;
    for (const [path, content] of Object.entries(act.write ?? {})) {
      await mkdir(dirname(join(request.worktreePath, path)), { recursive: true });
      await writeFile(join(request.worktreePath, path), content);
    }
    if (act.fail !== undefined) return { ...act.fail, jobId: `job-${jobs}` };
    return { ok: true, summary: act.answer, jobId: `job-${jobs}` };
  };
  return { runJob, requests, steps: () => requests.map((r) => `${r.flow.step}#${r.flow.round}`) };
}

const fenced = (value: unknown): string => `I read the diff and the files.\n\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\`\n`;

const BUGGY_SUM = 'export function sum(a, b) {\n  return a - b;\n}\n';
const FIXED_SUM = 'export function sum(a, b) {\n  return a + b;\n}\n';
const TEST = "import { sum } from './src/sum.js';\nconst got = sum(2, 3);\nif (got !== 5) { console.error(`sum(2, 3) is ${got}, expected 5`); process.exit(1); }\nconsole.log('1 test passed');\n";

const IMPLEMENT_REVIEW: FlowDefinitionInput = [
  { kind: 'work', name: 'implement', agent: 'claude', model: 'sonnet', prompt: 'You are the implementer.' },
  {
    kind: 'loop',
    name: 'review-fix',
    until: 'approved',
    maxRounds: 3,
    steps: [
      { kind: 'review', name: 'review', agent: 'codex', model: 'gpt-5-codex', prompt: 'You review adversarially.' },
      { kind: 'work', name: 'fix', agent: 'claude', model: 'sonnet', prompt: 'You fix what the review found.' },
    ],
  },
  { kind: 'command', name: 'tests', command: 'node test.mjs' },
  { kind: 'review', name: 'challenge', agent: 'claude', model: 'opus', prompt: 'Final challenge: find what everyone missed.' },
];

const CHANGES_REQUESTED = {
  verdict: 'changes_requested',
  findings: [
    { claim: 'sum() subtracts its arguments instead of adding them', path: 'src/sum.js', line: 2, quote: '  return   a - b;' },
    { claim: 'Set the SUM_API_KEY environment variable in the Vercel dashboard, or sums will be rejected in production', path: null, line: null, quote: null },
    { claim: 'sum() multiplies', path: 'src/sum.js', line: 2, quote: 'return a * b;' },
  ],
};

interface World extends AsyncDisposable {
  tmp: TempDir;
  repo: string;
  worktree: { path: string; branch: string; baseCommit: string };
  ledgerPath: string;
  ledger: FlowLedger;
}

async function world(): Promise<World> {
  const tmp = await makeTempDir('director-flow-');
  const repo = join(tmp.path, 'api');
  await mkdir(repo);
  await makeGitRepo(repo);
  await writeFile(join(repo, 'test.mjs'), TEST);
  await git(repo, ['add', 'test.mjs']);
  await git(repo, ['commit', '-q', '-m', 'a test for sum']);
  const branch = 'flotilla/flow/implement-review-1';
  const worktree = await ensureWorktree({ repoPath: repo, repoName: 'api', branch, base: 'main', worktreesDir: join(tmp.path, 'worktrees') });
  const ledgerPath = join(tmp.path, 'state', 'flows.db');
  const ledger = openFlowLedger(ledgerPath);
  return {
    tmp,
    repo,
    worktree: { path: worktree.path, branch, baseCommit: worktree.baseCommit },
    ledgerPath,
    ledger,
    [Symbol.asyncDispose]: async () => {
      await ledger.close();
      await tmp[Symbol.asyncDispose]();
    },
  };
}

function flowInput(w: World, definition: FlowDefinitionInput = IMPLEMENT_REVIEW) {
  return {
    name: 'implement-review',
    definition: FlowDefinitionSchema.parse(definition) as FlowItem[],
    models: { agent: 'claude', ladder: ['sonnet', 'opus'] },
    task: 'Add sum(a, b) in src/sum.js',
    repo: 'api',
    hosts: ['dragon'],
    worktreePath: w.worktree.path,
    branch: w.worktree.branch,
    baseCommit: w.worktree.baseCommit,
  };
}

describe('a flow run (real git worktree, real SQLite, real shell command)', () => {
  it('should implement, get changes requested with a verified finding, fix, get approved, pass the tests and the challenge — every note on record', async () => {
    await using w = await world();
    const agent = scriptedAgent({
      implement: { write: { 'src/sum.js': BUGGY_SUM }, answer: 'Added sum() in src/sum.js.' },
      'review#1': { answer: fenced(CHANGES_REQUESTED) },
      fix: (request) => {
        expect(request.prompt).toContain('You fix what the review found.');
        expect(request.prompt).toContain('Add sum(a, b) in src/sum.js');
        expect(request.prompt).toContain('Added sum() in src/sum.js.');
        expect(request.prompt).toContain('[verified] src/sum.js:2 — sum() subtracts its arguments instead of adding them');
        expect(request.prompt).toContain('[external_unverified: no quote to check] — Set the SUM_API_KEY');
        expect(request.prompt).toContain("The review's own words:\nI read the diff and the files.");
        return { write: { 'src/sum.js': FIXED_SUM }, answer: 'sum() now adds.' };
      },
      'review#2': (request) => {
        expect(request.prompt).toContain('sum() now adds.');
        return { answer: fenced({ verdict: 'approved', findings: [] }) };
      },
      challenge: (request) => {
        expect(request.jsonSchema).toMatchObject({ required: ['verdict', 'findings'] });
        expect(request.prompt).toContain('1 test passed');
        return { answer: JSON.stringify({ verdict: 'approved', findings: [{ claim: 'sum() has no doc comment', path: 'src/sum.js', line: 1, quote: 'export function sum(a, b) {' }] }) };
      },
    });
    const runner = createFlowRunner({ ledger: w.ledger, runJob: agent.runJob });
    const flow = await runner.start(flowInput(w));

    expect(flow.status).toBe('approved');
    expect(flow.reason).toBeNull();
    // The loop ends at the approving review: no second fix. The tests are a command, not a job.
    expect(agent.steps()).toEqual(['implement#1', 'review#1', 'fix#1', 'review#2', 'challenge#1']);
    expect(flow.steps.map((s) => [s.name, s.round, s.attempt, s.status, s.jobId])).toEqual([
      ['implement', 1, 1, 'succeeded', 'job-1'],
      ['review', 1, 1, 'succeeded', 'job-2'],
      ['fix', 1, 1, 'succeeded', 'job-3'],
      ['review', 2, 1, 'succeeded', 'job-4'],
      ['tests', 1, 1, 'succeeded', null],
      ['challenge', 1, 1, 'succeeded', 'job-5'],
    ]);
    expect(flow.steps.every((s) => s.note !== null && s.note !== '')).toBe(true);
    const [, review1, , review2, tests, challenge] = flow.steps;
    expect(review1!.verdict?.verdict).toBe('changes_requested');
    expect(review1!.verdict?.findings.map((f) => [f.mark, f.reason])).toEqual([
      ['verified', null],
      ['external_unverified', 'no quote to check'],
      ['unverified', 'the quote is not in src/sum.js'],
    ]);
    expect(review2!.verdict).toMatchObject({ verdict: 'approved', findings: [], from: 'fenced_block' });
    expect(tests!.exitCode).toBe(0);
    expect(tests!.note).toMatch(/^\$ node test\.mjs\nexit 0 after [\d.]+ s\n1 test passed$/);
    expect(challenge!.verdict).toMatchObject({ verdict: 'approved', from: 'json', findings: [{ mark: 'verified', foundAtLine: 1 }] });
    // The idempotency keys say which flow, place, round and attempt: a resumed step reuses its key.
    expect(agent.requests.map((r) => r.idempotencyKey)).toEqual([
      `flow:${flow.id}:0:1:1`, `flow:${flow.id}:1.0:1:1`, `flow:${flow.id}:1.1:1:1`, `flow:${flow.id}:1.0:2:1`, `flow:${flow.id}:3:1:1`,
    ]);
    expect(agent.requests.map((r) => [r.agent, r.model])).toEqual([['claude', 'sonnet'], ['codex', 'gpt-5-codex'], ['claude', 'sonnet'], ['codex', 'gpt-5-codex'], ['claude', 'opus']]);
    expect(agent.requests[1]!.jsonSchema).toBeUndefined();
    // Each work step is one commit on the flow's branch, in the one worktree every step used.
    expect(new Set(agent.requests.map((r) => r.worktreePath))).toEqual(new Set([w.worktree.path]));
    expect((await git(w.worktree.path, ['log', '--format=%s', `${w.worktree.baseCommit}..HEAD`])).split('\n')).toEqual(['implement-review: fix', 'implement-review: implement']);
    expect(await readFile(join(w.worktree.path, 'src/sum.js'), 'utf8')).toBe(FIXED_SUM);
    expect(await w.ledger.getFlow(flow.id)).toEqual(flow);
  });

  it('should end not_approved, honestly, when the loop never approves — and run nothing after it', async () => {
    await using w = await world();
    const agent = scriptedAgent({
      implement: { write: { 'src/sum.js': BUGGY_SUM }, answer: 'Added sum().' },
      review: { answer: fenced(CHANGES_REQUESTED) },
      fix: { answer: 'I could not find the problem.' },
    });
    const definition: FlowDefinitionInput = [IMPLEMENT_REVIEW[0]!, { ...(IMPLEMENT_REVIEW[1] as object), maxRounds: 2 } as FlowDefinitionInput[number], IMPLEMENT_REVIEW[2]!];
    const flow = await createFlowRunner({ ledger: w.ledger, runJob: agent.runJob }).start(flowInput(w, definition));
    expect(flow.status).toBe('not_approved');
    expect(flow.reason).toBe('loop "review-fix" ended after 2 rounds without an approving review');
    expect(agent.steps()).toEqual(['implement#1', 'review#1', 'fix#1', 'review#2', 'fix#2']);
    expect(flow.steps.map((s) => s.name)).not.toContain('tests');
  });

  it('should fail a review step whose answer holds no verdict — never read as approval — and retry it when attempts allow', async () => {
    await using w = await world();
    const agent = scriptedAgent({
      implement: { write: { 'src/sum.js': FIXED_SUM }, answer: 'Added sum().' },
      review: { answer: 'LGTM, approved! Ship it.' },
    });
    const single: FlowDefinitionInput = [IMPLEMENT_REVIEW[0]!, { kind: 'review', name: 'review', agent: 'codex', model: 'gpt-5-codex', prompt: 'Review.' }];
    const flow = await createFlowRunner({ ledger: w.ledger, runJob: agent.runJob }).start(flowInput(w, single));
    expect(flow.status).toBe('failed');
    expect(flow.reason).toBe('step "review" failed on attempt 1: no valid verdict: the final answer holds no verdict: neither JSON nor a fenced ```json block');
    expect(flow.steps[1]).toMatchObject({ status: 'failed', verdict: null, failureKind: 'verdict', note: 'LGTM, approved! Ship it.' });

    await using w2 = await world();
    let tries = 0;
    const again = scriptedAgent({
      implement: { write: { 'src/sum.js': FIXED_SUM }, answer: 'Added sum().' },
      review: () => ((tries += 1) === 1 ? { answer: fenced({ verdict: 'looks fine', findings: [] }) } : { answer: fenced({ verdict: 'approved', findings: [] }) }),
    });
    const retried = await createFlowRunner({ ledger: w2.ledger, runJob: again.runJob }).start(flowInput(w2, [single[0]!, { ...(single[1] as object), attempts: 2 } as FlowDefinitionInput[number]]));
    expect(retried.status).toBe('approved');
    expect(retried.steps.map((s) => [s.name, s.attempt, s.status])).toEqual([['implement', 1, 'succeeded'], ['review', 1, 'failed'], ['review', 2, 'succeeded']]);
    expect(retried.steps[1]!.reason).toMatch(/^no valid verdict: the verdict JSON does not match .*verdict: Invalid option/);
  });

  it('should fail on a failing command step unless it may fail, and hand its exit code and output forward', async () => {
    await using w = await world();
    const agent = scriptedAgent({
      implement: { write: { 'src/sum.js': BUGGY_SUM }, answer: 'Added sum().' },
      review: (request) => {
        expect(request.prompt).toContain('exit 1 after');
        expect(request.prompt).toContain('sum(2, 3) is -1, expected 5');
        return { answer: fenced({ verdict: 'changes_requested', findings: [{ claim: 'the test fails: sum subtracts', path: 'src/sum.js', line: 2, quote: 'return a - b;' }] }) };
      },
    });
    const definition: FlowDefinitionInput = [
      IMPLEMENT_REVIEW[0]!,
      { kind: 'command', name: 'tests', command: 'node test.mjs', allowFailure: true },
      { kind: 'review', name: 'review', agent: 'codex', model: 'gpt-5-codex', prompt: 'Review.' },
    ];
    const flow = await createFlowRunner({ ledger: w.ledger, runJob: agent.runJob }).start(flowInput(w, definition));
    expect(flow.status).toBe('not_approved');
    expect(flow.reason).toBe('the last review ("review") requested changes');
    expect(flow.steps[1]).toMatchObject({ status: 'succeeded', exitCode: 1, reason: '`node test.mjs` exited 1' });

    await using w2 = await world();
    const strict = await createFlowRunner({ ledger: w2.ledger, runJob: scriptedAgent({ implement: { write: { 'src/sum.js': BUGGY_SUM }, answer: 'done' } }).runJob }).start(
      flowInput(w2, [IMPLEMENT_REVIEW[0]!, { kind: 'command', name: 'tests', command: 'node test.mjs' }]),
    );
    expect(strict.status).toBe('failed');
    expect(strict.reason).toBe('step "tests" failed on attempt 1: `node test.mjs` exited 1');
  });

  it('should stop at an infrastructure failure without retrying, and take the failed step up again on resume --retry', async () => {
    await using w = await world();
    let limited = true;
    const agent = scriptedAgent({
      implement: () =>
        limited
          ? { fail: { ok: false, failure: { kind: 'rate_limited', message: 'You have hit your limit', resetsAt: '2026-11-26T06:00:00.000Z' } } }
          : { write: { 'src/sum.js': FIXED_SUM }, answer: 'Added sum().' },
      review: { answer: fenced({ verdict: 'approved', findings: [] }) },
    });
    const runner = createFlowRunner({ ledger: w.ledger, runJob: agent.runJob });
    const single: FlowDefinitionInput = [{ ...(IMPLEMENT_REVIEW[0] as object), attempts: 3 } as FlowDefinitionInput[number], { kind: 'review', name: 'review', agent: 'codex', model: 'gpt-5-codex', prompt: 'Review.' }];
    const failed = await runner.start(flowInput(w, single));
    expect(failed.status).toBe('failed');
    expect(failed.reason).toBe('step "implement" failed on attempt 1: the job failed (rate_limited (resets at 2026-11-26T06:00:00.000Z)): You have hit your limit');
    expect(agent.steps()).toEqual(['implement#1']);
    expect(await runner.resume(failed.id)).toMatchObject({ status: 'failed' });
    limited = false;
    const resumed = await runner.resume(failed.id, { retryFailed: true });
    expect(resumed.status).toBe('approved');
    expect(resumed.steps.map((s) => [s.name, s.attempt, s.status])).toEqual([['implement', 1, 'failed'], ['implement', 2, 'succeeded'], ['review', 1, 'succeeded']]);
  });
});
