import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramPaths } from '../config/paths.js';
import { writeTelegramConfig } from '../config/config.js';
import { acquirePollerLock } from '../config/lock.js';
import { BOT_INFO, USER, startRealDaemon, textUpdate, until, type RealDaemon } from '../bot/real-daemon.test-helper.js';
import type { CliContext } from './context.js';
import { main } from './main.js';

const TOKEN = '4242:AAH-run-secret_token';
let daemon: RealDaemon;
let api: Server;
beforeAll(async () => {
  daemon = await startRealDaemon();
});
afterAll(async () => {
  await new Promise((resolve) => api?.close(resolve));
  await daemon?.[Symbol.asyncDispose]();
});

interface Sent {
  method: string;
  body: Record<string, unknown>;
}

/** A Bot API that hands out queued updates through getUpdates (short polls) and records the rest. */
async function startBotApi(queue: unknown[]): Promise<{ url: string; sent: Sent[] }> {
  const sent: Sent[] = [];
  let messageId = 10;
  api = createServer((req, res) => {
    const method = req.url?.split('/').at(-1) ?? '';
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const answer = (result: unknown): void => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result }));
      if (method === 'getMe') return answer(BOT_INFO);
      if (method === 'getUpdates') {
        const offset = Number(body.offset ?? 0);
        const ready = queue.filter((u) => (u as { update_id: number }).update_id >= offset);
        if (ready.length > 0) return answer(ready);
        return void setTimeout(() => answer([]), 100);
      }
      sent.push({ method, body });
      if (method === 'sendMessage') return answer({ message_id: (messageId += 1), date: 0, chat: { id: body.chat_id, type: 'private' }, text: body.text });
      return answer(true);
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(api.address() as AddressInfo).port}`, sent };
}

describe('cb-telegram run (polling)', () => {
  it('should find the daemon in FLOTILLA_HOME, run /run from the phone and report the finished job, then stop on a signal', async () => {
    const prompt = `echo polled-${Date.now()}`;
    const bot = await startBotApi([textUpdate(`/run ${prompt}`, { updateId: 900 })]);
    await writeTelegramConfig(daemon.home, { token: TOKEN, allowedUsers: [USER.id], apiRoot: bot.url });
    // Follow the daemon's events from the start of its (fresh) outbox.
    writeFileSync(telegramPaths(daemon.home).state, JSON.stringify({ lastEventId: 0 }));
    let stop: (signal: string) => void = () => undefined;
    let out = '';
    let err = '';
    const ctx: CliContext = {
      env: {},
      home: daemon.home,
      streams: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, stdin: Object.assign((async function* () {})(), { isTTY: false }) },
      stopSignal: () => new Promise((resolve) => (stop = resolve)),
    };
    const exit = main([], ctx);
    const finished = await until(() => bot.sent.find((s) => s.method === 'sendMessage' && String(s.body.text).includes('Job finished')), 30_000, 'the finish notification');
    expect(String(finished.body.text)).toContain(prompt.slice(5));
    const [job] = (await daemon.client.listJobs({ limit: 50 })).items.filter((j) => j.prompt === prompt);
    expect(job?.status).toBe('succeeded');
    stop('SIGTERM');
    expect(await exit).toBe(0);
    expect(out).toContain('@flotilla_test_bot is running for 1 allowed user(s)');
    expect(err).toContain('driving the daemon tg-host');
    expect(out + err).not.toContain('AAH-run-secret_token');
    // The lock is released: the token can be polled again.
    await (await acquirePollerLock(daemon.home, TOKEN)).release();
  });
});
