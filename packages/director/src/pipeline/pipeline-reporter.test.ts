// The pipeline reporter against a real `mesh serve` (mesh's built bin, no hosts): a ledger and a
// flow record written through their own APIs, as a director writes them, are pushed to the hub and
// read back from `GET /api/pipeline`; the storm pause is announced exactly once — across a
// restarted reporter too — and its end once; a hub that is down fails no report() call.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport } from '@flotilla/kit/transport';
import { createClient, createPipelineClient, type FlotillaEvent, type PipelineClient, type Transport } from '@flotilla/protocol';
import { makeTempDir, type TempDir } from '@flotilla/testkit';
import { openFlowLedger } from '../flow/flow-ledger.js';
import { saveLastCycle, savePauseState } from '../ledger/director-state.js';
import { openSqliteLedger } from '../ledger/sqlite-ledger.js';
import type { Ledger } from '../ledger/ledger.js';
import { MESH_BIN } from '../test-support/mesh-hub-world.js';
import { createPipelineReporter, type PipelineReporterOptions } from './pipeline-reporter.js';

const ID = 'director@test';
const REASON = '12 of 15 runs this cycle were rate-limited or failed fast';

let tmp: TempDir;
let hub: ChildProcess;
let transport: Transport;
let pipeline: PipelineClient;

