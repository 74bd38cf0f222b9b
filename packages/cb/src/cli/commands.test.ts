import { describe, expect, it, vi } from 'vitest';
import type { LogChunk, Transcript, TranscriptEntry } from '@flotilla/protocol';
import { attach } from './commands/attach.js';
import { daemon } from './commands/daemon.js';
import { serve } from './commands/serve.js';
import { takeoverCommand } from './commands/takeover.js';
import { createClient } from '@flotilla/protocol';
import { runCli } from './run-cli.js';
import { createMemoryTransport, makeAttempt, makeJob, reply, testContext, testStreams, NOW } from './testing.js';
import { homePaths } from '../home.js';

const JOB = makeJob();
const ID = JOB.id;

describe('cb "prompt" (fast path)', () => {
  it('should POST the request and print only the job id', async () => {
    const transport = createMemoryTransport({ 'POST /api/jobs': { ...JOB, status: 'queued' } });
    const ctx = testContext(transport);
    expect(await runCli(['--tag', 'x', 'fix', 'it'], ctx)).toBe(0);
    expect(ctx.streams.stdout.text).toBe(`${ID}\n`);
    expect(ctx.streams.stderr.text).toBe('');
    expect(transport.requests).toEqual([
      {
        method: 'POST',
        path: '/api/jobs',
        body: { prompt: 'fix it', cwd: '/work/repo', clientEnv: { ANTHROPIC_API_KEY: 'sk-test' }, tags: ['x'] },
      },
    ]);
  });

  it('should print the Job as one JSON document with --json', async () => {
    const ctx = testContext(createMemoryTransport({ 'POST /api/jobs': JOB }));
    expect(await runCli(['--json', 'fix it'], ctx)).toBe(0);
    expect(JSON.parse(ctx.streams.stdout.text)).toEqual(JOB);
  });

  it('should print a refusal with its fix and exit 1, and as {"error"} with --json', async () => {
    const refusal = reply(422, { error: { code: 'AGENT_CANNOT_AUTHENTICATE', message: 'claude cannot authenticate', fix: 'set ANTHROPIC_API_KEY' } });
    const ctx = testContext(createMemoryTransport({ 'POST /api/jobs': refusal }));
    expect(await runCli(['--json', 'fix it'], ctx)).toBe(1);
    expect(ctx.streams.stderr.text).toBe('cb: claude cannot authenticate\nfix: set ANTHROPIC_API_KEY\n');
    expect(JSON.parse(ctx.streams.stdout.text)).toEqual({
      error: { code: 'AGENT_CANNOT_AUTHENTICATE', message: 'claude cannot authenticate', fix: 'set ANTHROPIC_API_KEY' },
    });
  });

  it('should start the daemon and retry once when the recorded one is not listening', async () => {
    const stale = createMemoryTransport({
      'POST /api/jobs': () => {
        throw Object.assign(new Error('nothing is listening'), { code: 'DAEMON_UNAVAILABLE' });
      },
    });
    const fresh = createMemoryTransport({ 'POST /api/jobs': JOB });
    const ctx = testContext(fresh, { connect: async (options) => (options?.optimistic ? stale : fresh) });
    expect(await runCli(['fix it'], ctx)).toBe(0);
    expect(ctx.streams.stdout.text).toBe(`${ID}\n`);
    expect([stale.requests.length, fresh.requests.length]).toEqual([1, 1]);
  });

  it('should say the daemon is unreachable, with the log path', async () => {
    const ctx = testContext(createMemoryTransport({}), {
      connect: async () => {
        throw Object.assign(new Error('nothing is listening on /x/cb.sock (ECONNREFUSED)'), { code: 'DAEMON_UNAVAILABLE' });
      },
    });
    expect(await runCli(['fix it'], ctx)).toBe(1);
    expect(ctx.streams.stderr.text).toContain('cb: the daemon is not reachable (nothing is listening on /x/cb.sock (ECONNREFUSED))');
    expect(ctx.streams.stderr.text).toContain(`fix: see the daemon log: ${ctx.paths.daemonLog}`);
  });

  it('should print an internal error with the versions to put in an issue', async () => {
    const ctx = testContext(createMemoryTransport({ 'POST /api/jobs': () => {
      throw new TypeError('boom');
    } }));
    expect(await runCli(['fix it'], ctx)).toBe(1);
    expect(ctx.streams.stderr.text).toMatch(/^cb: internal error: boom\n/);
    expect(ctx.streams.stderr.text).toMatch(/fix: this is a bug in cb; please open an issue with this output and: cb \d+\.\d+\.\d+, protocol 1, node v/);
  });

  it('should wait with --wait and exit 1 when the job failed', async () => {
    const failed = makeJob({ status: 'failed', failure: { kind: 'auth_failed', message: 'Invalid API key' } });
    const transport = createMemoryTransport({
      'POST /api/jobs': { ...JOB, status: 'queued' },
      [`GET /api/jobs/${ID}/wait`]: (_req: unknown, n: number) => (n === 0 ? { ...JOB, status: 'running' } : failed),
    });
    const ctx = testContext(transport);
    expect(await runCli(['--wait', 'fix it'], ctx)).toBe(1);
    expect(ctx.streams.stdout.text).toBe(`${ID}\n`);
    expect(ctx.streams.stderr.text).toBe(
      `✘ ${ID} failed — auth failed: the agent could not authenticate with its provider: Invalid API key (in 2m 00s · $0.042)\n`,
    );
  });

  it('should resolve an --in-job prefix before creating the job', async () => {
    const transport = createMemoryTransport({
      'GET /api/jobs': { items: [JOB], nextCursor: null },
      'POST /api/jobs': JOB,
    });
    expect(await runCli(['--in-job', '01jz8q7w3m', 'more'], testContext(transport))).toBe(0);
    expect((transport.requests[1]?.body as { inJob: string }).inJob).toBe(ID);
  });
});

