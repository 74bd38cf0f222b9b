/**
 * The live terminal stream through the real daemon: WebSockets at /api/sessions/:id/terminal and
 * /api/jobs/:id/terminal, over the unix socket and over loopback TCP, and `cb peek --follow`.
 * Panes run a plain interactive shell (a custom agent) or a job that prints a line every 100 ms.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TerminalServerMessageSchema, type TerminalServerMessage } from '@flotilla/protocol';
import { CB_BIN, startHarness, waitFor, type Harness } from './harness.js';

const TICKER = 'i=0; while [ $i -lt 600 ]; do echo "tick-$i"; i=$((i+1)); sleep 0.1; done';

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startHarness({
    config: {
      agents: {
        shell: { argv: ['env', 'PS1=sh> ', '/bin/sh', '-i'] },
        ticker: { argv: ['sh', '-c', TICKER], promptVia: 'stdin', outputFormat: 'text' },
      },
    },
  });
  token = readFileSync(h.paths.token, 'utf8').trim();
});
afterAll(async () => {
  await h[Symbol.asyncDispose]();
});

/** A WebSocket client that collects messages and the text of the output so far. */
class Viewer {
  readonly messages: TerminalServerMessage[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  closed = false;
  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers });
    this.ws.on('message', (data) => this.messages.push(TerminalServerMessageSchema.parse(JSON.parse(String(data)))));
    this.ws.on('close', () => (this.closed = true));
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }
  text(): string {
    return this.messages.flatMap((m) => (m.type === 'output' ? [Buffer.from(m.data, 'base64').toString('utf8')] : [])).join('');
  }
  errors(): string[] {
    return this.messages.flatMap((m) => (m.type === 'error' ? [m.code] : []));
  }
  async shows(text: string, timeoutMs = 10_000): Promise<void> {
    await waitFor(() => this.text().includes(text), timeoutMs, () => `no ${JSON.stringify(text)} in ${JSON.stringify(this.text().slice(-2000))}`);
  }
  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }
  input(text: string): void {
    this.send({ type: 'input', data: Buffer.from(text, 'utf8').toString('base64') });
  }
  async close(): Promise<void> {
    if (this.closed) return;
    const done = new Promise((resolve) => this.ws.once('close', resolve));
    this.ws.close();
    await done;
  }
}

const unixUrl = (path: string): string => `ws+unix://${h.paths.socket}:${path}`;

/** Why an upgrade was refused: its HTTP status. */
function refusal(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      ws.close();
      reject(new Error('upgrade was accepted'));
    });
    ws.once('error', () => undefined);
  });
}

async function startShell(name: string): Promise<string> {
  const session = await h.client.createSession({ name, agent: 'shell', cwd: h.repo });
  await waitFor(async () => (await h.client.peek(name, { lines: 5 })).lines.some((l) => l.includes('sh>')), 10_000);
  return session.tmuxSession;
}

const paneSize = (tmuxSession: string): string => h.tmux('display-message', '-p', '-t', `=${tmuxSession}:`, '#{pane_width}x#{pane_height}').trim();

