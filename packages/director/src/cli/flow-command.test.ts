import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { makeGitRepo, makeTempDir, type TempDir } from '@flotilla/testkit';
import { describe, expect, it } from 'vitest';
import type { RunJobResult } from '../cycle/run-job.js';
import { formatConfigIssue, parseConfig } from '../config/load-config.js';
import type { DirectorConfig } from '../config/config-schema.js';
import { git } from '../git/run-git.js';
import type { FlowJobRequest } from '../flow/flow-runner.js';
import { spawnTs, srcModule } from '../test-support/run-ts.js';
import { FLOW_EXIT, runFlowCommand, type FlowCommandDeps } from './flow-command.js';

const CONFIG = `
repos: [{name: api, path: ./api, base: main, flow: implement-review}]
flows:
  implement-review:
    - {kind: work, name: implement, prompt: You implement the task.}
    - kind: loop
      name: review-fix
      until: approved
      maxRounds: 3
      steps:
        - {kind: review, name: review, agent: codex, model: gpt-5-codex, prompt: You review adversarially.}
        - {kind: work, name: fix, prompt: You fix what the review found.}
    - {kind: command, name: tests, command: node test.mjs}
`;

const BUGGY_SUM = 'export function sum(a, b) {\n  return a - b;\n}\n';
const FIXED_SUM = 'export function sum(a, b) {\n  return a + b;\n}\n';
const TEST = "import { sum } from './src/sum.js';\nif (sum(2, 3) !== 5) { console.error('sum(2, 3) is wrong'); process.exit(1); }\nconsole.log('1 test passed');\n";
const fenced = (value: unknown): string => `Reviewed.\n\`\`\`json\n${JSON.stringify(value)}\n\`\`\``;
const CHANGES = { verdict: 'changes_requested', findings: [{ claim: 'sum() subtracts', path: 'src/sum.js', line: 2, quote: 'return a - b;' }] };

/** Serialisable, so the child process plays the same script: per `<step>#<round>` (or `<step>`), files to write and an answer — or "hang". */
type Script = Record<string, { write?: Record<string, string>; answer?: string } | 'hang'>;

const SCRIPT: Script = {
  implement: { write: { 'src/sum.js': BUGGY_SUM }, answer: 'Added sum().' },
  'review#1': { answer: fenced(CHANGES) },
  'fix#1': { write: { 'src/sum.js': FIXED_SUM }, answer: 'sum() adds now.' },
  'review#2': { answer: fenced({ verdict: 'approved', findings: [] }) },
};

function scripted(script: Script) {
  const requests: FlowJobRequest[] = [];
  const runJob = async (request: FlowJobRequest): Promise<RunJobResult> => {
    requests.push(request);
    const act = script[`${request.flow.step}#${request.flow.round}`] ?? script[request.flow.step];
    if (act === undefined || act === 'hang') throw new Error(`no script for ${request.flow.step}#${request.flow.round}`);
    for (const [path, content] of Object.entries(act.write ?? {})) {
      await mkdir(dirname(join(request.worktreePath, path)), { recursive: true });
      await writeFile(join(request.worktreePath, path), content);
    }
    return { ok: true, summary: act.answer, jobId: `job-${request.flow.step}-${request.flow.round}` };
  };
  return { runJob, requests };
}

interface Cli extends AsyncDisposable {
  tmp: TempDir;
  config: DirectorConfig;
  stateDir: string;
  run(argv: string[], runJob?: FlowCommandDeps['runJob']): Promise<{ code: number; out: string; err: string }>;
}

