import { createHmac } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JobSchema, type Job } from '@flotilla/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Delivery } from './delivery.js';
import { createNotifier, type NotifierOptions } from './notifier.js';
import { sampleSession } from '../store/store-contract.js';

const JOB: Job = JobSchema.parse({
  id: '01JD8X3Q5ZK7M2N4P6R8T0V2WA', host: 'local', status: 'succeeded', agent: 'claude', model: 'sonnet',
  prompt: 'Add a README', cwd: tmpdir(), permissions: 'accept-edits', tags: [],
  createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:01:00.000Z',
  startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:01:00.000Z', durationMs: 60_000,
  result: 'Added README.md', failure: null, agentSessionId: null,
  usage: { inputTokens: 1, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0 }, cost: { usd: 0.01, source: 'agent' },
  attempts: [], attemptsUsed: 1, maxAttempts: 3, infraRetries: 0, retryAt: null, worktree: null, unread: true,
  idempotencyKey: null, timeoutMs: null, idleTimeoutMs: null, budgetUsd: null, modelLadder: [], pending: null, inJob: null,
  envKeys: ['API_TOKEN'],
});

interface Hit {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP receiver on 127.0.0.1 answering with the given statuses in turn (the last one repeats). */
async function startReceiver(statuses: number[]): Promise<{ url: string; hits: Hit[]; server: Server }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      res.statusCode = statuses[Math.min(hits.length - 1, statuses.length - 1)]!;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/cb`, hits, server };
}

function notifierWith(config: Partial<NotifierOptions['config']>, extra: Partial<NotifierOptions> = {}) {
  const records: Delivery[] = [];
  const notifier = createNotifier({
    config: { webhooks: [], hooks: {}, notifySend: false, ...config },
    record: (d) => records.push(d),
    env: { PATH: process.env.PATH },
    backoffBaseMs: 5,
    ...extra,
  });
  return { notifier, records };
}

describe('createNotifier webhooks', () => {
  let server: Server | undefined;
  afterEach(() => void server?.close());

  it('should retry 5xx with backoff, sign the body and record one delivery', async () => {
    const receiver = await startReceiver([500, 500, 200]);
    server = receiver.server;
    const secret = 's3cret';
    const { notifier, records } = notifierWith({ webhooks: [{ url: `${receiver.url}?token=abc`, events: ['job.ended'], secret }] });
    const deliveries = await notifier.jobEnded(JOB);
    expect(deliveries).toEqual([
      { channel: 'webhook', target: receiver.url, ok: true, attempts: 3, status: 200, error: null, at: expect.any(String) },
    ]);
    expect(records).toEqual(deliveries);
    expect(receiver.hits).toHaveLength(3);
    const hit = receiver.hits[2]!;
    expect(hit.headers['content-type']).toBe('application/json');
    expect(hit.headers['x-flotilla-event']).toBe('job.ended');
    const expected = `sha256=${createHmac('sha256', secret).update(hit.body).digest('hex')}`;
    expect(hit.headers['x-flotilla-signature']).toBe(expected);
    expect(new Set(receiver.hits.map((h) => h.headers['x-flotilla-delivery'])).size).toBe(1);
    expect(JSON.parse(hit.body)).toEqual({ type: 'job.ended', job: JOB });
  });

  it('should not retry a 4xx other than 429, nor sign without a secret', async () => {
    const receiver = await startReceiver([400]);
    server = receiver.server;
    const { notifier, records } = notifierWith({ webhooks: [{ url: receiver.url, events: ['job.ended'] }] });
    await notifier.jobEnded(JOB);
    expect(records).toMatchObject([{ channel: 'webhook', ok: false, attempts: 1, status: 400, error: 'HTTP 400' }]);
    expect(receiver.hits).toHaveLength(1);
    expect(receiver.hits[0]!.headers['x-flotilla-signature']).toBeUndefined();
  });

  it('should give up after five tries on network errors and skip webhooks for other events', async () => {
    const receiver = await startReceiver([200]);
    await new Promise((resolve) => receiver.server.close(resolve));
    const { notifier, records } = notifierWith({
      webhooks: [
        { url: receiver.url, events: ['job.ended'] },
        { url: receiver.url, events: ['job.started'] },
      ],
    });
    await notifier.jobEnded(JOB);
    expect(records).toMatchObject([{ ok: false, attempts: 5, status: null, error: expect.stringContaining('ECONNREFUSED') }]);
  });

  it('should time out a try that gets no answer', async () => {
    const hung = createServer(() => undefined);
    server = hung;
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}/`;
    const { notifier, records } = notifierWith({ webhooks: [{ url, events: ['*'] }] }, { webhookTimeoutMs: 100 });
    await notifier.jobEnded(JOB);
    expect(records).toMatchObject([{ ok: false, attempts: 5, error: 'no response within 100 ms' }]);
    hung.closeAllConnections();
  });

  it('should stop retrying when disposed', async () => {
    const receiver = await startReceiver([503]);
    server = receiver.server;
    let answered = 0;
    const fetchImpl: typeof fetch = async (...args) => {
      const response = await fetch(...args);
      answered += 1;
      return response;
    };
    const webhooks = [{ url: receiver.url, events: ['job.ended'] }];
    const { notifier, records } = notifierWith({ webhooks }, { backoffBaseMs: 60_000, fetchImpl });
    const pending = notifier.jobEnded(JOB);
    while (answered === 0) await sleep(10);
    await notifier.dispose();
    expect(await pending).toMatchObject([{ ok: false, attempts: 1, status: 503, error: 'cancelled: the notifier was disposed' }]);
    expect(records).toHaveLength(1);
    expect(await notifier.jobEnded(JOB)).toEqual([]);
  });
});