describe('the terminal stream of a session (WebSocket)', () => {
  it('should send the fixed size and the screen, then output printed in the pane, and refuse input when read-only', async () => {
    const tmuxSession = await startShell('term-a');
    h.tmux('send-keys', '-t', `=${tmuxSession}:`, '-l', 'echo BEFORE-$((40+2))\r');
    await waitFor(async () => (await h.client.peek('term-a', { lines: 10 })).lines.some((l) => l.includes('BEFORE-42')), 10_000);

    const viewer = new Viewer(unixUrl('/api/sessions/term-a/terminal'));
    await viewer.opened;
    await viewer.shows('BEFORE-42'); // on the screen it starts with
    expect(viewer.messages[0]).toEqual({ type: 'hello', target: { kind: 'session', id: expect.any(String), name: 'term-a' }, cols: 200, rows: 50, readOnly: true, encoding: 'base64' });
    expect(viewer.text().startsWith('\x1b[0m\x1b[H\x1b[2J')).toBe(true);

    h.tmux('send-keys', '-t', `=${tmuxSession}:`, '-l', 'echo AFTER-$((50+5))\r');
    await viewer.shows('AFTER-55');

    viewer.input('echo SHOULD-NOT-RUN-$((1+1))\r');
    await waitFor(() => viewer.errors().includes('READ_ONLY'), 5000);
    viewer.send({ type: 'resize', cols: 80, rows: 24 });
    h.tmux('send-keys', '-t', `=${tmuxSession}:`, '-l', 'echo MARK\r');
    await viewer.shows('MARK\r\n');
    expect(viewer.text()).not.toContain('SHOULD-NOT-RUN-2');
    // A viewer's size never reaches the pane.
    expect(paneSize(tmuxSession)).toBe('200x50');
    expect(viewer.errors()).toEqual(['READ_ONLY']);

    // The same session by id, and a second viewer at once.
    const { id } = await h.client.getSession('term-a');
    const second = new Viewer(unixUrl(`/api/sessions/${id}/terminal`));
    await second.shows('MARK');
    h.tmux('send-keys', '-t', `=${tmuxSession}:`, '-l', 'echo BOTH\r');
    await viewer.shows('BOTH\r\n');
    await second.shows('BOTH\r\n');
    await second.close();
    await viewer.close();
  });

  it('should take input byte-exact only with ?input=1 and the full token', async () => {
    const tmuxSession = await startShell('term-b');
    const typist = new Viewer(unixUrl('/api/sessions/term-b/terminal?input=1'));
    await typist.opened;
    await waitFor(() => typist.messages.some((m) => m.type === 'hello'), 5000);
    expect(typist.messages[0]).toMatchObject({ type: 'hello', readOnly: false });
    // Key names are text, never keys: "Enter" stays a word; \r is the Enter byte.
    typist.input('echo "Enter C-c" IN-$((2+3))\r');
    await typist.shows('Enter C-c IN-5');
    await typist.close();

    const { url, token: viewerToken } = await serveTcp();
    const base = url.replace(/^http/, 'ws');
    const path = '/api/sessions/term-b/terminal';
    // A viewer token (what `cb serve` prints) may watch, never type; neither may the full token in a cookie.
    expect(await refusal(`${base}${path}?input=1&token=${viewerToken}`)).toBe(401);
    expect(await refusal(`${base}${path}?input=1`, { cookie: `flotilla_token=${token}` })).toBe(401);
    expect(await refusal(`${base}${path}?input=1`, { cookie: `flotilla_token=${viewerToken}` })).toBe(401);
    expect(await refusal(`${base}${path}`)).toBe(401);
    const watcher = new Viewer(`${base}${path}?token=${viewerToken}`);
    await watcher.opened;
    await watcher.shows('IN-5');
    expect(watcher.messages[0]).toMatchObject({ type: 'hello', readOnly: true });
    await watcher.close();
    // The full token as Bearer may type over TCP.
    const owner = new Viewer(`${base}${path}?input=1`, { authorization: `Bearer ${token}` });
    await owner.opened;
    owner.input('echo TCP-$((3*3))\r');
    await owner.shows('TCP-9');
    await owner.close();
    // Cross-site pages may not open the stream at all.
    expect(await refusal(`${base}${path}?token=${viewerToken}`, { origin: 'http://evil.example' })).toBe(403);
    expect(paneSize(tmuxSession)).toBe('200x50');
  });

  it('should answer bad messages with errors and keep streaming', async () => {
    const tmuxSession = await startShell('term-c');
    const viewer = new Viewer(unixUrl('/api/sessions/term-c/terminal?input=1'));
    await viewer.opened;
    viewer.send('not json');
    viewer.send({ type: 'launch-missiles' });
    viewer.send({ type: 'input', data: '***' });
    viewer.send({ type: 'resize', cols: -1, rows: 5 });
    viewer.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await waitFor(() => viewer.errors().length === 5, 5000, () => JSON.stringify(viewer.messages.filter((m) => m.type === 'error')));
    expect(viewer.errors()).toEqual(['BAD_MESSAGE', 'BAD_MESSAGE', 'BAD_MESSAGE', 'BAD_MESSAGE', 'BAD_MESSAGE']);
    h.tmux('send-keys', '-t', `=${tmuxSession}:`, '-l', 'echo STILL-$((7+1))\r');
    await viewer.shows('STILL-8');
    expect(viewer.closed).toBe(false);
    expect(await h.client.health()).toMatchObject({ pid: expect.any(Number) });

    // The session ends: the stream says so after the last output, and closes.
    await h.client.stopSession('term-c');
    await waitFor(() => viewer.closed, 10_000);
    expect(viewer.messages.at(-1)).toEqual({ type: 'exit', reason: 'exited', state: 'exited' });
  });

  it('should refuse unknown and ended sessions, and plain HTTP', async () => {
    expect(await refusal(unixUrl('/api/sessions/nobody/terminal'))).toBe(404);
    expect(await refusal(unixUrl('/api/sessions/term-c/terminal'))).toBe(409);
    const plain = await fetchOverSocket('/api/sessions/term-a/terminal');
    expect(plain.status).toBe(400);
  });
});

