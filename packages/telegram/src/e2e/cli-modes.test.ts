import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { telegramPaths } from '../config/paths.js';
import { CB_TELEGRAM_BIN, OWNER, startDaemonWorld, until, type DaemonWorld } from '../test-support/e2e-world.test-support.js';
import { startFakeBotApi, type FakeBotApi } from '../test-support/fake-bot-api.test-support.js';

/** `cb-telegram` as a person runs it: the built bin, its own process, the daemon found through FLOTILLA_HOME. */
interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Two bot processes and a daemon start in a few seconds on a quiet machine, many times that on a loaded one. */
const SLOW_TEST_MS = 180_000;

let world: DaemonWorld;
let api: FakeBotApi;
const children: Running[] = [];

beforeAll(async () => {
  if (!existsSync(CB_TELEGRAM_BIN.replace(/bin\/cb-telegram\.cjs$/, 'dist/cli/main.js'))) throw new Error('build the package first: cd packages/telegram && npx tsc -b');
  world = await startDaemonWorld();
}, 120_000);
afterEach(async () => {
  for (const running of children.splice(0)) {
    if (running.child.exitCode === null) running.child.kill('SIGTERM');
    await running.exited;
  }
  await api?.close();
});
afterAll(async () => {
  await world?.[Symbol.asyncDispose]();
});

function cbTelegram(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [CB_TELEGRAM_BIN, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: world.home, FLOTILLA_HOME: world.flotillaHome, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const running: Running = { child, stdout: () => stdout, stderr: () => stderr, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  children.push(running);
  return running;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const commandUpdate = (text: string, updateId: number) => ({
  update_id: updateId,
  message: { message_id: 77, date: Math.floor(Date.now() / 1000), chat: { id: OWNER.id, type: 'private', first_name: OWNER.first_name }, from: { ...OWNER, is_bot: false }, text, entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] },
});

describe('cb-telegram, the real binary (slow)', { timeout: SLOW_TEST_MS }, () => {
  it('should refuse to be the second poller of one token: the lock names the first, which keeps polling without a 409', async () => {
    api = await startFakeBotApi();
    const env = { TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_ALLOWED_USERS: String(OWNER.id), TELEGRAM_API_ROOT: api.apiRoot };
    const first = cbTelegram(['run'], env);
    await until('the first poller to start', () => first.stdout().includes('is running'), 30_000);
    const second = cbTelegram(['run'], env);
    expect(await second.exited).toBe(3);
    expect(second.stderr()).toContain(`pid ${first.child.pid}`);
    expect(second.stderr()).toContain('one poller per token');
    expect(second.stderr()).not.toContain(api.token.split(':')[1]!);
    api.pushMessage({ from: OWNER, text: '/jobs' });
    await api.waitForMessage((e) => e.text.includes('Running and waiting'), 20_000);
    expect(api.calls().filter((c) => c.outcome === 409)).toEqual([]);
    expect(first.child.exitCode).toBeNull();
  });

  it('should leave Telegram to stop one of two pollers that share no lock (two homes): the older gets 409 and exits, the newer answers', async () => {
    api = await startFakeBotApi();
    const env = { TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_ALLOWED_USERS: String(OWNER.id), TELEGRAM_API_ROOT: api.apiRoot };
    const older = cbTelegram(['run'], env);
    await until('the first poller to start', () => older.stdout().includes('is running'), 30_000);
    const otherHome = mkdtempSync(join(tmpdir(), 'tg-other-home-'));
    try {
      const newer = cbTelegram(['run', '--server', telegramPaths(world.flotillaHome).cbSocket], { ...env, FLOTILLA_HOME: otherHome });
      const code = await older.exited;
      expect(code).not.toBe(0);
      expect(older.stderr()).toMatch(/409|terminated by other getUpdates request/);
      expect(older.stderr()).not.toContain(api.token.split(':')[1]!);
      await until('the second poller to run', () => newer.stdout().includes('is running'), 30_000);
      const mark = api.mark();
      api.pushMessage({ from: OWNER, text: '/jobs' });
      await api.waitForMessage((e) => e.seq > mark && e.text.includes('Running and waiting'), 20_000);
      expect(newer.child.exitCode).toBeNull();
    } finally {
      rmSync(otherHome, { recursive: true, force: true });
    }
  });

  it('should refuse to start with an empty allowlist, with EX_CONFIG so that a supervisor does not restart it', async () => {
    api = await startFakeBotApi();
    const refused = cbTelegram(['run'], { TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot });
    expect(await refused.exited).toBe(78);
    expect(refused.stderr()).toMatch(/no allowed users/);
    expect(api.calls()).toEqual([]);
  });

  it('should take webhook updates carrying the secret token (a repeated one once), and refuse any without it before reading them', async () => {
    api = await startFakeBotApi();
    const port = await freePort();
    const secret = 'webhook-secret_0123456789';
    const url = `http://127.0.0.1:${port}/telegram`;
    writeFileSync(telegramPaths(world.flotillaHome).config, JSON.stringify({ token: api.token, allowedUsers: [OWNER.id], apiRoot: api.apiRoot, mode: 'webhook', webhook: { url, secret, port } }), { mode: 0o600 });
    const bot = cbTelegram(['run', '--webhook']);
    await until('the webhook to be registered', () => api.webhook(), 30_000);
    expect(api.webhook()).toEqual({ url, secretToken: secret });
    api.pushMessage({ from: OWNER, text: '/jobs' });
    await api.waitForMessage((e) => e.text.includes('Running and waiting'), 20_000);
    await until('the delivery to be answered', () => api.webhookDeliveries().length > 0, 10_000);
    expect(api.webhookDeliveries().map((d) => d.status)).toEqual([200]);

    // Telegram posts an update again when the webhook's answer was lost: the bot handles it once.
    const replayed = api.mark();
    const update = JSON.stringify(commandUpdate('/jobs', 990_000));
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: update });
      expect(response.status).toBe(200);
    }
    await api.waitForMessage((e) => e.seq > replayed && e.text.includes('Running and waiting'), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(api.sent().filter((e) => e.seq > replayed)).toHaveLength(1);

    const jobsBefore = (await world.client.listJobs({ limit: 100 })).items.length;
    const sentBefore = api.mark();
    const forged = (headers: Record<string, string>, updateId: number) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(commandUpdate('/run echo forged > forged.txt', updateId)) });
    expect((await forged({ 'x-telegram-bot-api-secret-token': 'wrong-secret' }, 990_001)).status).toBe(401);
    expect((await forged({}, 990_002)).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(api.sent().filter((e) => e.seq > sentBefore)).toEqual([]);
    expect((await world.client.listJobs({ limit: 100 })).items.length).toBe(jobsBefore);
    expect(bot.child.exitCode).toBeNull();
  });
});