beforeAll(async () => {
  tmp = await makeTempDir('director-pipeline-');
  const home = join(tmp.path, 'hub');
  await mkdir(home, { recursive: true });
  await writeFile(join(home, 'hosts.json'), JSON.stringify({ version: 1, hosts: [] }));
  hub = spawn(process.execPath, [MESH_BIN, 'serve', '--port', '0', '--json'], {
    env: { ...process.env, FLOTILLA_HOME: home, FLOTILLA_HOST_NAME: 'hub', FLOTILLA_DASHBOARD_DIR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await printedUrl(hub);
  transport = createHttpTransport(url, { token: (await readFile(join(home, 'hub-token'), 'utf8')).trim() });
  pipeline = createPipelineClient(transport);
}, 30_000);

afterAll(async () => {
  if (hub && hub.exitCode === null) {
    const exited = new Promise((resolve) => hub.once('exit', resolve));
    hub.kill('SIGTERM');
    await exited;
  }
  await tmp?.[Symbol.asyncDispose]();
});

function printedUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.once('exit', (code) => reject(new Error(`mesh serve exited (${code}): ${out}\n${err}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /"url"\s*:\s*"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (match) resolve(match[1]!);
    });
  });
}

/** A ledger as a director leaves it mid-storm: one ticket queued, one batch whose second attempt runs a flow's review step. */
async function stormLedger(dir: string): Promise<{ ledger: Ledger; flowsPath: string; batchId: string; pausedAt: number }> {
  const ledger = openSqliteLedger(join(dir, 'ledger.db'));
  const now = Date.now();
  await saveLastCycle(ledger, {
    startedAt: new Date(now - 60_000).toISOString(),
    endedAt: new Date(now).toISOString(),
    by: ID,
    routed: { api: [{ key: 'board:AUTH-1', title: '[api] login page' }, { key: 'board:AUTH-2', title: '[api] rate limit' }] },
    skipped: [],
    sourceErrors: [],
    preflight: [{ host: 'box', ok: true, detail: 'tmux, git and claude ok' }],
  });
  const claimed = await ledger.claimBatch({ repo: 'api', branch: 'flotilla/t/board-AUTH-2', tickets: [{ key: 'board:AUTH-2', source: 'board', ticketId: 'AUTH-2', title: '[api] rate limit' }], owner: ID, leaseMs: 600_000 });
  if (!claimed.claimed) throw new Error('the batch was not claimed');
  const batchId = claimed.batch.id;
  const first = await ledger.startAttempt(batchId, 'sonnet', ID);
  await ledger.endAttempt(first.id, { outcome: 'failed', kind: 'rate_limited', message: 'usage limit reached', resetsAt: new Date(now + 3_600_000).toISOString() }, 3);
  const second = await ledger.startAttempt(batchId, 'sonnet', ID);
  await savePauseState(ledger, { pause: { until: now + 3_600_000, reason: REASON, startedAt: now }, backoffMs: 300_000 });
  const flowsPath = join(dir, 'flows.db');
  const flows = openFlowLedger(flowsPath);
  const flowId = `${batchId}:${second.number}`;
  await flows.createFlow({
    id: flowId,
    name: 'implement-review',
    repo: 'api',
    task: 'add rate limiting to /login',
    definition: [{ kind: 'work', name: 'implement', agent: 'claude', model: 'sonnet', prompt: 'implement', attempts: 1 }, { kind: 'review', name: 'review', agent: 'codex', model: 'gpt-5-codex', prompt: 'review', attempts: 1 }],
    worktreePath: join(dir, 'wt'),
    branch: 'flotilla/t/board-AUTH-2',
    baseCommit: null,
    hosts: [],
    tickets: [],
  });
  const implement = await flows.beginStep({ flowId, position: '0', name: 'implement', kind: 'work', round: 1, attempt: 1, agent: 'claude', model: 'sonnet', idempotencyKey: `flow:${flowId}:0:1:1` });
  await flows.endStep(implement.id, { status: 'succeeded', note: 'added a token bucket in src/limit.ts', jobId: '01JBQZ8ZJ5X7Y0W4T3S2R1Q0PN' });
  await flows.beginStep({ flowId, position: '1', name: 'review', kind: 'review', round: 1, attempt: 1, agent: 'codex', model: 'gpt-5-codex', idempotencyKey: `flow:${flowId}:1:1:1` });
  await flows.close();
  return { ledger, flowsPath, batchId, pausedAt: now };
}

function reporterOptions(ledger: Ledger, flowsPath: string, client: PipelineClient, log: string[]): PipelineReporterOptions {
  return { client, ledger, flowsPath, id: ID, host: 'box', everySeconds: 120, maxAttempts: 3, agent: 'claude', log: (line) => void log.push(line), formatTime: () => '03:40 UTC' };
}

/** The hub's notification events, up to a sentinel posted now (so that none still on its way is missed). */
async function notificationsSoFar(): Promise<Array<Extract<FlotillaEvent, { type: 'notification' }>>> {
  const sentinel = `sentinel ${Math.random()}`;
  await pipeline.notify({ title: sentinel, body: '', level: 'info' });
  const controller = new AbortController();
  const seen: Array<Extract<FlotillaEvent, { type: 'notification' }>> = [];
  for await (const event of createClient(transport).events({ lastEventId: 0, signal: controller.signal })) {
    if (event.type !== 'notification') continue;
    if (event.title === sentinel) break;
    if (!event.title.startsWith('sentinel')) seen.push(event);
  }
  controller.abort();
  return seen;
}

describe('the pipeline reporter against mesh serve', () => {
  it('should push the queue, the in-flight step and the flow, announce the pause once across a restart, then its end once', async () => {
    const dir = join(tmp.path, 'director');
    await mkdir(dir, { recursive: true });
    const { ledger, flowsPath, batchId, pausedAt } = await stormLedger(dir);
    const log: string[] = [];
    const reporter = createPipelineReporter(reporterOptions(ledger, flowsPath, pipeline, log));
    const first = await reporter.report();
    expect(first.pushed, log.join('\n')).toBe(true);
    expect(first.notification?.title).toBe('director@test paused until 03:40 UTC');

    const [shown] = (await pipeline.list()).filter((p) => p.id === ID);
    expect(shown?.stale).toBe(false);
    expect(shown?.status.pause?.reason).toBe(REASON);
    expect(shown?.status.queue).toEqual([{ repo: 'api', count: 1, tickets: [{ key: 'board:AUTH-1', title: '[api] login page' }] }]);
    expect(shown?.status.inFlight[0]).toMatchObject({ batchId, model: 'sonnet', running: true, step: 'review', flowId: `${batchId}:2`, attempts: { total: 2, used: 0, allowed: 3 } });
    expect(shown?.status.failures).toEqual([{ kind: 'rate_limited', count: 1, burned: 0 }]);
    expect(shown?.flows[0]).toMatchObject({ state: 'running', currentStep: 'review', rounds: 1 });
    expect(shown?.flows[0]?.steps.map((s) => [s.name, s.status, s.agent, s.note])).toEqual([
      ['implement', 'succeeded', 'claude', 'added a token bucket in src/limit.ts'],
      ['review', 'running', 'codex', null],
    ]);

    expect((await reporter.report()).notification).toBeNull();
    await reporter.close();
    const restarted = createPipelineReporter(reporterOptions(ledger, flowsPath, pipeline, log));
    expect((await restarted.report()).notification).toBeNull();
    const paused = (await notificationsSoFar()).filter((n) => n.kind === 'director.pause');
    expect(paused.map((n) => [n.title, n.level])).toEqual([['director@test paused until 03:40 UTC', 'warning']]);
    expect(paused[0]?.body).toContain(`${REASON} (claude)`);

    // The same pause, over now (the director's gate keeps it in the ledger with its start).
    await savePauseState(ledger, { pause: { until: Date.now() - 1000, reason: REASON, startedAt: pausedAt }, backoffMs: 300_000 });
    expect((await restarted.report()).notification?.title).toBe('director@test resumed');
    expect((await restarted.report()).notification).toBeNull();
    const said = await notificationsSoFar();
    expect(said.map((n) => n.kind)).toEqual(['director.pause', 'director.resume']);
    expect(log).toEqual([]);
    await restarted.close();
    await ledger.close();
  }, 60_000);

  it('should fail no report while the hub is unreachable, say so once, and send the pause alert when it is back', async () => {
    const dir = join(tmp.path, 'director-offline');
    await mkdir(dir, { recursive: true });
    const { ledger, flowsPath } = await stormLedger(dir);
    const log: string[] = [];
    let target = createPipelineClient(createHttpTransport('http://127.0.0.1:9', { token: 'x' }));
    const switching: PipelineClient = { report: (r) => target.report(r), list: () => target.list(), notify: (n) => target.notify(n) };
    const reporter = createPipelineReporter(reporterOptions(ledger, flowsPath, switching, log));
    expect(await reporter.report()).toEqual({ pushed: false, notification: null });
    expect(await reporter.report()).toEqual({ pushed: false, notification: null });
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/^the pipeline was not reported: /);
    expect(log[1]).toMatch(/^the pause alert was not sent \(tried again at the next report\): /);
    target = pipeline;
    const outcome = await reporter.report();
    expect(outcome.pushed).toBe(true);
    expect(outcome.notification?.kind).toBe('director.pause');
    expect(log.slice(2)).toEqual(['reporting the pipeline works again', 'the pause alert works again']);
    await reporter.close();
    await ledger.close();
  }, 60_000);

  it('should push a change between cycles when it follows the ledger', async () => {
    const dir = join(tmp.path, 'director-follow');
    await mkdir(dir, { recursive: true });
    const { ledger, flowsPath } = await stormLedger(dir);
    const reporter = createPipelineReporter({ ...reporterOptions(ledger, flowsPath, pipeline, []), id: 'director@follow' });
    await reporter.report();
    const stop = reporter.follow(50);
    // A job ends and the next ticket is claimed while the cycle still waits for others: no cycle report comes.
    const claimed = await ledger.claimBatch({ repo: 'api', branch: 'flotilla/t/board-AUTH-1', tickets: [{ key: 'board:AUTH-1', source: 'board', ticketId: 'AUTH-1', title: '[api] login page' }], owner: ID, leaseMs: 600_000 });
    expect(claimed.claimed).toBe(true);
    for (;;) {
      const shown = (await pipeline.list()).find((p) => p.id === 'director@follow');
      if (shown?.status.inFlight.some((b) => b.branch === 'flotilla/t/board-AUTH-1')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    stop();
    await reporter.close();
    await ledger.close();
  }, 60_000);
});
