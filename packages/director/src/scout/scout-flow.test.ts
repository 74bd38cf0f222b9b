import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@flotilla/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectorConfigSchema, type DirectorConfig } from '../config/config-schema.js';
import { openFlowLedger, type FlowLedger } from '../flow/flow-ledger.js';
import { VERDICT_JSON_SCHEMA } from '../flow/verdict.js';
import { makeScoutRepo, scriptedScout, startScoutHub, type ScoutHub } from '../test-support/scout-world.js';
import { PROPOSALS_JSON_SCHEMA } from './proposals.js';
import { openScoutRecord, type ScoutRecord } from './scout-record.js';
import { runScout } from './scout-run.js';
import { startScoutSchedule } from './scout-schedule.js';

const billing = {
  title: 'Round invoice totals to cents',
  body: 'total() sums floats; the typecheck flags it too.',
  tags: ['Money Bugs'],
  priority: 'low',
  evidence: [
    { path: 'src/billing/invoice.ts', line: 2, quote: '// TODO: round to cents' },
    { path: 'command:typecheck', line: null, quote: 'src/billing/invoice.ts(2): error: implicit any' },
  ],
};
const proposals = JSON.stringify({ proposals: [billing] });
const verdict = (v: 'approved' | 'changes_requested') => JSON.stringify({ verdict: v, findings: [] });

describe('a configured scout flow and start\'s schedule', () => {
  let tmp: TempDir;
  let hub: ScoutHub;
  let config: DirectorConfig;
  let record: ScoutRecord;
  let flows: FlowLedger;

  beforeAll(async () => {
    tmp = await makeTempDir('scout-flow-');
    hub = await startScoutHub(tmp.path);
    const { repo } = await makeScoutRepo(tmp.path);
    config = DirectorConfigSchema.parse({
      repos: [{ name: 'api', path: repo, base: 'main' }],
      flows: {
        'deep-scout': [
          { kind: 'command', name: 'typecheck', command: "echo 'src/billing/invoice.ts(2): error: implicit any'; exit 2", allowFailure: true },
          { kind: 'work', name: 'propose', prompt: 'You propose work.' },
          { kind: 'review', name: 'critic', prompt: 'You challenge the proposals.' },
        ],
      },
      scout: { flow: 'deep-scout', todos: { markers: ['TODO'] }, everyHours: 24 },
    });
    record = openScoutRecord(join(tmp.path, 'state', 'scout.db'));
    flows = openFlowLedger(join(tmp.path, 'state', 'flows.db'));
  }, 120_000);
  afterAll(async () => {
    record?.close();
    await flows?.close();
    await hub?.[Symbol.asyncDispose]();
    await tmp?.[Symbol.asyncDispose]();
  });

  it('should propose nothing when the flow\'s critic does not approve, and the last work step\'s proposals once it does', { timeout: 180_000 }, async () => {
    const vetoed = scriptedScout([proposals, verdict('changes_requested')]);
    const first = await runScout({ config, stateDir: join(tmp.path, 'state'), runJob: vetoed.runJob, board: hub.board, record, flows });
    expect(first.repos[0]).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^the scout flow "deep-scout" ended not approved: the last review \("critic"\) requested changes \(flow show \w+\)$/) });
    expect(await hub.board.listTasks()).toEqual([]);

    const approved = scriptedScout([proposals, verdict('approved')]);
    const second = await runScout({ config, stateDir: join(tmp.path, 'state'), runJob: approved.runJob, board: hub.board, record, flows });
    expect(second.repos[0]).toMatchObject({ outcome: 'proposed' });
    expect((await hub.board.listTasks()).map((t) => [t.title, t.status, t.tags])).toEqual([['[api] Round invoice totals to cents', 'proposed', ['scout', 'api', 'money-bugs']]]);
    const [propose, critic] = approved.requests;
    // Only the proposal step is told the answer's shape and given its schema; the critic keeps the verdict's.
    expect([propose!.flow.step, propose!.jsonSchema, propose!.prompt.includes('## Your answer')]).toEqual(['propose', PROPOSALS_JSON_SCHEMA, true]);
    expect([critic!.flow.step, critic!.jsonSchema, critic!.prompt.includes('## Your answer')]).toEqual(['critic', VERDICT_JSON_SCHEMA, false]);
    // Every step sees the gathered evidence (the flow's command step ran in the same worktree).
    expect(propose!.prompt).toContain('src/billing/invoice.ts:2: // TODO: round to cents');
    expect(critic!.prompt).toContain('Round invoice totals to cents');
  });

  it('should scout on schedule only when a repo is due and the fleet is idle', { timeout: 180_000 }, async () => {
    let clock = Date.now() + 25 * 3600_000;
    const agent = scriptedScout([proposals, verdict('approved'), proposals, verdict('approved')]);
    const schedule = startScoutSchedule({ config, stateDir: join(tmp.path, 'state'), runJob: agent.runJob, board: hub.board, checkEveryMs: 3600_000, now: () => clock });
    expect(schedule.off).toBeNull();
    // Started, it looks at once: the last run was 25 hours ago, so api is due (and its proposal is already on the board).
    const due = await schedule.check();
    expect(due.map((r) => r.repos.map((repo) => [repo.repo, repo.outcome]))).toEqual([[['api', 'nothing_new']]]);
    expect(await schedule.check()).toEqual([]);
    await schedule.stop();
    expect(agent.requests).toHaveLength(2);

    clock += 25 * 3600_000;
    const busy = startScoutSchedule({ config, stateDir: join(tmp.path, 'state'), runJob: agent.runJob, board: hub.board, checkEveryMs: 3600_000, now: () => clock, idle: () => false });
    expect(await busy.check()).toEqual([]);
    await busy.stop();
    expect(agent.requests).toHaveLength(2);
  });
});
