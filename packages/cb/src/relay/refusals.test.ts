/**
 * A queued message that the hub refuses later, end to end: a real daemon, the real `cb msg` inside
 * a session (the paste agent) and a job (a shell agent), and a hub stand-in on the real
 * `$FLOTILLA_HOME/hub.sock` that answers message posts from a script (503, 429, then a refusal).
 */
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FlotillaEvent } from '@flotilla/protocol';
import { runProcess } from '@flotilla/testkit';
import { CB_BIN, collectEvents, startHarness, waitFor, type Harness } from '../e2e/harness.js';
import { PASTE_AGENT } from '../sessions/test-support.js';
import { describeRefusal, REFUSED_NOTICE_KIND } from './refusals.js';

interface ScriptedHub {
  posts: { path: string; headers: Record<string, string | string[] | undefined>; body: unknown }[];
  close(): Promise<void>;
}

type Answer = { status: number; body: unknown };

/** Answers each message post with the next of `answers` (the last one repeats). */
async function startScriptedHub(socket: string, answers: Answer[]): Promise<ScriptedHub> {
  rmSync(socket, { force: true });
  const posts: ScriptedHub['posts'] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', headers: req.headers, body: raw ? (JSON.parse(raw) as unknown) : null });
      const answer = answers[Math.min(posts.length - 1, answers.length - 1)]!;
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { posts, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const refusal = (status: number, code: string, message: string): Answer => ({ status, body: { error: { code, message } } });

let h: Harness;
let hub: ScriptedHub | null = null;
const hubSocket = () => join(h.paths.home, 'hub.sock');

beforeAll(async () => {
  h = await startHarness({ config: { agents: { paster: { argv: [process.execPath, PASTE_AGENT] }, shell: { argv: ['/bin/sh', '-c', '{prompt}'] } } } });
});
afterEach(async () => {
  await hub?.close();
  hub = null;
});
afterAll(async () => {
  await h?.[Symbol.asyncDispose]();
});

function cb(args: string[], env: Record<string, string> = h.env) {
  return runProcess({ command: process.execPath, args: [CB_BIN, ...args], cwd: h.repo, env, timeoutMs: 30_000 });
}

/** The variables a session's agent gets (its env.sh), for running `cb` as that session. */
function sessionEnv(sessionId: string): Record<string, string> {
  const lines = readFileSync(join(h.paths.sessionDir(sessionId), 'env.sh'), 'utf8').split('\n').filter((line) => line.includes('='));
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).replace(/^'|'$/g, '')]));
}

/** The daemon's own retry pauses (0.5 s doubling to 15 s) decide how soon a returning hub is tried: wait long enough. */
async function refusalNotices(count: number): Promise<Extract<FlotillaEvent, { type: 'notification' }>[]> {
  const events = await collectEvents(h.client, (event) => event.type === 'notification' && event.kind === REFUSED_NOTICE_KIND, (kept) => kept.length >= count, 60_000);
  return events as Extract<FlotillaEvent, { type: 'notification' }>[];
}