describe('cb ls / show / wait / doctor', () => {
  it('should list jobs as a table and hint at --all when there are more', async () => {
    const transport = createMemoryTransport({ 'GET /api/jobs': { items: [JOB], nextCursor: 'next' } });
    const ctx = testContext(transport);
    expect(await runCli(['ls', '--status', 'succeeded,failed'], ctx)).toBe(0);
    expect(ctx.streams.stdout.text).toMatchInlineSnapshot(`
      "ID          STATUS     AGENT   MODEL   HOST    AGE  DURATION    COST  PROMPT
      01JZ8Q7W3M  succeeded  claude  sonnet  dragon  12m    2m 00s  $0.042  refactor the auth module
      "
    `);
    expect(ctx.streams.stderr.text).toBe('(the 1 most recent; cb ls --all for every job)\n');
    expect(transport.requests[0]?.query).toEqual({ status: 'succeeded,failed', limit: 50 });
  });

  it('should page through everything with --all and print one JSON array', async () => {
    const second = makeJob({ id: '01JZ8Q7W3MBBBBBBBBBBBBBBBB' });
    const transport = createMemoryTransport({
      'GET /api/jobs': (req: { query?: { cursor?: string } }) =>
        req.query?.cursor ? { items: [second], nextCursor: null } : { items: [JOB], nextCursor: 'c2' },
    });
    const ctx = testContext(transport);
    expect(await runCli(['ls', '--all', '--json'], ctx)).toBe(0);
    expect(JSON.parse(ctx.streams.stdout.text).map((j: { id: string }) => j.id)).toEqual([ID, second.id]);
  });

  it('should refuse an unknown status with the list of statuses', async () => {
    const ctx = testContext(createMemoryTransport({}));
    expect(await runCli(['ls', '--status', 'done'], ctx)).toBe(2);
    expect(ctx.streams.stderr.text).toMatch(/^cb: --status: "done" is not a job status\nfix: use one or more of queued, starting/);
  });

  it('should show a job by unique prefix, as JSON with --json', async () => {
    const transport = createMemoryTransport({ 'GET /api/jobs': { items: [JOB], nextCursor: null }, [`GET /api/jobs/${ID}`]: JOB });
    const ctx = testContext(transport);
    expect(await runCli(['show', '--json', ID.slice(0, 8).toLowerCase()], ctx)).toBe(0);
    expect(JSON.parse(ctx.streams.stdout.text)).toEqual(JOB);
  });

  it('should print JOB_NOT_FOUND for an unknown id', async () => {
    const ctx = testContext(createMemoryTransport({ 'GET /api/jobs': { items: [], nextCursor: null } }));
    expect(await runCli(['show', 'nope'], ctx)).toBe(1);
    expect(ctx.streams.stderr.text).toBe('cb: no job has an id starting with "nope"\nfix: list jobs with: cb ls --all\n');
  });

  it('should long-poll in cb wait until the job ends and exit 0 only if it succeeded', async () => {
    const transport = createMemoryTransport({
      [`GET /api/jobs/${ID}/wait`]: (_req: unknown, n: number) => (n < 2 ? { ...JOB, status: 'retry_wait' } : JOB),
    });
    const ctx = testContext(transport);
    expect(await runCli(['wait', ID], ctx)).toBe(0);
    expect(ctx.streams.stdout.text).toBe(`✔ ${ID} succeeded in 2m 00s · $0.042\n`);
    expect(transport.requests).toHaveLength(3);
  });

  it('should give up at --timeout with exit 1', async () => {
    const running = { ...JOB, status: 'running' as const, endedAt: null, durationMs: null };
    const transport = createMemoryTransport({ [`GET /api/jobs/${ID}/wait`]: running });
    const ctx = testContext(transport);
    expect(await runCli(['wait', '--timeout', '1ms', '--json', ID], ctx)).toBe(1);
    expect(JSON.parse(ctx.streams.stdout.text).status).toBe('running');
  });

  it('should print each doctor check with ✔/✘ and its fix, and exit 1 when one fails', async () => {
    const report = {
      host: 'dragon',
      ok: false,
      checks: [
        { name: 'tmux', ok: true, detail: 'tmux 3.3a', fix: null },
        { name: 'claude credentials', ok: false, detail: 'no ANTHROPIC_API_KEY, no OAuth token', fix: 'run claude /login, or set ANTHROPIC_API_KEY' },
      ],
    };
    const ctx = testContext(createMemoryTransport({ 'GET /api/doctor': report }));
    expect(await runCli(['doctor'], ctx)).toBe(1);
    expect(ctx.streams.stdout.text).toMatchInlineSnapshot(`
      "✔ tmux  tmux 3.3a
      ✘ claude credentials  no ANTHROPIC_API_KEY, no OAuth token
          fix: run claude /login, or set ANTHROPIC_API_KEY

      1 of 2 checks failed on dragon
      "
    `);
  });
});