describe('cb peek --follow', () => {
  it('should print the screen, then output that appears after it started, until interrupted', async () => {
    const tmuxSession = await startShell('term-d');
    const child = spawn(process.execPath, [CB_BIN, 'peek', 'term-d', '--follow'], { env: { ...process.env, ...h.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor(() => out.includes('\x1b[2J'), 10_000, () => `stdout ${JSON.stringify(out)} stderr ${err}`);
    h.tmux('send-keys', '-t', `=${tmuxSession}:`, '-l', 'echo FOLLOWED-$((60+6))\r');
    await waitFor(() => out.includes('FOLLOWED-66'), 10_000, () => `stdout ${JSON.stringify(out)} stderr ${err}`);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(err).toBe('');
  });

  it('should end by itself when the session exits, and fail clearly for an unknown one', async () => {
    const tmuxSession = await startShell('term-e');
    const child = spawn(process.execPath, [CB_BIN, 'peek', 'term-e', '-f'], { env: { ...process.env, ...h.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor(() => out.includes('\x1b[2J'), 10_000);
    h.tmux('send-keys', '-t', `=${tmuxSession}:`, '-l', 'echo LAST-WORDS; exit\r');
    expect(await exited).toBe(0);
    expect(out).toContain('LAST-WORDS');

    const missing = spawn(process.execPath, [CB_BIN, 'peek', 'nobody', '--follow'], { env: { ...process.env, ...h.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let missingErr = '';
    missing.stderr.on('data', (d: Buffer) => (missingErr += d.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => missing.once('exit', (c) => resolve(c)));
    expect(code).not.toBe(0);
    expect(missingErr).toContain('no session called "nobody"');
  });
});

describe('the terminal stream of a job (WebSocket)', () => {
  it('should stream the running attempt, in a pane of fixed size', async () => {
    const job = await h.createJob({ prompt: 'tick', agent: 'ticker' });
    await waitFor(async () => (await h.client.getJob(job.id)).status === 'running', 15_000);
    const running = await h.client.getJob(job.id);
    const tmuxSession = running.attempts.at(-1)!.tmuxSession;
    expect(h.tmux('show-options', '-w', '-v', '-t', `=${tmuxSession}:`, 'window-size').trim()).toBe('manual');
    const viewer = new Viewer(unixUrl(`/api/jobs/${job.id}/terminal`));
    await viewer.opened;
    await waitFor(() => viewer.messages.some((m) => m.type === 'hello'), 5000);
    expect(viewer.messages[0]).toMatchObject({ type: 'hello', target: { kind: 'job', id: job.id, name: `${job.id}#1` }, readOnly: true });
    const seen = (): number[] => [...viewer.text().matchAll(/tick-(\d+)/g)].map((m) => Number(m[1]));
    await waitFor(() => seen().length >= 5, 10_000);
    const first = Math.max(...seen());
    await waitFor(() => Math.max(...seen()) >= first + 5, 10_000);
    viewer.send({ type: 'resize', cols: 10, rows: 10 });
    await h.client.cancelJob(job.id);
    await waitFor(() => viewer.closed, 15_000);
    expect(viewer.messages.at(-1)).toMatchObject({ type: 'exit', reason: 'exited' });
    expect(await refusal(unixUrl(`/api/jobs/${job.id}/terminal`))).toBe(409);
    expect(await refusal(unixUrl('/api/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV/terminal'))).toBe(404);
  });
});

async function fetchOverSocket(path: string): Promise<{ status: number }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: h.paths.socket, path, headers: { host: 'localhost' } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('error', reject);
    req.end();
  });
}

/** `POST /api/daemon/serve`: a loopback TCP listener and a viewer token minted for it (what `cb serve` prints). */
async function serveTcp(): Promise<{ url: string; token: string }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: h.paths.socket, path: '/api/daemon/serve', method: 'POST', headers: { host: 'localhost', 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('utf8')));
      res.on('end', () => resolve(JSON.parse(body) as { url: string; token: string }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ port: 0 }));
  });
}
