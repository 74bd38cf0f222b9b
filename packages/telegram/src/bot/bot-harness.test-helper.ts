// Tests only: real grammY bots on one real cb daemon per test file, each with its own state
// directory and the Bot API answered by the recorder; stopped after each test.
import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Job } from '@flotilla/protocol';
import { telegramPaths } from '../config/paths.js';
import { createTelegramBot, type TelegramBot } from './create-bot.js';
import { BOT_INFO, USER, recordApi, startRealDaemon, type ApiCall, type RealDaemon } from './real-daemon.test-helper.js';

export const TOKEN = '4242:AAH-very-secret-token_value';

export interface BotHarness {
  telegram: TelegramBot;
  calls: ApiCall[];
  logs: string[];
  home: string;
  sent(): ApiCall[];
  /** Texts of sendMessage calls (and captions of documents). */
  texts(): string[];
  /** Stops the bot now (instead of after the test). */
  stop(): Promise<void>;
}

export interface DaemonBots {
  daemon(): RealDaemon;
  /** A real bot on the real daemon; with `follow`, it also follows the daemon's events from now on. */
  makeBot(options?: { follow?: boolean; botHome?: string }): Promise<BotHarness>;
  jobsWithPrompt(prompt: string): Promise<Job[]>;
}

/** Registers the hooks of a test file: one daemon for the file, bots stopped after each test. */
export function useDaemonBots(): DaemonBots {
  let daemon: RealDaemon | undefined;
  const running = new Set<TelegramBot>();
  beforeAll(async () => {
    daemon = await startRealDaemon();
  });
  afterEach(async () => {
    for (const telegram of running) await telegram.stop();
    running.clear();
  });
  afterAll(async () => {
    await daemon?.[Symbol.asyncDispose]();
  });
  const current = (): RealDaemon => {
    if (!daemon) throw new Error('the daemon has not started');
    return daemon;
  };
  return {
    daemon: current,
    async makeBot(options = {}) {
      const home = options.botHome ?? current().botHome();
      if (options.follow) writeFileSync(telegramPaths(home).state, JSON.stringify({ lastEventId: await latestEventId(current()) }));
      const logs: string[] = [];
      const telegram = createTelegramBot({ token: TOKEN, allowedUsers: [USER.id], client: current().client, transport: current().transport, home, botInfo: BOT_INFO, log: (line) => logs.push(line) });
      const calls = recordApi(telegram.bot);
      running.add(telegram);
      if (options.follow) await telegram.start({ polling: false });
      const sent = (): ApiCall[] => calls.filter((c) => c.method === 'sendMessage' || c.method === 'sendDocument');
      const stop = async (): Promise<void> => {
        running.delete(telegram);
        await telegram.stop();
      };
      return { telegram, calls, logs, home, sent, stop, texts: () => sent().map((c) => String(c.payload.text ?? c.payload.caption ?? '')) };
    },
    jobsWithPrompt: async (prompt) => (await current().client.listJobs({ limit: 500 })).items.filter((job) => job.prompt === prompt),
  };
}

/** The newest event id of the daemon's outbox, so a following bot hears only what happens next. */
async function latestEventId(daemon: RealDaemon): Promise<number> {
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

/** The inline buttons of a sent message. */
export function buttons(call: ApiCall): { text: string; callback_data: string }[] {
  const markup = call.payload.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

/** Claude-compatible stream-json lines from a shell script (the `sj` agent): a session id and a result. */
export function streamJsonScript(result: string): string {
  const init = JSON.stringify({ type: 'system', subtype: 'init', session_id: 'sess-1', model: 'fake' });
  const done = JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result, session_id: 'sess-1', total_cost_usd: 0.01 });
  return `echo '${init}'; echo '${done}'`;
}
