// Tests only: a real `cb` daemon under its own FLOTILLA_HOME with shell-script agents (jobs that
// finish in milliseconds), and a recorder standing in for the Bot API on a real grammY bot.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bot } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { createSocketTransport } from '@flotilla/kit/transport';
import { createClient, type FlotillaClient, type Transport } from '@flotilla/protocol';
import { shortHash, telegramPaths } from '../config/paths.js';

export const DAEMON_MAIN = fileURLToPath(new URL('../../../cb/dist/daemon/main.js', import.meta.url));

/** `sh`: the prompt is a shell script, its output the result. `sj`: the same, printing Claude stream-json lines. */
const AGENTS = {
  sh: { argv: ['sh', '-c', '{prompt}'], outputFormat: 'text' },
  sj: { argv: ['sh', '-c', '{prompt}'], outputFormat: 'stream-json' },
};

export interface RealDaemon extends AsyncDisposable {
  dir: string;
  home: string;
  transport: Transport;
  client: FlotillaClient;
  /** A fresh directory for one bot's own state. */
  botHome(): string;
  log(): string;
}

export async function startRealDaemon(): Promise<RealDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'tg-d-'));
  const home = join(dir, 'fl');
  mkdirSync(home);
  writeFileSync(join(home, 'config.json'), JSON.stringify({ agents: AGENTS, defaultAgent: 'sh', notifySend: false, slots: 4 }));
  const env = { ...process.env, FLOTILLA_HOME: home, FLOTILLA_HOST_NAME: 'tg-host', FLOTILLA_DISCOVERY: 'off' };
  const logPath = join(home, 'daemon.log');
  const log = openSync(logPath, 'a');
  const child: ChildProcess = spawn(process.execPath, [DAEMON_MAIN], { env, stdio: ['ignore', log, log], detached: true, cwd: dir });
  closeSync(log);
  const transport = createSocketTransport(telegramPaths(home).cbSocket);
  const client = createClient(transport);
  const deadline = Date.now() + 20_000;
  while (!(await client.health().then(() => true, () => false))) {
    if (Date.now() > deadline) throw new Error(`the daemon did not start:\n${readFileSync(logPath, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  let bots = 0;
  const close = async (): Promise<void> => {
    if (child.pid && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    }
    spawnSync('tmux', ['-L', `flotilla-${shortHash(home)}`, 'kill-server']);
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    dir,
    home,
    transport,
    client,
    botHome: () => {
      const path = join(dir, `bot-${(bots += 1)}`);
      mkdirSync(path);
      return path;
    },
    log: () => readFileSync(logPath, 'utf8'),
    [Symbol.asyncDispose]: close,
  };
}

export const BOT_INFO: UserFromGetMe = {
  id: 4242,
  is_bot: true,
  first_name: 'Flotilla',
  username: 'flotilla_test_bot',
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
  /** The message id the recorder answered with, for sends and edits. */
  messageId: number | null;
}

/**
 * Answers every Bot API call the way Telegram would (a sent message gets the next message id) and
 * records it. Installed last, so it sees calls after the bot's own transformers and ends them.
 */
export function recordApi(bot: Bot): ApiCall[] {
  const calls: ApiCall[] = [];
  let nextMessageId = 1000;
  bot.api.config.use(async (_prev, method, payload) => {
    const body = (payload ?? {}) as Record<string, unknown>;
    const sends = ['sendMessage', 'sendDocument', 'editMessageText', 'editMessageReplyMarkup'].includes(method);
    const messageId = sends ? (method.startsWith('edit') ? Number(body.message_id ?? 0) : (nextMessageId += 1)) : null;
    calls.push({ method, payload: body, messageId });
    const chat = { id: Number(body.chat_id ?? 0), type: 'private', first_name: 'Ada' };
    const result =
      method === 'getMe' ? BOT_INFO : sends ? { message_id: messageId, date: Math.floor(Date.now() / 1000), chat, text: String(body.text ?? '') } : true;
    return { ok: true, result } as never;
  });
  return calls;
}

let updateId = 5000;
/** A unique update id for each made-up update. */
export const nextUpdateId = (): number => (updateId += 1);

export const USER = { id: 111, is_bot: false, first_name: 'Ada' };
export const STRANGER = { id: 666, is_bot: false, first_name: 'Eve' };

/** A private text message as Telegram sends it (commands carry their bot_command entity). */
export function textUpdate(text: string, options: { from?: typeof USER; replyTo?: number; updateId?: number } = {}): Update {
  const from = options.from ?? USER;
  const command = /^\/\w+/.exec(text);
  return {
    update_id: options.updateId ?? nextUpdateId(),
    message: {
      message_id: nextUpdateId(),
      date: Math.floor(Date.now() / 1000),
      chat: { id: from.id, type: 'private', first_name: from.first_name },
      from,
      text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
      ...(options.replyTo ? { reply_to_message: { message_id: options.replyTo, date: 0, chat: { id: from.id, type: 'private', first_name: from.first_name }, text: '' } } : {}),
    },
  } as Update;
}

/** A button press on message `messageId`. */
export function callbackUpdate(data: string, messageId: number, options: { from?: typeof USER; text?: string } = {}): Update {
  const from = options.from ?? USER;
  return {
    update_id: nextUpdateId(),
    callback_query: {
      id: String(nextUpdateId()),
      from,
      chat_instance: '1',
      data,
      message: { message_id: messageId, date: 0, chat: { id: from.id, type: 'private', first_name: from.first_name }, text: options.text ?? '' },
    },
  } as Update;
}

/** Waits until `check` returns a value (not undefined), polling every 25 ms. */
export async function until<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000, what = 'the condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
