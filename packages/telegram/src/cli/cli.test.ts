import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TelegramBotFactsSchema, createClient } from '@flotilla/protocol';
import { createSocketTransport } from '@flotilla/kit/transport';
import { createTelegramBot } from '../bot/create-bot.js';
import { BOT_INFO, USER, recordApi, textUpdate } from '../bot/real-daemon.test-helper.js';
import { acquirePollerLock } from '../config/lock.js';
import type { CliContext } from './context.js';
import { main } from './main.js';
import { serveWebhook } from './commands/run.js';

const TOKEN = '4242:AAH-cli-secret_token';
let home: string;
let api: Server | null = null;
afterEach(async () => {
  if (api) await new Promise((resolve) => api!.close(resolve));
  api = null;
  rmSync(home, { recursive: true, force: true });
});

/** A Bot API on 127.0.0.1 for setup: getMe, one `/start` from USER through getUpdates, sendMessage. */
async function startBotApi(): Promise<{ url: string; calls: string[] }> {
  const calls: string[] = [];
  let delivered = false;
  api = createServer((req, res) => {
    const method = req.url?.split('/').at(-1) ?? '';
    calls.push(`${req.url?.includes(TOKEN) ? 'token-ok' : 'token-bad'} ${method}`);
    req.resume();
    req.on('end', () => {
      let result: unknown = true;
      if (method === 'getMe') result = BOT_INFO;
      if (method === 'getUpdates') {
        result = delivered ? [] : [{ update_id: 77, message: { message_id: 1, date: 0, chat: { id: USER.id, type: 'private', first_name: 'Ada' }, from: USER, text: '/start' } }];
        delivered = true;
      }
      if (method === 'sendMessage') result = { message_id: 2, date: 0, chat: { id: USER.id, type: 'private' }, text: 'ok' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result }));
    });
  });
  await new Promise<void>((resolve) => api!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(api.address() as AddressInfo).port}`, calls };
}

function context(env: Record<string, string> = {}, stdin: string[] = [], isTTY = false): CliContext & { out: () => string; err: () => string } {
  home ??= mkdtempSync(join(tmpdir(), 'tg-cli-'));
  let out = '';
  let err = '';
  const input = (async function* () {
    for (const line of stdin) yield line;
  })();
  return {
    env,
    home,
    streams: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, stdin: Object.assign(input, { isTTY }) },
    stopSignal: () => new Promise(() => undefined),
    out: () => out,
    err: () => err,
  };
}

describe('cb-telegram setup', () => {
  it('should record the user who sent /start after the confirmation and write a 0600 config', async () => {
    home = mkdtempSync(join(tmpdir(), 'tg-cli-'));
    const bot = await startBotApi();
    const root = home;
    home = join(root, 'not-yet', 'flotilla');
    const ctx = context({}, [`${TOKEN}\n`, 'y\n'], true);
    expect(await main(['setup', '--api-root', bot.url], ctx)).toBe(0);
    expect(ctx.out()).toContain('/start came from Ada, user id 111.');
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const file = join(home, 'telegram.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ token: TOKEN, allowedUsers: [111], apiRoot: bot.url, mode: 'polling' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(bot.calls).toEqual(['token-ok getMe', 'token-ok getUpdates', 'token-ok getUpdates', 'token-ok sendMessage']);
    expect(ctx.out()).not.toContain('AAH-cli-secret_token');
    home = root;
  });

  it('should refuse to confirm without a terminal unless --yes, writing nothing', async () => {
    home = mkdtempSync(join(tmpdir(), 'tg-cli-'));
    const bot = await startBotApi();
    const ctx = context({ TELEGRAM_BOT_TOKEN: TOKEN });
    expect(await main(['setup', '--api-root', bot.url], ctx)).toBe(2);
    expect(ctx.err()).toContain('stdin is not a terminal');
    expect(() => statSync(join(home, 'telegram.json'))).toThrow();
  });

  it('should leave a corrupt config as it is and say how to fix it', async () => {
    home = mkdtempSync(join(tmpdir(), 'tg-cli-'));
    writeFileSync(join(home, 'telegram.json'), 'not json');
    const ctx = context({ TELEGRAM_BOT_TOKEN: TOKEN });
    expect(await main(['setup', '--yes'], ctx)).toBe(2);
    expect(ctx.err()).toContain('is not valid JSON');
    expect(readFileSync(join(home, 'telegram.json'), 'utf8')).toBe('not json');
  });
});

describe('cb-telegram status and run', () => {
  it('should print the facts as JSON without the token', async () => {
    home = mkdtempSync(join(tmpdir(), 'tg-cli-'));
    const bot = await startBotApi();
    writeFileSync(join(home, 'telegram.json'), JSON.stringify({ token: TOKEN, allowedUsers: [111, 222], apiRoot: bot.url, transcription: { url: 'http://127.0.0.1:1/t', apiKey: 'sk-hidden' } }));
    const ctx = context();
    expect(await main(['status', '--json'], ctx)).toBe(0);
    const report = JSON.parse(ctx.out()) as Record<string, unknown>;
    expect(report).toMatchObject({ configured: true, problem: null, bot: { id: 4242, username: 'flotilla_test_bot' }, allowedUsers: [111, 222], mode: 'polling', transcription: { configured: true }, poller: null });
    expect(TelegramBotFactsSchema.parse(report)).toEqual({ configured: true, username: 'flotilla_test_bot', allowedUsers: [111, 222], mode: 'polling', problem: null });
    expect(ctx.out()).not.toMatch(/AAH-cli-secret_token|sk-hidden/);
    rmSync(join(home, 'telegram.json'));
    const bare = context();
    expect(await main(['status', '--json'], bare)).toBe(0);
    expect(TelegramBotFactsSchema.parse(JSON.parse(bare.out()))).toMatchObject({ configured: false, username: null, mode: 'polling', problem: expect.stringContaining('no bot token') });
  });

  it('should refuse to run with an empty allowlist, with the exit code a supervisor does not restart', async () => {
    home = mkdtempSync(join(tmpdir(), 'tg-cli-'));
    const ctx = context({ TELEGRAM_BOT_TOKEN: TOKEN });
    expect(await main([], ctx)).toBe(78);
    expect(ctx.err()).toContain('no allowed users, so the bot would answer nobody');
    const unconfigured = context();
    expect(await main(['run', '--server', join(home, 'cb.sock')], unconfigured)).toBe(78);
    expect(unconfigured.err()).toContain('no bot token: run `cb-telegram setup`');
  });

  it('should say in words that nothing answers on the --server socket', async () => {
    home = mkdtempSync(join(tmpdir(), 'tg-cli-'));
    const ctx = context({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_ALLOWED_USERS: '111' });
    expect(await main(['run', '--server', join(home, 'nobody.sock')], ctx)).toBe(1);
    expect(ctx.err()).toBe(`cb-telegram: no cb daemon or mesh hub answers on ${join(home, 'nobody.sock')}\n  fix: start it (\`cb daemon start\` or \`mesh serve\`), or pass the socket it listens on\n`);
  });

  it('should exit with a clear message when another poller holds the token', async () => {
    home = mkdtempSync(join(tmpdir(), 'tg-cli-'));
    const lock = await acquirePollerLock(home, TOKEN);
    const ctx = context({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_ALLOWED_USERS: '111' });
    expect(await main(['run'], ctx)).toBe(3);
    expect(ctx.err()).toContain(`another cb-telegram, pid ${process.pid}`);
    expect(ctx.err()).not.toContain('AAH-cli-secret_token');
    await lock.release();
  });
});

describe('the webhook receiver', () => {
  it('should refuse a request without the secret token and handle one with it', async () => {
    home = mkdtempSync(join(tmpdir(), 'tg-cli-'));
    const client = createClient(createSocketTransport(join(home, 'nobody.sock')));
    const telegram = createTelegramBot({ token: TOKEN, allowedUsers: [USER.id], client, home, botInfo: BOT_INFO, log: () => undefined });
    const calls = recordApi(telegram.bot);
    const port = await freePort();
    const server = await serveWebhook(telegram, { url: 'https://example.test/hook', secret: 'hook-secret_1', port });
    try {
      const update = JSON.stringify(textUpdate('/help'));
      expect(await post(port, update, 'wrong')).toBe(401);
      expect(calls.filter((c) => c.method === 'sendMessage')).toHaveLength(0);
      expect(await post(port, update, 'hook-secret_1')).toBe(200);
      expect(calls.find((c) => c.method === 'setWebhook')?.payload).toMatchObject({ url: 'https://example.test/hook', secret_token: 'hook-secret_1' });
      expect(String(calls.find((c) => c.method === 'sendMessage')?.payload.text)).toContain('Flotilla from your phone');
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await telegram.stop();
    }
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function post(port: number, body: string, secret: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}
