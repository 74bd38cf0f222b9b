/**
 * Issue 8, with real parts: a repo whose tickets run through a flow — implement with Claude, review
 * with Codex (its verdict a fenced JSON block), fix with Claude, review again until approved — every
 * step a job of a real cb daemon running the real Claude Code and Codex CLIs against the scripted
 * fake Anthropic and OpenAI APIs; `flotilla-director start --once` then pushes and opens one pull
 * request. (src/flow/flow-claude.test.ts runs a Claude-only flow without cb.)
 */
import { join } from 'node:path';
import type { AnthropicStep, OpenAIStep } from '@flotilla/testkit';
import { describe, expect, it } from 'vitest';
import type { CycleReport } from '../cycle/report.js';
import { openFlowLedger } from '../flow/flow-ledger.js';
import { git } from '../git/run-git.js';
import { startClaudeFleet, PULLS_REPO, TICKETS_REPO } from '../test-support/claude-fleet.js';
import { anthropicRequestFacts, finalText, openaiRequestFacts, rungOf, scriptModel, type ModelAnswer, type ModelRequest } from '../test-support/claude-fleet-model.js';

const BUGGY_SUM = 'export function sum(a, b) {\n  return a - b;\n}\n';
const FIXED_SUM = 'export function sum(a, b) {\n  return a + b;\n}\n';
const FINDING = { claim: 'sum() subtracts its arguments', path: 'sum.js', line: 2, quote: 'return a - b;' };

const FLOW = [
  { kind: 'work', name: 'implement', prompt: 'ROLE implement: write the code the task asks for.' },
  {
    kind: 'loop',
    name: 'review-fix',
    until: 'approved',
    maxRounds: 3,
    steps: [
      { kind: 'review', name: 'review', agent: 'codex', model: 'gpt-5-codex', prompt: 'ROLE review: review the change adversarially.' },
      { kind: 'work', name: 'fix', prompt: 'ROLE fix: fix what the review found.' },
    ],
  },
];

/** Claude's side: implement writes the buggy file; fix reads it, then writes the fixed one (Write refuses a file the session has not read). */
function claudeStep(request: ModelRequest): ModelAnswer<AnthropicStep> {
  const toolResults = request.text.split('"tool_result"').length - 1;
  if (request.text.includes('ROLE fix')) {
    if (toolResults === 0) return { label: 'fix:read', step: { text: 'Reading sum.js.', toolUses: [{ name: 'Read', input: { file_path: 'sum.js' } }] } };
    if (toolResults === 1) return { label: 'fix:write', step: { text: 'Fixing.', toolUses: [{ name: 'Write', input: { file_path: 'sum.js', content: FIXED_SUM } }] } };
    return finalText('sum() adds now.');
  }
  if (request.text.includes('ROLE implement') && toolResults === 0) {
    return { label: 'implement:write', step: { text: 'Writing sum.js.', toolUses: [{ name: 'Write', input: { file_path: 'sum.js', content: BUGGY_SUM } }] } };
  }
  return finalText('Added sum() in sum.js.');
}

/** Codex's side: the first review asks for a change quoting the bug, the next approves. */
function codexReviewer(): (request: ModelRequest) => ModelAnswer<OpenAIStep> {
  let reviews = 0;
  return () => {
    reviews += 1;
    const verdict = reviews === 1 ? { verdict: 'changes_requested', findings: [FINDING] } : { verdict: 'approved', findings: [] };
    const text = `${reviews === 1 ? 'sum() is wrong.' : 'Looks right now.'}\n\n\`\`\`json\n${JSON.stringify(verdict)}\n\`\`\``;
    return { label: `review:${verdict.verdict}`, step: { text } };
  };
}

describe('a review flow with the real Claude Code and Codex CLIs through a real cb daemon', () => {
  it('should implement with Claude, review with Codex, fix with Claude until approved, and open one pull request', { timeout: 600_000 }, async () => {
    await using fleet = await startClaudeFleet();
    fleet.github.addIssue(TICKETS_REPO, { title: '[api] ticket:flow-one add sum()', body: 'Add sum(a, b) in sum.js.' });
    const claude = scriptModel(fleet.anthropic, anthropicRequestFacts, claudeStep);
    const codex = scriptModel(fleet.openai, openaiRequestFacts, codexReviewer());
    const config = await fleet.writeConfig({
      repos: [{ name: 'api', path: fleet.api.repo, base: 'main', github: PULLS_REPO, flow: 'implement-review' }],
      flows: { 'implement-review': FLOW },
    });

    const cycle = await fleet.director(['start', '--once', '--json', '--config', config]);
    expect(cycle.code, `${cycle.stderr}\n${fleet.daemonLog().slice(-2000)}`).toBe(0);
    const report = JSON.parse(cycle.stdout) as CycleReport;
    expect(report.batches.map((b) => b.outcome)).toEqual(['pull_request']);

    // Four cb jobs, the agents alternating, each review on the model its step names.
    const jobs = (await fleet.jobs()).filter((job) => job.tags.includes('director')).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    // (cb records the model the CLI reported: Claude Code resolves `sonnet` to a full name.)
    expect(jobs.map((job) => [job.agent, job.agent === 'claude' ? rungOf(job.model ?? '') : job.model, job.status])).toEqual([
      ['claude', 'sonnet', 'succeeded'],
      ['codex', 'gpt-5-codex', 'succeeded'],
      ['claude', 'sonnet', 'succeeded'],
      ['codex', 'gpt-5-codex', 'succeeded'],
    ]);
    expect(codex.log.map((entry) => [entry.model, entry.label])).toEqual([
      ['gpt-5-codex', 'review:changes_requested'],
      ['gpt-5-codex', 'review:approved'],
    ]);
    expect(claude.log.map((entry) => entry.label)).toEqual(['implement:write', 'final', 'fix:read', 'fix:write', 'final']);

    // The record: each step with its note, the first verdict's quote checked against the worktree.
    const flows = openFlowLedger(join(fleet.stateDir, 'flows.db'));
    try {
      const [listed] = await flows.listFlows();
      const flow = (await flows.getFlow(listed!.id))!;
      expect(flow.status).toBe('approved');
      expect(flow.steps.map((s) => [s.name, s.round, s.agent, s.status])).toEqual([
        ['implement', 1, 'claude', 'succeeded'],
        ['review', 1, 'codex', 'succeeded'],
        ['fix', 1, 'claude', 'succeeded'],
        ['review', 2, 'codex', 'succeeded'],
      ]);
      expect(flow.steps[1]!.verdict).toMatchObject({ verdict: 'changes_requested', from: 'fenced_block', findings: [{ ...FINDING, mark: 'verified' }] });
      expect(flow.steps[3]!.verdict).toMatchObject({ verdict: 'approved', from: 'fenced_block' });
      expect(flow.steps.every((s) => (s.note ?? '').length > 0)).toBe(true);
    } finally {
      await flows.close();
    }
    // The fix step was told what the review found.
    expect(claude.log.length).toBe(5);
    expect(fleet.anthropic.requests.some((r) => JSON.stringify(r.body ?? null).includes('[verified] sum.js:2'))).toBe(true);

    const pulls = fleet.github.pulls(PULLS_REPO);
    expect(pulls).toHaveLength(1);
    expect(await git(fleet.api.remote, ['show', `${pulls[0]!.head}:sum.js`])).toBe(FIXED_SUM.trimEnd());
  });
});
