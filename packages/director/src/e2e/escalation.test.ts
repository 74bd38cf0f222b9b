/**
 * Issue 8, with real parts: a ticket whose agent fails twice is retried on the stronger model. The
 * real Claude Code CLI, run by a real cb daemon for `flotilla-director start --once` (three cron-like
 * runs), talks to a fake Anthropic API that cuts every Sonnet reply for this ticket at `max_tokens`
 * — Claude Code ends such a run `max_output_tokens`, which cb classifies as a task failure — and lets
 * Opus write the file. The ladder is `sonnet, sonnet, opus`.
 */
import { describe, expect, it } from 'vitest';
import type { CycleReport } from '../cycle/report.js';
import { git } from '../git/run-git.js';
import { startClaudeFleet, PULLS_REPO, TICKETS_REPO } from '../test-support/claude-fleet.js';
import { anthropicRequestFacts, finalText, outputCutOff, rungOf, scriptModel, ticketFile, writeTicketFile } from '../test-support/claude-fleet-model.js';
import { ledgerAccount } from './e2e-support.js';

describe('a ticket that fails twice, through a real cb daemon and the real Claude Code CLI', () => {
  it('should run attempts 1 and 2 on sonnet, attempt 3 on opus, and open one pull request', { timeout: 600_000 }, async () => {
    await using fleet = await startClaudeFleet();
    fleet.github.addIssue(TICKETS_REPO, { title: '[api] ticket:hard-one', body: `Write ${ticketFile('hard-one')}.` });
    const model = scriptModel(fleet.anthropic, anthropicRequestFacts, (request) => {
      if (request.afterTool || request.ticket === null) return finalText();
      return rungOf(request.model) === 'opus' ? writeTicketFile(request.ticket) : outputCutOff();
    });
    const config = await fleet.writeConfig();

    const reports: CycleReport[] = [];
    for (let run = 1; run <= 3; run += 1) {
      const cycle = await fleet.director(['start', '--once', '--json', '--config', config]);
      reports.push(JSON.parse(cycle.stdout) as CycleReport);
    }

    expect(reports.map((r) => r.batches.map((b) => [b.outcome, b.model, b.failureKind ?? null, b.burned ?? null, b.escalates ?? null]))).toEqual([
      [['retry_later', 'sonnet', 'task', true, false]],
      [['retry_later', 'sonnet', 'task', true, true]],
      [['pull_request', undefined, null, null, null]],
    ]);
    // What the fake model saw: Sonnet until the third attempt, then Opus (Claude Code resolves the aliases).
    const rungs = model.of('hard-one').map((entry) => rungOf(entry.model));
    const firstOpus = rungs.indexOf('opus');
    expect(firstOpus).toBeGreaterThan(1);
    expect(rungs.slice(0, firstOpus).every((rung) => rung === 'sonnet')).toBe(true);
    expect(rungs.slice(firstOpus).every((rung) => rung === 'opus')).toBe(true);
    expect(model.of('hard-one').filter((entry) => entry.label === 'max_tokens').every((entry) => rungOf(entry.model) === 'sonnet')).toBe(true);

    // Three cb jobs, one per attempt, each with the ladder's model for its attempt.
    const jobs = (await fleet.jobs()).filter((job) => job.tags.includes('director')).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    expect(jobs.map((job) => [rungOf(job.model ?? ''), job.status, job.failure?.kind ?? null])).toEqual([
      ['sonnet', 'failed', 'task'],
      ['sonnet', 'failed', 'task'],
      ['opus', 'succeeded', null],
    ]);
    const account = await ledgerAccount(fleet.stateDir);
    expect(account.all.flatMap((b) => b.attempts).map((a) => [a.number, a.model, a.failureKind, a.burned])).toEqual([
      [1, 'sonnet', 'task', true],
      [2, 'sonnet', 'task', true],
      [3, 'opus', null, false],
    ]);
    expect(fleet.github.pulls(PULLS_REPO)).toHaveLength(1);
    expect(await git(fleet.api.remote, ['show', `flotilla/t/github-acme-tickets-1:${ticketFile('hard-one')}`])).toBe('work for ticket hard-one');
  });
});
