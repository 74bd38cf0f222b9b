// The report built from a real SQLite ledger and flow record: long texts are cut to the protocol's
// bounds (the hub would refuse the whole report otherwise), a review's findings are counted by
// their check, and failures are counted by kind with what they cost.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectorReportSchema, MAX_NOTE_EXCERPT } from '@flotilla/protocol';
import { makeTempDir, type TempDir } from '@flotilla/testkit';
import { openFlowLedger } from '../flow/flow-ledger.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import { buildDirectorReport } from './pipeline-report.js';

let tmp: TempDir;
beforeAll(async () => {
  tmp = await makeTempDir('director-report-');
});
afterAll(async () => {
  await tmp?.[Symbol.asyncDispose]();
});

const LONG = 'x'.repeat(10_000);

describe('buildDirectorReport', () => {
  it('should cut long texts to the protocol bounds, count findings by their check and failures by kind', async () => {
    const dir = join(tmp.path, 'a');
    await mkdir(dir, { recursive: true });
    const ledger = openSqliteLedger(join(dir, 'ledger.db'));
    const flows = openFlowLedger(join(dir, 'flows.db'));
    const owner = 'director@test';
    const claimed = await ledger.claimBatch({ repo: 'api', branch: 'flotilla/t/board-A-1', tickets: [{ key: 'board:A-1', source: 'board', ticketId: 'A-1', title: `[api] ${LONG}` }], owner, leaseMs: 60_000 });
    if (!claimed.claimed) throw new Error('not claimed');
    const first = await ledger.startAttempt(claimed.batch.id, 'sonnet', owner);
    await ledger.endAttempt(first.id, { outcome: 'failed', kind: 'task', message: LONG }, 3);
    const second = await ledger.startAttempt(claimed.batch.id, 'sonnet', owner);
    await ledger.endAttempt(second.id, { outcome: 'failed', kind: 'rate_limited', message: 'usage limit', resetsAt: null }, 3);
    const flowId = 'flow-1';
    await flows.createFlow({ id: flowId, name: 'implement-review', repo: 'api', task: LONG, definition: [{ kind: 'review', name: 'review', agent: 'codex', model: 'gpt-5-codex', prompt: 'review', attempts: 1 }], worktreePath: dir, branch: 'b', baseCommit: null, hosts: [], tickets: [] });
    const review = await flows.beginStep({ flowId, position: '0', name: 'review', kind: 'review', round: 1, attempt: 1, agent: 'codex', model: 'gpt-5-codex', idempotencyKey: null });
    const finding = (mark: 'verified' | 'unverified' | 'external_unverified') => ({ claim: 'c', path: null, line: null, quote: null, mark, reason: null, foundAtLine: null, external: mark === 'external_unverified' });
    await flows.endStep(review.id, { status: 'succeeded', note: LONG, verdict: { verdict: 'changes_requested', from: 'json', findings: [finding('verified'), finding('verified'), finding('unverified'), finding('external_unverified')] } });

    const report = await buildDirectorReport({ ledger, flows, id: owner, host: 'box', everySeconds: 120, maxAttempts: 3, now: Date.now() });
    expect(DirectorReportSchema.safeParse(report).success).toBe(true);
    const batch = report.status.inFlight[0]!;
    expect(batch.tickets[0]!.title.length).toBeLessThanOrEqual(500);
    expect(batch.lastFailure).toEqual({ kind: 'rate_limited', message: 'usage limit', burned: false });
    expect(batch.attempts).toEqual({ total: 2, used: 1, free: 1, allowed: 3 });
    expect(report.status.failures).toEqual([
      { kind: 'rate_limited', count: 1, burned: 0 },
      { kind: 'task', count: 1, burned: 1 },
    ]);
    const step = report.flows[0]!.steps[0]!;
    expect(step.note!.length).toBe(MAX_NOTE_EXCERPT);
    expect(step.note!.endsWith('…')).toBe(true);
    expect(report.flows[0]!.task.length).toBe(MAX_NOTE_EXCERPT);
    expect(step).toMatchObject({ verdict: 'changes_requested', findings: { verified: 2, unverified: 1, external: 1 } });
    await flows.close();
    await ledger.close();
  });
});
