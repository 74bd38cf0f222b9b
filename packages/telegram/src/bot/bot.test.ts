import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '@flotilla/protocol';
import { telegramPaths } from '../config/paths.js';
import { parseCallback } from './callback-data.js';
import { createTelegramBot, type TelegramBot } from './create-bot.js';
import { BOT_INFO, STRANGER, USER, callbackUpdate, nextUpdateId, recordApi, startRealDaemon, textUpdate, until, type ApiCall, type RealDaemon } from './real-daemon.test-helper.js';

const TOKEN = '4242:AAH-very-secret-token_value';
let daemon: RealDaemon;
const running: TelegramBot[] = [];

beforeAll(async () => {
  daemon = await startRealDaemon();
});
afterEach(async () => {
  for (const telegram of running.splice(0)) await telegram.stop();
});
afterAll(async () => {
  await daemon?.[Symbol.asyncDispose]();
});

interface Harness {
  telegram: TelegramBot;
  calls: ApiCall[];
  logs: string[];
  home: string;
  sent(): ApiCall[];
  /** Texts of sendMessage calls (and captions of documents). */
  texts(): string[];
}

/** A real bot on the real daemon; with `follow`, it also follows the daemon's events from the start of its outbox. */
async function makeBot(options: { follow?: boolean; botHome?: string } = {}): Promise<Harness> {
  const home = options.botHome ?? daemon.botHome();
  if (options.follow) writeFileSync(telegramPaths(home).state, JSON.stringify({ lastEventId: await latestEventId() }));
  const logs: string[] = [];
  const telegram = createTelegramBot({ token: TOKEN, allowedUsers: [USER.id], client: daemon.client, transport: daemon.transport, home, botInfo: BOT_INFO, log: (line) => logs.push(line) });
  const calls = recordApi(telegram.bot);
  running.push(telegram);
  if (options.follow) await telegram.start({ polling: false });
  const sent = (): ApiCall[] => calls.filter((c) => c.method === 'sendMessage' || c.method === 'sendDocument');
  return { telegram, calls, logs, home, sent, texts: () => sent().map((c) => String(c.payload.text ?? c.payload.caption ?? '')) };
}

/** The newest event id of the daemon's outbox, so a following bot hears only what happens next. */
async function latestEventId(): Promise<number> {
  const controller = new AbortController();
  let latest = 0;
  const timer = setTimeout(() => controller.abort(), 300);
  try {
    for await (const event of daemon.client.events({ lastEventId: 0, signal: controller.signal })) latest = event.id;
  } catch {
    // aborted: everything up to now was read
  } finally {
    clearTimeout(timer);
  }
  return latest;
}

function buttons(call: ApiCall): { text: string; callback_data: string }[] {
  const markup = call.payload.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

async function jobsWithPrompt(prompt: string): Promise<Job[]> {
  return (await daemon.client.listJobs({ limit: 500 })).items.filter((job) => job.prompt === prompt);
}

describe('the bot against a real cb daemon', () => {
  it('should create a job from /run and announce its end with Retry and Show more that work', async () => {
    const h = await makeBot({ follow: true });
    const prompt = `echo first-run-${Date.now()}`;
    await h.telegram.bot.handleUpdate(textUpdate(`/run ${prompt}`));
    const [job] = await jobsWithPrompt(prompt);
    expect(job).toMatchObject({ agent: 'sh', tags: ['telegram'] });
    expect(h.texts()[0]).toContain(`Job <code>${job!.id}</code>`);
    const finished = await until(() => h.sent().find((c) => String(c.payload.text).includes('Job finished') && String(c.payload.text).includes(job!.id)), 30_000, 'the finish notification');
    expect(finished.payload).toMatchObject({ chat_id: USER.id, parse_mode: 'HTML' });
    expect(String(finished.payload.text)).toContain(`first-run-`);
    const labels = buttons(finished).map((b) => b.text);
    expect(labels).toEqual(['Retry', 'Show more']);

    const more = buttons(finished).find((b) => b.text === 'Show more')!;
    await h.telegram.bot.handleUpdate(callbackUpdate(more.callback_data, finished.messageId!));
    expect(h.calls.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({ text: 'Sent' });
    expect(h.texts().at(-1)).toMatch(/<b>Job<\/b> <code>\w+<\/code> · succeeded\nfirst-run-\d+/);

    const retry = buttons(finished).find((b) => b.text === 'Retry')!;
    expect(parseCallback(retry.callback_data)).toEqual({ action: 'retry', jobId: job!.id });
    await h.telegram.bot.handleUpdate(callbackUpdate(retry.callback_data, finished.messageId!));
    const retried = await until(async () => {
      const current = await daemon.client.getJob(job!.id);
      return current.attempts.length === 2 ? current : undefined;
    }, 30_000, 'the second attempt');
    expect(retried.attempts[1]?.reason).toBe('retry');
    await until(() => (h.sent().filter((c) => String(c.payload.text).includes('Job finished') && String(c.payload.text).includes(job!.id)).length === 2 ? true : undefined), 30_000, 'the second finish notification');
  });
});
