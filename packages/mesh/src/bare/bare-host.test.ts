// A bare host on this machine (a local link: the same scripts through `sh -c` instead of SSH exec),
// with real tmux on a private TMUX_TMPDIR and the fake `claude`: prompts arrive intact whatever
// they hold, jobs end by their exit code, a key runs once, cancel kills the agent, a vanished tmux
// session is a crash, sessions are peeked and typed into, and a second BareHost (a hub restart)
// reads the same objects back without running anything again.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal, type FlotillaEvent, type Job } from '@flotilla/protocol';
import { createLocalLink } from '../hub/local-link.js';
import type { HostLink } from '../link/host-link.js';
import { fakeClaudePid, writeFakeClaude } from '../test-support/bare-fakes.test-support.js';
import { until } from '../test-support/until.test-support.js';
import { createBareDriver, type BareDriver } from './index.js';

let dir: string;
let home: string;
let env: Record<string, string>;
let link: HostLink;
let driver: BareDriver;

const jobDir = (id: string): string => join(home, 'bare', 'jobs', id);
const ended = (id: string): Promise<Job> =>
  until(`job ${id} to end`, async () => {
    await driver.host.look();
    const job = driver.host.job(id);
    return isTerminal(job.status) ? job : null;
  }, 20_000);

function collect(feedDriver: BareDriver): FlotillaEvent[] {
  const events: FlotillaEvent[] = [];
  const stream = feedDriver.host.feed.stream(null);
  void (async () => {
    for await (const chunk of stream.chunks) {
      for (const line of chunk.split('\n')) if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)) as FlotillaEvent);
    }
  })();
  return events;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mesh-bare-'));
  home = join(dir, 'home');
  const bin = join(dir, 'bin');
  writeFakeClaude(bin);
  env = { FLOTILLA_HOME: home, TMUX_TMPDIR: join(dir, 'tmux'), PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  execFileSync('mkdir', ['-p', env.TMUX_TMPDIR!, join(dir, 'work')]);
  link = createLocalLink({ name: 'bare1', env });
  driver = createBareDriver({ name: 'bare1', link });
  expect(await driver.host.probe()).toMatch(/^tmux /);
  await driver.host.load();
});