async function cli(config = CONFIG): Promise<Cli> {
  const tmp = await makeTempDir('director-flow-cli-');
  const repo = join(tmp.path, 'api');
  await mkdir(repo);
  await makeGitRepo(repo);
  await writeFile(join(repo, 'test.mjs'), TEST);
  await git(repo, ['add', 'test.mjs']);
  await git(repo, ['commit', '-q', '-m', 'a test']);
  const parsed = parseConfig(config, { baseDir: tmp.path });
  if (!parsed.ok) throw new Error(parsed.issues.map(formatConfigIssue).join('\n'));
  const stateDir = join(tmp.path, 'state');
  return {
    tmp,
    config: parsed.config,
    stateDir,
    async run(argv, runJob = scripted(SCRIPT).runJob) {
      let out = '';
      let err = '';
      const code = await runFlowCommand(argv, { config: parsed.config, stateDir, runJob, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
      return { code, out, err };
    },
    [Symbol.asyncDispose]: () => tmp[Symbol.asyncDispose](),
  };
}

describe('flow run / show / list', () => {
  it('should run a flow from flotilla.yaml in a new worktree, print each step, and show it all afterwards', async () => {
    await using c = await cli();
    const run = await c.run(['run', 'implement-review', 'Add sum(a, b) in src/sum.js']);
    expect(run.err).toBe('');
    expect(run.code).toBe(FLOW_EXIT.ok);
    const id = /^flow (\S+) \(implement-review\)/.exec(run.out)?.[1];
    expect(id).toBeDefined();
    expect(run.out).toContain('▸ implement (work, claude sonnet)…\n  succeeded\n▸ review (review, codex gpt-5-codex)…\n  changes_requested\n▸ fix (work, claude sonnet)…\n  succeeded\n▸ review round 2 (review, codex gpt-5-codex)…\n  approved\n▸ tests (command)…\n  succeeded\n');
    expect(run.out).toContain(`flow ${id} (implement-review) — approved`);

    const show = await c.run(['show', id!]);
    expect(show.code).toBe(0);
    expect(show.out).toContain('4. review round 2 (review, codex gpt-5-codex) — approved');
    expect(show.out).toContain('   │ 1. [verified] src/sum.js:2 — sum() subtracts');
    expect(show.out).toContain('   │ 1 test passed');
    const json = JSON.parse((await c.run(['show', id!, '--json'])).out) as { status: string; steps: Array<{ name: string; jobId: string | null; note: string }> };
    expect(json.status).toBe('approved');
    expect(json.steps.map((s) => [s.name, s.jobId])).toEqual([['implement', 'job-implement-1'], ['review', 'job-review-1'], ['fix', 'job-fix-1'], ['review', 'job-review-2'], ['tests', null]]);
    const list = await c.run(['list']);
    expect(list.out).toMatch(new RegExp(`^${id}  approved +implement-review  api  Add sum\\(a, b\\) in src/sum\\.js\\n$`));
    const worktree = /worktree (\S+)/.exec(run.out)![1]!;
    expect(await readFile(join(worktree, 'src/sum.js'), 'utf8')).toBe(FIXED_SUM);
  });

  it('should answer --json with the flow record, and exit 3 when the flow ends not approved', async () => {
    await using c = await cli();
    const never = scripted({ ...SCRIPT, 'review#2': { answer: fenced(CHANGES) }, review: { answer: fenced(CHANGES) }, fix: { answer: 'tried' } });
    const run = await c.run(['run', 'implement-review', 'Add sum', '--repo', 'api', '--json'], never.runJob);
    expect(run.code).toBe(FLOW_EXIT.notApproved);
    expect(JSON.parse(run.out)).toMatchObject({ status: 'not_approved', reason: 'loop "review-fix" ended after 3 rounds without an approving review' });
  });

  it('should refuse malformed commands with the usage (exit 2) and an unknown flow id with exit 1', async () => {
    await using c = await cli();
    expect(await c.run(['run', 'nightly', 'x'])).toMatchObject({ code: 2, err: expect.stringContaining('no flow "nightly" in flotilla.yaml (defined: implement-review)') });
    expect(await c.run(['run', 'implement-review', 'x', '--repo', 'web'])).toMatchObject({ code: 2, err: expect.stringContaining('no repo "web" in flotilla.yaml (api)') });
    expect(await c.run(['run', 'implement-review'])).toMatchObject({ code: 2, err: expect.stringContaining('usage:') });
    expect(await c.run(['show'])).toMatchObject({ code: 2 });
    expect(await c.run(['fly'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown flow command "fly"') });
    expect(await c.run(['show', '01NOPE', '--bogus'])).toMatchObject({ code: 2, err: expect.stringContaining("Unknown option '--bogus'") });
    expect(await c.run(['show', '01NOPE'])).toMatchObject({ code: 1, err: 'flow: no flow 01NOPE\n' });
  });
});

describe('a flow whose runner is killed mid-step', () => {
  it('should show the truth after the kill and resume at the step it was on, under the same idempotency key', { timeout: 120_000 }, async () => {
    await using c = await cli();
    const hungFile = join(c.tmp.path, 'hung');
    const childScript = join(c.tmp.path, 'flow-child.mts');
    await writeFile(
      childScript,
      `import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runFlowCommand } from ${JSON.stringify(srcModule('cli/flow-command.ts'))};
import { parseConfig } from ${JSON.stringify(srcModule('config/load-config.ts'))};
const world = JSON.parse(process.argv[2]);
const parsed = parseConfig(world.config, { baseDir: world.dir });
if (!parsed.ok) throw new Error('bad config');
const runJob = async (request) => {
  const act = world.script[request.flow.step + '#' + request.flow.round] ?? world.script[request.flow.step];
  if (act === 'hang') {
    setInterval(() => undefined, 1000);
    // Written beside and renamed, so the parent never reads a half-written file.
    await writeFile(world.hungFile + '.partial', request.idempotencyKey);
    await rename(world.hungFile + '.partial', world.hungFile);
    return new Promise(() => undefined);
  }
  for (const [path, content] of Object.entries(act.write ?? {})) {
    await mkdir(dirname(join(request.worktreePath, path)), { recursive: true });
    await writeFile(join(request.worktreePath, path), content);
  }
  return { ok: true, summary: act.answer, jobId: 'child-' + request.flow.step + '-' + request.flow.round };
};
process.exitCode = await runFlowCommand(['run', 'implement-review', 'Add sum(a, b)'], { config: parsed.config, stateDir: world.stateDir, runJob, stdout: process.stdout, stderr: process.stderr });
`,
    );
    const child = spawnTs(childScript, [JSON.stringify({ config: CONFIG, dir: c.tmp.path, stateDir: c.stateDir, hungFile, script: { ...SCRIPT, 'review#2': 'hang' } })]);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    let gone = false;
    void exited.then(() => (gone = true));
    while (!existsSync(hungFile)) {
      if (gone) throw new Error(`the child ended before reaching the second review: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const key = await readFile(hungFile, 'utf8');
    const id = (JSON.parse((await c.run(['list', '--json'])).out) as Array<{ id: string }>)[0]!.id;
    expect(key).toBe(`flow:${id}:1.0:2:1`);

    const show = await c.run(['show', id]);
    expect(show.out).toContain(`flow ${id} (implement-review) — running`);
    expect(show.out).toMatch(/now: review round 2 \(review, codex gpt-5-codex\) since \S+ \(run by \S+:\d+ — that process is gone: `flow resume \S+` continues it\)/);
    const before = JSON.parse((await c.run(['show', id, '--json'])).out) as { ownerAlive: boolean; steps: Array<{ name: string; round: number; status: string; idempotencyKey: string }> };
    expect(before.ownerAlive).toBe(false);
    expect(before.steps.map((s) => [s.name, s.round, s.status])).toEqual([['implement', 1, 'succeeded'], ['review', 1, 'succeeded'], ['fix', 1, 'succeeded'], ['review', 2, 'running']]);

    const agent = scripted(SCRIPT);
    const resumed = await c.run(['resume', id], agent.runJob);
    expect(resumed.err).toBe('');
    expect(resumed.code).toBe(FLOW_EXIT.ok);
    // Only the step that was running is run again, under the key the dead runner used; nothing before it.
    expect(agent.requests.map((r) => [r.flow.step, r.flow.round, r.idempotencyKey])).toEqual([['review', 2, key]]);
    expect(agent.requests[0]!.prompt).toContain('sum() adds now.');
    const after = JSON.parse((await c.run(['show', id, '--json'])).out) as { status: string; owner: string | null; steps: Array<{ name: string; round: number; attempt: number; status: string; jobId: string | null }> };
    expect(after.status).toBe('approved');
    expect(after.owner).toBeNull();
    expect(after.steps.map((s) => [s.name, s.round, s.attempt, s.status, s.jobId])).toEqual([
      ['implement', 1, 1, 'succeeded', 'child-implement-1'],
      ['review', 1, 1, 'succeeded', 'child-review-1'],
      ['fix', 1, 1, 'succeeded', 'child-fix-1'],
      ['review', 2, 1, 'succeeded', 'job-review-2'],
      ['tests', 1, 1, 'succeeded', null],
    ]);
  });
});
