/**
 * A director bug found with real parts, fixed in src/hub/dispatch.ts (neverStarted). Through a real
 * cb daemon, a job created while cb's rate-limit pause holds its agent waits `queued` until the
 * reset. The director's dispatch waits for it at most `maxWaitMs` (5 h by default); it then cancelled
 * it and answered `timeout` — a kind that burns one of the ticket's attempts, so a weekly usage limit
 * (days) charged every waiting ticket an attempt per 5 hours. Here the wait is 8 s and the reset a
 * minute away; the outcome must burn nothing and carry the pause's reason and reset.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunJobRequest } from '../cycle/run-job.js';
import { createFleetRunJob } from '../hub/dispatch.js';
import { createFleet } from '../hub/fleet.js';
import { findServer } from '../hub/server.js';
import { burnsAttempt } from '../ledger/attempt-cost.js';
import { startClaudeFleet } from '../test-support/claude-fleet.js';
import { anthropicRequestFacts, finalText, rateLimited, scriptModel } from '../test-support/claude-fleet-model.js';
import { waitFor } from './e2e-support.js';

function attemptOf(cwd: string, name: string): RunJobRequest {
  return {
    batchId: `batch-${name}`,
    attempt: 1,
    idempotencyKey: `batch-${name}:1`,
    repo: 'api',
    hosts: [],
    worktreePath: cwd,
    branch: `flotilla/t/${name}`,
    tickets: [],
    prompt: `ticket:${name} write the file`,
    agent: 'claude',
    model: 'sonnet',
  };
}

describe('a job waiting behind cb\'s rate-limit pause', () => {
  it('should not come back as a failure that burns an attempt when the director stops waiting for it', { timeout: 300_000 }, async () => {
    await using fleet = await startClaudeFleet();
    const resetAt = Date.now() + 60_000;
    scriptModel(fleet.anthropic, anthropicRequestFacts, (request) => (request.at < resetAt ? rateLimited(resetAt) : finalText()));
    const cwd = join(fleet.tmp.path, 'work');
    await mkdir(cwd);
    const server = await findServer({ home: fleet.home, env: { FLOTILLA_HOME: fleet.home } });
    const fleetOfDaemon = createFleet({ server });
    const patient = createFleetRunJob({ fleet: fleetOfDaemon, pollMs: 1_000, maxWaitMs: 120_000 });
    const runJob = createFleetRunJob({ fleet: fleetOfDaemon, pollMs: 1_000, maxWaitMs: 8_000 });

    // The first job meets the limit: cb pauses `claude` until the reset.
    const first = await patient(attemptOf(cwd, 'first'));
    expect(first).toMatchObject({ ok: false, failure: { kind: 'rate_limited' } });
    await waitFor('cb to pause claude', async () => (await fleet.client.pauses()).some((p) => p.agent === 'claude'), 30_000);

    // The next one waits queued behind the pause; the director gives up waiting after 8 s.
    const second = await runJob(attemptOf(cwd, 'second'));
    expect(second.ok).toBe(false);
    const kind = second.ok ? null : second.failure.kind;
    expect(kind !== null && burnsAttempt(kind), `the wait ended as ${kind}`).toBe(false);
    // The pause's own reason and reset, so the director's storm pause can take over from cb's.
    expect(second).toMatchObject({ ok: false, failure: { kind: 'rate_limited' } });
    expect(Date.parse(second.ok ? '' : (second.failure.resetsAt ?? ''))).toBeGreaterThanOrEqual(Math.floor(resetAt / 1000) * 1000);
  });
});