afterAll(async () => {
  try {
    execFileSync('tmux', ['-L', 'flotilla-bare', 'kill-server'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  } catch {
    // no session left: the server is gone already
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('a bare host driven through tmux', () => {
  it('passes any prompt to the agent as one argument, untouched by the shell', async () => {
    const prompt = `it's "quoted" $(touch ${dir}/pwned) \`touch ${dir}/pwned2\` $HOME * ; & | \\ \n-- --flag\n  trailing spaces  `;
    const job = await driver.client.createJob({ prompt, agent: 'claude', cwd: join(dir, 'work') });
    expect(job.status).toBe('starting');
    const done = await ended(job.id);
    expect(done.status).toBe('succeeded');
    const argv = readFileSync(join(jobDir(job.id), 'argv'), 'utf8').split('\0').slice(0, -1);
    expect(argv.slice(0, 9)).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--model', 'sonnet', '--permission-mode', 'acceptEdits', '--']);
    // $(…) drops trailing newlines only; the prompt ends in spaces, so it arrives whole.
    expect(argv[9]).toBe(prompt);
    expect(existsSync(join(dir, 'pwned')) || existsSync(join(dir, 'pwned2'))).toBe(false);
    for (const file of ['prompt', 'record.json', 'output.log']) expect(statSync(join(jobDir(job.id), file)).mode & 0o077).toBe(0);
  });

  it('ends a job by its exit code, with the result read from the output', async () => {
    const events = collect(driver);
    const ok = await driver.client.createJob({ prompt: 'sleep 1', agent: 'claude', cwd: join(dir, 'work') });
    const bad = await driver.client.createJob({ prompt: 'exit 3', agent: 'claude', cwd: join(dir, 'work') });
    const missing = await driver.client.createJob({ prompt: 'hello', agent: 'no-such-agent', cwd: join(dir, 'work') });
    expect(await ended(ok.id)).toMatchObject({ status: 'succeeded', result: 'fake result ✓', agentSessionId: 'fake-session-1', failure: null });
    const failed = await ended(bad.id);
    expect(failed).toMatchObject({ status: 'failed', failure: { kind: 'task' } });
    expect(failed.failure?.message).toContain('exit');
    expect(failed.attempts[0]).toMatchObject({ exitCode: 3, consumedAttempt: true });
    expect(await ended(missing.id)).toMatchObject({ status: 'failed', failure: { kind: 'crashed' } });
    await until('the events', async () => events.filter((event) => event.type === 'job.ended').length >= 3 || null, 5_000);
    const okTypes = events.filter((event) => 'job' in event && event.job.id === ok.id).map((event) => event.type);
    expect(okTypes[0]).toBe('job.created');
    expect(okTypes.at(-1)).toBe('job.ended');
    expect(okTypes.filter((type) => type === 'job.ended')).toHaveLength(1);
  });

  it('runs a job once per idempotency key', async () => {
    const request = { prompt: 'once', agent: 'claude', cwd: join(dir, 'work'), idempotencyKey: 'key-1' };
    const first = await driver.client.createJob(request);
    const second = await driver.client.createJob(request);
    expect(second.id).toBe(first.id);
    await ended(first.id);
    expect(readFileSync(join(jobDir(first.id), 'runs'), 'utf8')).toBe('run\n');
  });

  it('cancels a running job and kills its agent', async () => {
    const job = await driver.client.createJob({ prompt: 'sleep 60', agent: 'claude', cwd: join(dir, 'work') });
    const pid = await until('the agent to run', async () => fakeClaudePid(jobDir(job.id)), 10_000);
    const cancelled = await driver.client.cancelJob(job.id);
    expect(cancelled.status).toBe('cancelled');
    await until('the agent to be gone', async () => !alive(pid) || null, 5_000);
  });

  it('calls a job whose tmux session vanished without an exit record crashed', async () => {
    const job = await driver.client.createJob({ prompt: 'sleep 60', agent: 'claude', cwd: join(dir, 'work') });
    await until('the agent to run', async () => fakeClaudePid(jobDir(job.id)), 10_000);
    execFileSync('tmux', ['-L', 'flotilla-bare', 'kill-session', '-t', `=fbj-${job.id}`], { env: { ...process.env, ...env } });
    const done = await ended(job.id);
    expect(done).toMatchObject({ status: 'failed', failure: { kind: 'crashed' } });
  });

  it('refuses what a bare host cannot do, in words', async () => {
    await expect(driver.client.createJob({ prompt: 'x', cwd: join(dir, 'work'), worktree: true })).rejects.toThrow(/--worktree: not available on a bare host.*/);
    await expect(driver.client.createJob({ prompt: 'x', cwd: join(dir, 'nowhere') })).rejects.toMatchObject({ code: 'CWD_NOT_FOUND' });
    await expect(driver.client.diff('01ARZ3NDEKTSV4RRFFQ69G5FAV')).rejects.toMatchObject({ code: 'NOT_FOUND', fix: 'install cb there with: mesh hosts bootstrap bare1' });
    expect((await driver.client.status()).bare).toBe(true);
  });

  it('reads a job log by byte offset', async () => {
    const job = (await driver.host.listJobs()).find((candidate) => candidate.status === 'succeeded')!;
    const first = await driver.client.log(job.id, { offset: 0 });
    expect(first.data).toContain('"type":"result"');
    expect(first.complete).toBe(true);
    const rest = await driver.client.log(job.id, { offset: 10 });
    expect(rest.data).toBe(first.data.slice(10));
  });

  it('starts an interactive session, shows its screen, types into it and stops it', async () => {
    const session = await driver.client.createSession({ name: 'chat', agent: 'claude', cwd: join(dir, 'work') });
    expect(session).toMatchObject({ name: 'chat', state: 'unknown', kind: 'agent' });
    await until('the agent to be ready', async () => (await driver.client.peek('chat')).lines.join('\n').includes('fake claude ready') || null, 10_000);
    const receipt = await driver.client.send('chat', { text: "hello 'there' $(nothing)" });
    expect(receipt).toMatchObject({ delivered: true, confirmedBy: 'screen' });
    await until('the echo', async () => (await driver.client.peek('chat')).lines.some((line) => line === "got: hello 'there' $(nothing)") || null, 10_000);
    await expect(driver.client.createSession({ name: 'chat', cwd: join(dir, 'work') })).rejects.toMatchObject({ code: 'SESSION_NAME_TAKEN' });
    const stopped = await driver.client.stopSession('chat');
    expect(stopped.state).toBe('exited');
    expect(await driver.client.listSessions()).toEqual([]);
  });

  it('reads the same jobs and sessions back after a restart, running nothing again', async () => {
    await driver.host.look();
    const before = driver.host.listJobs();
    const again = createBareDriver({ name: 'bare1', link });
    await again.host.load();
    expect(again.host.listJobs()).toEqual(before);
    expect((await again.client.listSessions({ all: true })).map((session) => session.state)).toEqual(['exited']);
    for (const job of before) if (existsSync(join(jobDir(job.id), 'runs'))) expect(readFileSync(join(jobDir(job.id), 'runs'), 'utf8')).toBe('run\n');
  });

  it('after a restart seeded from the mirror, owes an old cursor only the changes since, not a resync', async () => {
    const sessions = [...driver.host.sessions.values()];
    const mirror = driver.host.listJobs();
    const changed = mirror.find((job) => job.status === 'succeeded')!;
    // The mirror last saw one job still running: the host's files say it ended since.
    const stale = { ...changed, status: 'running' as const, endedAt: null, updatedAt: changed.startedAt! };
    const again = createBareDriver({ name: 'bare1', link });
    await again.host.load({ jobs: mirror.map((job) => (job.id === changed.id ? stale : job)), sessions });
    const stream = again.host.feed.stream(42);
    const chunks: string[] = [];
    const reading = (async () => {
      for await (const chunk of stream.chunks) chunks.push(chunk);
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    stream.close();
    await reading;
    const events = chunks.map((chunk) => JSON.parse(chunk.slice(chunk.indexOf('data: ') + 6)) as FlotillaEvent);
    expect(events.map((event) => [event.type, 'job' in event ? event.job.id : null])).toEqual([['job.ended', changed.id]]);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