/** Whether a process still runs; a zombie waiting for a slow init to reap it counts as dead. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('createNotifier hook and desktop', () => {
  let dir: string;
  beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'cb-notify-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('should give the hook the job JSON on stdin and its id and status in the environment', async () => {
    const command = `cat > ${dir}/job.json; echo "$FLOTILLA_JOB_ID $FLOTILLA_JOB_STATUS" > ${dir}/env.txt`;
    const { notifier, records } = notifierWith({ hooks: { onJobEnd: command } });
    await notifier.jobEnded(JOB);
    expect(records).toMatchObject([{ channel: 'hook', target: 'cat', ok: true, attempts: 1, status: 0, error: null }]);
    expect(JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8'))).toEqual(JOB);
    expect(readFileSync(join(dir, 'env.txt'), 'utf8')).toBe(`${JOB.id} succeeded\n`);
  });

  it('should report a failing hook with the tail of its stderr', async () => {
    const { notifier, records } = notifierWith({ hooks: { onJobEnd: 'TOKEN=abc echo nope >&2; exit 4' } });
    await notifier.jobEnded(JOB);
    expect(records).toMatchObject([{ channel: 'hook', target: 'echo', ok: false, status: 4, error: 'exited with 4: nope' }]);
  });

  it('should kill a hook and its children when it runs past the timeout', async () => {
    const command = `echo $$ > ${dir}/sh.pid; sleep 30 & echo $! > ${dir}/child.pid; wait`;
    const { notifier, records } = notifierWith({ hooks: { onJobEnd: command } }, { hookTimeoutMs: 300 });
    const started = Date.now();
    await notifier.jobEnded(JOB);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(records).toMatchObject([{ channel: 'hook', ok: false, error: 'killed after 300 ms without finishing' }]);
    const pids = ['sh.pid', 'child.pid'].map((f) => Number(readFileSync(join(dir, f), 'utf8')));
    for (let i = 0; i < 50 && pids.some(isAlive); i++) await sleep(50);
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('should call notify-send only when there is a desktop session', async () => {
    const fake = join(dir, 'notify-send');
    writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > ${dir}/args.txt\n`);
    chmodSync(fake, 0o755);
    const env = { PATH: `${dir}:${process.env.PATH}` };
    const headless = notifierWith({ notifySend: true }, { env });
    expect(await headless.notifier.jobEnded(JOB)).toEqual([]);
    const desktop = notifierWith({ notifySend: true }, { env: { ...env, DISPLAY: ':0' } });
    expect(await desktop.notifier.jobEnded(JOB)).toMatchObject([{ channel: 'desktop', target: 'notify-send', ok: true }]);
    expect(readFileSync(join(dir, 'args.txt'), 'utf8')).toBe('--\ncb ✔ Add a README\nAdded README.md · $0.01 · 1m 00s\n');
  });
});

describe('createNotifier session notices', () => {
  const SESSION = sampleSession({ name: 'reviewer', state: 'waiting_permission', waitingFor: 'Bash: rm -rf build', cwd: tmpdir() });
  const NOTICE = { kind: 'needs_you', title: 'reviewer needs you', body: 'reviewer (claude) asks permission for Bash: rm -rf build', level: 'warning' };
  let server: Server | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
    server = dir = undefined;
  });

  it('should post session.<kind> to webhooks that ask for it, and run hooks.onSessionNotice with the notice on stdin', async () => {
    const receiver = await startReceiver([200]);
    server = receiver.server;
    dir = mkdtempSync(join(tmpdir(), 'cb-notice-'));
    const out = join(dir, 'out.txt');
    const { notifier } = notifierWith({
      webhooks: [
        { url: receiver.url, events: ['session.needs_you'] },
        { url: `${receiver.url}?all`, events: ['session.*'] },
        { url: `${receiver.url}?jobs`, events: ['job.ended'] },
      ],
      hooks: { onSessionNotice: `printf '%s %s ' "$FLOTILLA_SESSION_NAME" "$FLOTILLA_NOTICE_KIND" > ${out}; cat >> ${out}` },
    });
    const deliveries = await notifier.sessionNotice(SESSION, NOTICE);
    await notifier.dispose();
    expect(deliveries.map((d) => `${d.channel}:${d.ok}`).sort()).toEqual(['hook:true', 'webhook:true', 'webhook:true']);
    expect(receiver.hits).toHaveLength(2);
    for (const hit of receiver.hits) expect(JSON.parse(hit.body)).toMatchObject({ type: 'session.needs_you', session: { name: 'reviewer' }, notice: NOTICE });
    const written = readFileSync(out, 'utf8');
    expect(written.startsWith('reviewer needs_you {')).toBe(true);
    expect(JSON.parse(written.slice('reviewer needs_you '.length))).toMatchObject({ type: 'session.needs_you', notice: { title: 'reviewer needs you' } });
  });
});
