/**
 * Issue 8, with real parts: a rate-limit storm over 46 tickets. `flotilla-director start` (a child,
 * the built bin) dispatches through a real cb daemon whose `claude` is the real Claude Code CLI
 * against the scripted fake Anthropic API: for its first seconds every request is answered with a
 * subscription 429 carrying Anthropic's unified reset headers; afterwards each ticket's agent writes
 * `<ticket>.txt` with the real Write tool. Expected: 46 pull requests, one per ticket; no attempt
 * burned; every request on the ladder's first model; the pause said once (by cb, which holds queued
 * jobs behind its per-credential pause, or by the director); nothing run before the reset; a director
 * pause, if any, ends at the reset the agents reported (it once backed off 5 more minutes).
 */
import { describe, expect, it } from 'vitest';
import type { CycleReport } from '../cycle/report.js';
import { git } from '../git/run-git.js';
import { jsonDocuments, startClaudeFleet, PULLS_REPO, TICKETS_REPO } from '../test-support/claude-fleet.js';
import { anthropicRequestFacts, finalText, rateLimited, rungOf, scriptModel, ticketFile, writeTicketFile } from '../test-support/claude-fleet-model.js';
import { daemonEvents, ledgerAccount, waitFor } from './e2e-support.js';

const TICKETS = 46;
const CONCURRENCY = 4;
/** The limit lasts this long from the first request the fake sees; its reset is when it ends. */
const STORM_MS = 15_000;

describe('a rate-limit storm through a real cb daemon and the real Claude Code CLI', () => {
  it('should open 46 pull requests, burn no attempt, escalate no model, say the pause once and run nothing until the reset', { timeout: 1_200_000 }, async () => {
    const started = Date.now();
    await using fleet = await startClaudeFleet({ slots: CONCURRENCY + 2 });
    const names = Array.from({ length: TICKETS }, (_, i) => `storm-${String(i + 1).padStart(2, '0')}`);
    for (const name of names) fleet.github.addIssue(TICKETS_REPO, { title: `[api] ticket:${name}`, body: `Write ${ticketFile(name)}.` });
    let stormEnd: number | null = null;
    const model = scriptModel(fleet.anthropic, anthropicRequestFacts, (request) => {
      stormEnd ??= request.at + STORM_MS;
      if (request.at < stormEnd) return rateLimited(stormEnd);
      if (request.afterTool || request.ticket === null) return finalText();
      return writeTicketFile(request.ticket);
    });
    const config = await fleet.writeConfig({ cycle: { everySeconds: 2 }, concurrency: { perHost: CONCURRENCY, perRepo: CONCURRENCY } });
    const director = fleet.spawnDirector(['start', '--json', '--config', config]);
    await waitFor('46 pull requests', () => fleet.github.pulls(PULLS_REPO).length >= TICKETS, 1_100_000, () => `${director.run.stderr}\n${fleet.daemonLog().slice(-2000)}`);
    director.child.kill('SIGTERM');
    const run = await director.ended;
    const reports = jsonDocuments<CycleReport>(run.stdout);

    // One pull request per ticket, none twice, each with its agent's file on the pushed branch.
    const pulls = fleet.github.pulls(PULLS_REPO);
    expect(pulls).toHaveLength(TICKETS);
    expect(new Set(pulls.map((p) => p.head)).size).toBe(TICKETS);
    for (const [index, name] of names.entries()) {
      const branch = `flotilla/t/github-acme-tickets-${index + 1}`;
      expect(await git(fleet.api.remote, ['show', `${branch}:${ticketFile(name)}`])).toBe(`work for ticket ${name}`);
    }

    // The storm happened, cost no ticket an attempt, and moved no ticket up the ladder.
    const account = await ledgerAccount(fleet.stateDir);
    const attempts = account.all.flatMap((batch) => batch.attempts);
    const limited = attempts.filter((a) => a.failureKind === 'rate_limited');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.length).toBe(model.log.filter((entry) => entry.label === '429').length);
    expect(attempts.filter((a) => a.burned)).toEqual([]);
    expect(account.all.flatMap((b) => b.tickets).map((t) => t.failedAttempts)).toEqual(Array.from({ length: TICKETS }, () => 0));
    expect(new Set(attempts.map((a) => a.model))).toEqual(new Set(['sonnet']));
    expect(new Set(model.log.map((entry) => rungOf(entry.model)))).toEqual(new Set(['sonnet']));

    // Nothing ran while the limit held: only the first wave met it, every file was written after the reset.
    expect(limited.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(model.log.filter((entry) => entry.label === 'write').every((entry) => entry.at >= stormEnd!)).toBe(true);

    // The pause was said once: by cb, which held every queued job until the reset, or by the director.
    const cbPauses = await daemonEvents(fleet.client, 'pause.started');
    const directorPauses = reports.filter((r) => r.pause?.started).map((r) => r.pause!);
    expect(cbPauses.length).toBeLessThanOrEqual(1);
    expect(directorPauses.length).toBeLessThanOrEqual(1);
    expect(cbPauses.length + directorPauses.length).toBeGreaterThan(0);
    // The director's paused cycles dispatched nothing, and its pause (if any) ends at the reset the agents reported — not minutes later.
    expect(reports.filter((r) => r.pause !== null && !r.pause.started).flatMap((r) => r.batches)).toEqual([]);
    const reported = Math.max(...limited.map((a) => Date.parse(a.resetsAt ?? '')));
    console.log(`storm: ${TICKETS} tickets, ${limited.length} rate-limited runs, ${model.log.length} model requests, ${reports.length} cycles, cb pauses ${cbPauses.length}, director pauses ${JSON.stringify(directorPauses)} (reported reset ${new Date(reported).toISOString()}), ${Math.round((Date.now() - started) / 1000)} s`);
    for (const pause of directorPauses) expect(Date.parse(pause.until)).toBeLessThanOrEqual(reported + 1_000);
  });
});