describe('cb logs', () => {
  const entries: TranscriptEntry[] = [
    { type: 'text', at: 0, text: 'line 1' },
    { type: 'command', at: 1, command: 'npm test', output: 'ok', exitCode: 0 },
    { type: 'final', at: 2, text: 'done', isError: false },
  ];

  it('should follow a growing transcript across attempts and ring the bell at the end', async () => {
    const snapshots: Transcript[] = [
      { jobId: ID, attempt: 1, entries: [{ type: 'text', at: 0, text: 'line 1' }] },
      { jobId: ID, attempt: 1, entries: [{ type: 'text', at: 0, text: 'line 1\nline 2' }, entries[1]!] },
      { jobId: ID, attempt: 2, entries: [entries[2]!] },
    ];
    const running = makeJob({ status: 'running', attempts: [makeAttempt({ status: 'running' })] });
    const second = makeJob({ attempts: [makeAttempt({ status: 'failed' }), makeAttempt({ n: 2, reason: 'retry', model: 'opus' })] });
    let polls = 0;
    const transport = createMemoryTransport({
      [`GET /api/jobs/${ID}`]: () => (polls < 2 ? running : second),
      [`GET /api/jobs/${ID}/transcript`]: (req: { query?: { attempt?: number } }) =>
        req.query?.attempt === 2 ? snapshots[2] : snapshots[Math.min(polls, 1)],
      [`GET /api/jobs/${ID}/wait`]: () => {
        polls += 1;
        return running;
      },
    });
    const ctx = testContext(transport);
    expect(await runCli(['logs', '-f', ID], ctx)).toBe(0);
    expect(ctx.streams.stdout.text.endsWith('\n\x07')).toBe(true);
    expect(ctx.streams.stdout.text.slice(0, -1)).toMatchInlineSnapshot(`
      "line 1
      line 2

      $ npm test (exit 0)
        ok

      ── attempt 2 (retry, opus) ──

      ── final answer ──
      done
      "
    `);
  });

  it('should print the raw log by byte offset with --raw', async () => {
    const chunks: LogChunk[] = [
      { attempt: 1, offset: 0, nextOffset: 6, data: '{"a":1', complete: false },
      { attempt: 1, offset: 6, nextOffset: 8, data: '}\n', complete: true },
      { attempt: 1, offset: 8, nextOffset: 8, data: '', complete: true },
    ];
    const transport = createMemoryTransport({ [`GET /api/jobs/${ID}/log`]: (_req: unknown, n: number) => chunks[n] });
    const ctx = testContext(transport);
    expect(await runCli(['logs', '--raw', ID], ctx)).toBe(0);
    expect(ctx.streams.stdout.text).toBe('{"a":1}\n');
    expect(transport.requests.map((r) => r.query?.offset)).toEqual([0, 6, 8]);
  });
});

