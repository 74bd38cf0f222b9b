import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigIssue, parseConfig } from '../config/load-config.js';
import type { RunJobResult } from '../cycle/run-job.js';
import { git } from '../git/run-git.js';
import { githubWorld } from '../test-support/director-fixture.js';
import { openFlowLedger } from './flow-ledger.js';
import { createFlowRunJob } from './flow-run-job.js';
import type { FlowJobRequest } from './flow-runner.js';

const BUGGY_SUM = 'export function sum(a, b) {\n  return a - b;\n}\n';
const FIXED_SUM = 'export function sum(a, b) {\n  return a + b;\n}\n';
const fenced = (value: unknown): string => `Reviewed.\n\`\`\`json\n${JSON.stringify(value)}\n\`\`\``;

type Act = { write?: Record<string, string>; answer?: string } | { fail: (RunJobResult & { ok: false })['failure'] };

function scripted(script: Record<string, Act | (() => Act)>) {
  const requests: FlowJobRequest[] = [];
  const runJob = async (request: FlowJobRequest): Promise<RunJobResult> => {
    requests.push(request);
    const entry = script[`${request.flow.step}#${request.flow.round}`] ?? script[request.flow.step];
    if (entry === undefined) throw new Error(`no script for ${request.flow.step}#${request.flow.round}`);
    const act = typeof entry === 'function' ? entry() : entry;
    if ('fail' in act) return { ok: false, failure: act.fail };
    for (const [path, content] of Object.entries(act.write ?? {})) {
      await mkdir(dirname(join(request.worktreePath, path)), { recursive: true });
      await writeFile(join(request.worktreePath, path), content);
    }
    return { ok: true, summary: act.answer, jobId: `job-${requests.length}` };
  };
  return { runJob, requests, steps: () => requests.map((r) => `${r.flow.step}#${r.flow.round}`) };
}

function flowConfig(repoPath: string) {
  const parsed = parseConfig(
    JSON.stringify({
      repos: [{ name: 'api', path: repoPath, base: 'main', github: 'acme/api', flow: 'implement-review' }],
      sources: { github: { repos: ['acme/tickets'] } },
      flows: {
        'implement-review': [
          { kind: 'work', name: 'implement', prompt: 'You implement the ticket.' },
          {
            kind: 'loop',
            until: 'approved',
            maxRounds: 2,
            steps: [
              { kind: 'review', name: 'review', agent: 'codex', model: 'gpt-5-codex', prompt: 'You review adversarially.' },
              { kind: 'work', name: 'fix', prompt: 'You fix what the review found.' },
            ],
          },
          { kind: 'command', name: 'tests', command: 'grep -q "a + b" src/sum.js' },
        ],
      },
    }),
  );
  if (!parsed.ok) throw new Error(parsed.issues.map(formatConfigIssue).join('\n'));
  return parsed.config;
}

describe('a repo with flow: in a director cycle', () => {
  it('should run the ticket through implement → review → fix → review and open one pull request with every note on record', { timeout: 240_000 }, async () => {
    await using world = await githubWorld();
    world.github.addIssue('acme/tickets', { title: '[api] add sum(a, b)', body: 'In src/sum.js.' });
    const agent = scripted({
      implement: { write: { 'src/sum.js': BUGGY_SUM }, answer: 'Added sum().' },
      'review#1': { answer: fenced({ verdict: 'changes_requested', findings: [{ claim: 'sum() subtracts', path: 'src/sum.js', line: 2, quote: 'return a - b;' }] }) },
      fix: { write: { 'src/sum.js': FIXED_SUM }, answer: 'sum() adds now.' },
      'review#2': { answer: fenced({ verdict: 'approved', findings: [] }) },
    });
    const ledger = openFlowLedger(join(world.tmp.path, 'state', 'flows.db'));
    try {
      const runJob = createFlowRunJob({ config: flowConfig(world.api.repo), runJob: agent.runJob, ledger });
      const report = await world.director('dir-a', runJob).runCycle();
      expect(report.batches).toMatchObject([{ outcome: 'pull_request', link: 'https://github.test/acme/api/pull/1' }]);
      expect(agent.steps()).toEqual(['implement#1', 'review#1', 'fix#1', 'review#2']);
      // The ticket's text reached the flow as its task; the attempt's model ran the steps that name none.
      expect(agent.requests[0]!.prompt).toContain('add sum(a, b)');
      expect(agent.requests.map((r) => r.model)).toEqual(['sonnet', 'gpt-5-codex', 'sonnet', 'gpt-5-codex']);
      const [flow] = await ledger.listFlows();
      const record = (await ledger.getFlow(flow!.id))!;
      expect(record).toMatchObject({ status: 'approved', repo: 'api', branch: 'flotilla/t/github-acme-tickets-1', tickets: [{ id: 'acme/tickets#1' }] });
      expect(record.steps.map((s) => [s.name, s.round, s.status, s.verdict?.verdict ?? null])).toEqual([
        ['implement', 1, 'succeeded', null],
        ['review', 1, 'succeeded', 'changes_requested'],
        ['fix', 1, 'succeeded', null],
        ['review', 2, 'succeeded', 'approved'],
        ['tests', 1, 'succeeded', null],
      ]);
      expect(record.steps.every((s) => (s.note ?? '') !== '')).toBe(true);
      expect((await git(world.api.remote, ['log', '--format=%s', 'main..flotilla/t/github-acme-tickets-1'])).split('\n')).toEqual(['implement-review: fix', 'implement-review: implement']);
    } finally {
      await ledger.close();
    }
  });

  it('should charge a rate limit at the review to nobody, and resume the flow at the review on the next attempt', { timeout: 240_000 }, async () => {
    await using world = await githubWorld();
    world.github.addIssue('acme/tickets', { title: '[api] add sum(a, b)' });
    let limited = true;
    const agent = scripted({
      implement: { write: { 'src/sum.js': FIXED_SUM }, answer: 'Added sum().' },
      review: () => (limited ? { fail: { kind: 'rate_limited', message: 'limit reached', resetsAt: '2026-11-26T06:00:00.000Z' } } : { answer: fenced({ verdict: 'approved', findings: [] }) }),
    });
    const ledger = openFlowLedger(join(world.tmp.path, 'state', 'flows.db'));
    try {
      const director = world.director('dir-a', createFlowRunJob({ config: flowConfig(world.api.repo), runJob: agent.runJob, ledger }));
      const first = await director.runCycle();
      expect(first.batches).toMatchObject([{ outcome: 'retry_later', failureKind: 'rate_limited', resetsAt: '2026-11-26T06:00:00.000Z', burned: false }]);
      limited = false;
      const second = await director.runCycle();
      expect(second.batches).toMatchObject([{ outcome: 'pull_request' }]);
      expect(agent.steps()).toEqual(['implement#1', 'review#1', 'review#1']);
      const flows = await ledger.listFlows();
      expect(flows).toHaveLength(1);
      expect((await ledger.getFlow(flows[0]!.id))!.steps.map((s) => [s.name, s.attempt, s.status])).toEqual([
        ['implement', 1, 'succeeded'],
        ['review', 1, 'failed'],
        ['review', 2, 'succeeded'],
        ['tests', 1, 'succeeded'],
      ]);
    } finally {
      await ledger.close();
    }
  });
});