describe('a queued message the hub refuses later', () => {
  it('should tell the user and type a notice into the sending session, send it once and never again', async () => {
    const session = await h.client.createSession({ name: 'writer', agent: 'paster', cwd: h.repo });
    await waitFor(async () => (await h.client.getSession('writer')).state !== 'unknown', 15_000);
    const sent = await cb(['msg', 'nobody', 'please review AUTH-12 when you can'], { ...h.env, ...sessionEnv(session.id) });
    expect(sent.exitCode, sent.stderr).toBe(0);
    expect(sent.stderr).toMatch(/^the hub is not connected: queued \([0-9A-Z]{26}\); it is sent when the hub is back\n$/);
    const key = /queued \(([0-9A-Z]{26})\)/.exec(sent.stderr)![1];

    hub = await startScriptedHub(hubSocket(), [refusal(404, 'NOT_FOUND', 'no session or role nobody in the fleet')]);
    const [notice] = await refusalNotices(1);
    expect(notice).toMatchObject({ sessionId: session.id, jobId: null, level: 'warning', title: 'message to nobody refused by the hub' });
    expect(notice!.body).toMatch(new RegExp(`^writer → nobody: "please review AUTH-12 when you can" \\(queued .+, ${key}\\) was refused: NOT_FOUND: no session or role nobody in the fleet \\(HTTP 404\\)\\. It will not be sent again\\.$`));
    // The agent is told in its own session.
    await waitFor(async () => (await h.client.peek('writer', { lines: 100 })).lines.join('\n').includes('[flotilla] Your message to nobody'), 20_000);
    // One post, as the session, with its idempotency key and without the daemon's own bookkeeping header.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(hub.posts).toHaveLength(1);
    expect(hub.posts[0]!.headers).toMatchObject({ 'x-flotilla-agent-session': 'writer', 'x-flotilla-idempotency-key': key });
    expect(Object.keys(hub.posts[0]!.headers).filter((name) => name.startsWith('x-flotilla-relay'))).toEqual([]);
    await h.client.stopSession('writer');
  }, 120_000);

  it("should retry a job's message through 503 and 429, and tell the user with the job's id when the hub then refuses it", async () => {
    const job = await h.createJob({ agent: 'shell', prompt: `"${process.execPath}" "${CB_BIN}" msg ghost "from a job"` });
    expect((await h.waitEnded(job.id)).status).toBe('succeeded');
    hub = await startScriptedHub(hubSocket(), [refusal(503, 'INTERNAL', 'the hub is restarting'), refusal(429, 'RATE_LIMITED', 'slow down'), refusal(400, 'VALIDATION_FAILED', 'to: not a session name')]);
    const notices = await refusalNotices(2);
    const mine = notices.find((notice) => notice.jobId === job.id)!;
    expect(mine).toMatchObject({ sessionId: null, title: 'message to ghost refused by the hub' });
    expect(mine.body).toContain(`job-${job.id.slice(0, 10).toLowerCase()} → ghost: "from a job"`);
    expect(mine.body).toContain('was refused: VALIDATION_FAILED: to: not a session name (HTTP 400)');
    expect(hub.posts.map((post) => post.headers['x-flotilla-idempotency-key'])).toEqual(Array(3).fill(hub.posts[0]!.headers['x-flotilla-idempotency-key']));
    expect(hub.posts[0]!.headers['x-flotilla-agent-job']).toBe(job.id);
  }, 120_000);

  it('should not raise a notice when the sender heard the refusal itself (the hub answered at once)', async () => {
    hub = await startScriptedHub(hubSocket(), [refusal(404, 'NOT_FOUND', 'no session nobody')]);
    const direct = await cb(['msg', 'nobody', 'hello']);
    expect(direct.exitCode).not.toBe(0);
    expect(direct.stderr).toContain('no session nobody');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // Only the two notices of the tests before.
    const all = await collectEvents(h.client, (event) => event.type === 'notification' && event.kind === REFUSED_NOTICE_KIND, () => false, 1_500);
    expect(all).toHaveLength(2);
  });
});

describe('describeRefusal', () => {
  it('should name the channel, clip long text and fall back to the status when the hub sent no error envelope', () => {
    const message = { id: 1, key: '01J0000000000000000000000A', path: '/api/channel' as const, body: { text: `${'word '.repeat(30)}end`, from: 'user' }, headers: {}, createdAt: '2026-11-25T00:00:00.000Z', attempts: 1, lastError: null, failedAt: null };
    expect(describeRefusal({ message, status: 413, body: 'too large' })).toMatchInlineSnapshot(`
      {
        "body": "user → the channel: "word word word word word word word word word word word word…" (queued 2026-11-25T00:00:00.000Z, 01J0000000000000000000000A) was refused: HTTP 413 "too large". It will not be sent again.",
        "line": "[flotilla] Your message to the channel ("word word word word word word word word word word word word…") was NOT delivered: the hub refused it (HTTP 413 "too large"). It will not be retried; fix the recipient or text and send it again with cb msg.",
        "title": "message to the channel refused by the hub",
      }
    `);
  });
});
