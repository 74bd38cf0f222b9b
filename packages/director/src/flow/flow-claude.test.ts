import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { claudeBin, claudeEnv, makeGitRepo, makeTempDir, runProcess, seedClaudeHome, startFakeAnthropic } from '@flotilla/testkit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RunJobResult } from '../cycle/run-job.js';
import { git } from '../git/run-git.js';
import { ensureWorktree } from '../git/worktree.js';
import { FlowDefinitionSchema, type FlowItem } from './flow-definition.js';
import { openFlowLedger } from './flow-ledger.js';
import { createFlowRunner, type FlowJobRequest } from './flow-runner.js';

const API_KEY = 'sk-ant-api03-director-flow-0123456789';
const BUGGY_SUM = 'export function sum(a, b) {\n  return a - b;\n}\n';
const FIXED_SUM = 'export function sum(a, b) {\n  return a + b;\n}\n';

const ResultLineSchema = z.object({ type: z.literal('result'), is_error: z.boolean(), result: z.string().optional(), session_id: z.string() });

/**
 * A RunJob that runs the real `claude -p` in the step's worktree, as the hub's dispatch does through
 * cb: the model flag always, `--json-schema` when the step asks for one; the final answer is `result`.
 */
function realClaude(env: Record<string, string>) {
  const argvs: string[][] = [];
  const runJob = async (request: FlowJobRequest): Promise<RunJobResult> => {
    const args = ['-p', request.prompt, '--output-format', 'json', '--model', request.model, '--permission-mode', 'acceptEdits'];
    if (request.jsonSchema !== undefined) args.push('--json-schema', JSON.stringify(request.jsonSchema));
    argvs.push(args);
    const run = await runProcess({ command: claudeBin(), args, cwd: request.worktreePath, env, timeoutMs: 60_000 });
    const result = ResultLineSchema.parse(JSON.parse(run.stdout));
    if (run.exitCode !== 0 || result.is_error) return { ok: false, failure: { kind: 'task', message: result.result ?? run.stderr }, jobId: result.session_id };
    return { ok: true, summary: result.result, jobId: result.session_id };
  };
  return { runJob, argvs };
}

describe('a flow with the real Claude Code CLI against a scripted fake model API', () => {
  it('should get each review\'s verdict back through --json-schema, check its quote and loop until approved', { timeout: 180_000 }, async () => {
    await using tmp = await makeTempDir('director-flow-claude-');
    const repo = join(tmp.path, 'api');
    await mkdir(repo);
    await makeGitRepo(repo);
    const branch = 'flotilla/flow/claude-1';
    const worktree = await ensureWorktree({ repoPath: repo, repoName: 'api', branch, base: 'main', worktreesDir: join(tmp.path, 'worktrees') });
    const home = join(tmp.path, 'home');
    await mkdir(home);
    await seedClaudeHome(home, { apiKey: API_KEY, cwd: worktree.path });
    const finding = { claim: 'sum() subtracts its arguments', path: 'src/sum.js', line: 2, quote: 'return a - b;' };
    await using api = await startFakeAnthropic([
      { text: 'Writing src/sum.js.', toolUses: [{ name: 'Write', input: { file_path: join(worktree.path, 'src/sum.js'), content: BUGGY_SUM } }] },
      { text: 'Added sum() in src/sum.js.' },
      { text: 'Reviewing.', toolUses: [{ name: 'StructuredOutput', input: { verdict: 'changes_requested', findings: [finding] } }] },
      // Claude Code's Write refuses to overwrite a file this session has not read.
      { text: 'Reading it first.', toolUses: [{ name: 'Read', input: { file_path: join(worktree.path, 'src/sum.js') } }] },
      { text: 'Fixing.', toolUses: [{ name: 'Write', input: { file_path: join(worktree.path, 'src/sum.js'), content: FIXED_SUM } }] },
      { text: 'sum() adds now.' },
      { text: 'Reviewing again.', toolUses: [{ name: 'StructuredOutput', input: { verdict: 'approved', findings: [] } }] },
    ]);
    await mkdir(join(worktree.path, 'src'));
    const claude = realClaude(claudeEnv({ home, baseUrl: api.url, apiKey: API_KEY }));
    await using ledger = { value: openFlowLedger(join(tmp.path, 'flows.db')), [Symbol.asyncDispose]() { return this.value.close(); } };
    const definition = FlowDefinitionSchema.parse([
      { kind: 'work', name: 'implement', prompt: 'You implement the task.' },
      {
        kind: 'loop',
        until: 'approved',
        maxRounds: 2,
        steps: [
          { kind: 'review', name: 'review', prompt: 'You review adversarially.' },
          { kind: 'work', name: 'fix', prompt: 'You fix what the review found.' },
        ],
      },
    ]) as FlowItem[];
    const flow = await createFlowRunner({ ledger: ledger.value, runJob: claude.runJob }).start({
      name: 'claude-review',
      definition,
      models: { agent: 'claude', ladder: ['sonnet'] },
      task: 'Add sum(a, b) in src/sum.js',
      repo: 'api',
      worktreePath: worktree.path,
      branch,
      baseCommit: worktree.baseCommit,
    });

    expect(flow.steps.map((s) => [s.name, s.round, s.status, s.reason])).toEqual([
      ['implement', 1, 'succeeded', null],
      ['review', 1, 'succeeded', null],
      ['fix', 1, 'succeeded', null],
      ['review', 2, 'succeeded', null],
    ]);
    expect(flow.status).toBe('approved');
    // The structured answer is the whole final answer: read as JSON, not from a fenced block.
    expect(flow.steps[1]!.verdict).toEqual({ verdict: 'changes_requested', from: 'json', findings: [{ ...finding, mark: 'verified', reason: null, foundAtLine: 2, external: false }] });
    expect(flow.steps[3]!.verdict).toMatchObject({ verdict: 'approved', from: 'json' });
    expect(claude.argvs.map((argv) => argv.includes('--json-schema'))).toEqual([false, true, false, true]);
    expect(claude.argvs.every((argv) => argv[argv.indexOf('--model') + 1] === 'sonnet')).toBe(true);
    const main = api.requests.filter((r) => r.kind === 'main');
    expect(main).toHaveLength(7);
    expect(JSON.stringify(main[3]!.body)).toContain('[verified] src/sum.js:2 — sum() subtracts its arguments');
    expect(await readFile(join(worktree.path, 'src/sum.js'), 'utf8')).toBe(FIXED_SUM);
    expect((await git(worktree.path, ['log', '--format=%s', `${worktree.baseCommit}..HEAD`])).split('\n')).toEqual(['claude-review: fix', 'claude-review: implement']);
  });
});