describe('cb attach / takeover', () => {
  it('should attach to the attempt tmux session on this home own server', async () => {
    const spawn = vi.fn(async () => 0);
    const client = createClient(createMemoryTransport({ [`GET /api/jobs/${ID}`]: JOB }));
    await attach({ client, streams: testStreams(), id: ID, tmuxSocketName: 'flotilla-abc', env: { TMUX: '/tmp/x', HOME: '/root' }, spawn, hasSession: () => true });
    expect(spawn).toHaveBeenCalledWith({
      command: 'tmux',
      args: ['-L', 'flotilla-abc', 'attach-session', '-t', '=fl-01JZ8Q7W3M'],
      env: { TMUX: undefined, HOME: '/root' },
    });
  });

  it('should say the job has ended when its session is gone, and point to logs and takeover', async () => {
    const ctx = testContext(createMemoryTransport({ [`GET /api/jobs/${ID}`]: JOB }));
    ctx.paths = { ...homePaths('/tmp/flotilla-no-such-home-xyz') };
    expect(await runCli(['attach', ID], ctx)).toBe(1);
    expect(ctx.streams.stderr.text).toBe(
      `cb: job ${ID} has ended (succeeded): its tmux session is gone\nfix: read what it did with: cb logs 01JZ8Q7W3M; continue it interactively with: cb takeover 01JZ8Q7W3M\n`,
    );
  });

  it("should resume with the agent's own interactive command, keeping the model", () => {
    expect(takeoverCommand(JOB, {})).toEqual({
      command: 'claude',
      args: ['--resume', '5d7c2a8e-0f43-4b1e-9d7a-3c2b1a0f9e8d', '--model', 'sonnet'],
      cwd: '/work/repo',
      env: {},
    });
    expect(takeoverCommand(makeJob({ agent: 'codex', model: null, attempts: [makeAttempt({ model: null })] }), {}).args).toEqual([
      'resume',
      '5d7c2a8e-0f43-4b1e-9d7a-3c2b1a0f9e8d',
    ]);
    expect(() => takeoverCommand(makeJob({ status: 'running' }), {})).toThrowError(`job ${ID} is still running`);
  });
});

describe('cb daemon status / cb serve', () => {
  const status = {
    pid: 4242, version: '0.1.0', protocol: 1, host: 'dragon', home: '/h', socket: '/h/cb.sock',
    startedAt: new Date(NOW).toISOString(), uptimeMs: 65_000, httpUrl: null, slots: 4, running: 1, queued: 2,
  };

  it('should print DaemonStatus with pid, version and protocol', async () => {
    const transport = createMemoryTransport({ 'GET /health': { pid: 4242, version: '0.1.0', protocol: 1 }, 'GET /api/daemon': status });
    const streams = testStreams();
    const paths = homePaths('/tmp/flotilla-no-such-home-xyz');
    await daemon({ action: 'status', daemon: { paths, transportFor: () => transport }, streams, json: true });
    expect(JSON.parse(streams.stdout.text)).toEqual(status);
  });

  it('should fail with DAEMON_UNAVAILABLE when none runs, without starting one', async () => {
    const transport = createMemoryTransport({ 'GET /health': reply(503, 'down') });
    const paths = homePaths('/tmp/flotilla-no-such-home-xyz');
    await expect(daemon({ action: 'status', daemon: { paths, transportFor: () => transport }, streams: testStreams() })).rejects.toMatchObject({
      code: 'DAEMON_UNAVAILABLE',
    });
    expect(transport.requests.map((r) => r.path)).toEqual(['/health']);
  });

  it('should print the URL with the token first, then stay until the signal', async () => {
    const transport = createMemoryTransport({ 'POST /api/daemon/serve': { url: 'http://127.0.0.1:8123', token: 't0k/en' } });
    const streams = testStreams();
    const controller = new AbortController();
    const done = serve({ transport, streams, port: 8123, signal: controller.signal });
    await vi.waitFor(() => expect(streams.stdout.text).toBe('http://127.0.0.1:8123/?token=t0k%2Fen\n'));
    controller.abort();
    await expect(done).resolves.toMatchObject({ openUrl: 'http://127.0.0.1:8123/?token=t0k%2Fen' });
    expect(transport.requests[0]?.body).toEqual({ port: 8123 });
  });
});
