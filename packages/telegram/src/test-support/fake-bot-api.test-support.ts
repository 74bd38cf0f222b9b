// Tests only: a fake Telegram Bot API server on 127.0.0.1 speaking the real wire format —
// `/bot<token>/<method>` with query, form, JSON or multipart parameters, `{ok,result}` or
// `{ok:false,error_code,description}` answers, long polling, webhooks and file downloads — plus
// a test-side API to play the user (push messages, button presses, voice notes) and read what
// the bot sent. Point a real grammY bot at it with `client: { apiRoot: fake.apiRoot }`.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createBotApiHandler, performWebhookReply, type ApiCall, type Flood } from './bot-api-http.test-support.js';
import { detectEntities } from './bot-api-markup.test-support.js';
import { FakeBotState, type CallbackAnswer, type SentEntry, type StoredFile } from './bot-api-methods.test-support.js';
import { UpdateQueue, type WebhookDelivery } from './bot-api-updates.test-support.js';
import type { Chat, Message, User } from './bot-api-wire.test-support.js';

export type { ApiCall, SentEntry, CallbackAnswer, StoredFile, Message, User, Chat, WebhookDelivery };

/** A user as a test names one: an id, or the fields of a Telegram `User`. */
export type UserInput = number | { id: number; first_name?: string; last_name?: string; username?: string; language_code?: string };

export interface FakeBotApiOptions {
  /** Defaults to a random token of Telegram's shape (`<bot id>:<35 characters>`). */
  token?: string;
  botUsername?: string;
  /** The first update_id handed out (Telegram's are large, arbitrary numbers). */
  firstUpdateId?: number;
}

export interface FakeBotApi extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`, for grammY's `client.apiRoot` (no trailing slash). */
  apiRoot: string;
  token: string;
  botInfo: User & { can_join_groups: boolean; can_read_all_group_messages: boolean; supports_inline_queries: boolean; can_connect_to_business: boolean; has_main_web_app: boolean };
  user(input: UserInput): User;
  /** A user's text message (bot commands, mentions and hashtags get their entities, as Telegram's apps send them). */
  pushMessage(input: { from: UserInput; text: string; reply_to_message_id?: number; chat?: Chat }): Message;
  /** A press on an inline button of the bot's message `message_id` in the user's private chat; returns the callback query id. */
  pushCallback(input: { from: UserInput; message_id: number; data: string }): string;
  /** A voice note (or, with `audio: true`, an audio file) whose bytes the bot can fetch through getFile. */
  pushVoice(input: { from: UserInput; bytes: Buffer; duration?: number; mime_type?: string; audio?: boolean; reply_to_message_id?: number }): Message;
  /** Any update body; with `update_id` it is re-delivered under that id (Telegram sometimes repeats one). */
  pushUpdate(body: Record<string, unknown>, updateId?: number): number | null;
  sent(): readonly SentEntry[];
  /** The highest `seq` so far: pass it to `waitForMessage` predicates as "after this point". */
  mark(): number;
  waitForMessage(predicate: (entry: SentEntry) => boolean, timeoutMs?: number): Promise<SentEntry>;
  /** The message as it is now (after edits). */
  message(chatId: number, messageId: number): Message | undefined;
  answers(): readonly CallbackAnswer[];
  waitForAnswer(callbackQueryId: string, timeoutMs?: number): Promise<CallbackAnswer>;
  calls(): readonly ApiCall[];
  chatActions(): readonly { chatId: number; action: string }[];
  commands(): readonly { command: string; description: string }[];
  webhook(): { url: string; secretToken: string | undefined } | null;
  webhookDeliveries(): readonly WebhookDelivery[];
  /** Updates not yet confirmed by the bot (an offset past them, or a webhook's 2xx). */
  pendingUpdates(): number;
  /** Resolves once every pushed update has been confirmed. */
  waitForConfirmed(timeoutMs?: number): Promise<void>;
  /** The next `times` calls (of `method`, or any) answer 429 with `parameters.retry_after`. */
  simulateFlood(options: { retryAfter: number; method?: string; times?: number }): void;
  close(): Promise<void>;
}

async function waitUntil<T>(probe: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function startFakeBotApi(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  const botId = options.token ? Number(options.token.split(':')[0]) : 7_000_000_000 + Math.floor(Math.random() * 1e8);
  const token = options.token ?? `${botId}:AA${randomBytes(24).toString('base64url').slice(0, 33)}`;
  const botInfo = {
    id: botId, is_bot: true, first_name: 'Flotilla Test', username: options.botUsername ?? 'flotilla_test_bot',
    can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false,
  };
  const botUser: User = { id: botInfo.id, is_bot: true, first_name: botInfo.first_name, username: botInfo.username };
  const calls: ApiCall[] = [];
  const floods: Flood[] = [];
  const updates = new UpdateQueue(options.firstUpdateId ?? 800_000_000 + Math.floor(Math.random() * 1e6), (reply) => void performWebhookReply(apiRoot, token, reply));
  const state = new FakeBotState(botUser, updates);

  const user = (input: UserInput): User => {
    const fields = typeof input === 'number' ? { id: input } : input;
    return { is_bot: false, first_name: `User ${fields.id}`, language_code: 'en', ...fields };
  };

  const handle = createBotApiHandler({ token, botInfo, state, calls, floods });
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeBotApi = {
    apiRoot,
    token,
    botInfo,
    user,
    pushMessage({ from, text, reply_to_message_id, chat }) {
      const sender = user(from);
      const chatState = state.chatOf(sender, chat);
      const replyTo = reply_to_message_id === undefined ? undefined : chatState.messages.get(reply_to_message_id);
      if (reply_to_message_id !== undefined && !replyTo) throw new Error(`no message ${reply_to_message_id} in chat ${chatState.chat.id} to reply to`);
      const entities = detectEntities(text);
      const message = state.addMessage(chatState, { from: sender, text, ...(entities.length ? { entities } : {}), ...(replyTo ? { reply_to_message: stripReply(replyTo) } : {}) });
      updates.push({ message });
      return message;
    },
    pushCallback({ from, message_id, data }) {
      const sender = user(from);
      const message = state.chatOf(sender).messages.get(message_id);
      if (!message) throw new Error(`no message ${message_id} in the private chat of ${sender.id}`);
      const id = String(BigInt(sender.id) * 1_000_000n + BigInt(state.callbacks.size + 1));
      state.callbacks.set(id, { answered: false });
      updates.push({ callback_query: { id, from: sender, message: structuredClone(message), chat_instance: String(-message.chat.id), data } });
      return id;
    },
    pushVoice({ from, bytes, duration = 3, mime_type, audio = false, reply_to_message_id }) {
      const sender = user(from);
      const chatState = state.chatOf(sender);
      const mimeType = mime_type ?? (audio ? 'audio/mpeg' : 'audio/ogg');
      const stored = state.storeFile(bytes, audio ? 'music' : 'voice', audio ? 'mp3' : 'oga', { mimeType, ...(audio ? { fileName: 'recording.mp3' } : {}) });
      const info = { file_id: stored.fileId, file_unique_id: stored.uniqueId, file_size: bytes.length, duration, mime_type: mimeType };
      const replyTo = reply_to_message_id === undefined ? undefined : chatState.messages.get(reply_to_message_id);
      const message = state.addMessage(chatState, { from: sender, ...(audio ? { audio: { ...info, file_name: 'recording.mp3' } } : { voice: info }), ...(replyTo ? { reply_to_message: stripReply(replyTo) } : {}) });
      updates.push({ message });
      return message;
    },
    pushUpdate: (body, updateId) => updates.push(body, updateId)?.update_id ?? null,
    sent: () => state.sent,
    mark: () => state.sent.at(-1)?.seq ?? 0,
    waitForMessage: (predicate, timeoutMs = 10_000) =>
      waitUntil(() => state.sent.find(predicate), timeoutMs, () => `a matching message; sent so far:\n${state.sent.map((e) => `  #${e.seq} ${e.method} ${e.chatId}/${e.messageId}: ${e.text.slice(0, 120)} [${e.buttons.map((b) => b.text).join('|')}]`).join('\n')}`),
    message: (chatId, messageId) => state.chats.get(chatId)?.messages.get(messageId),
    answers: () => state.answers,
    waitForAnswer: (id, timeoutMs = 10_000) => waitUntil(() => state.answers.find((a) => a.callbackQueryId === id), timeoutMs, () => `an answer to callback query ${id}`),
    calls: () => calls,
    chatActions: () => state.chatActions,
    commands: () => state.commands,
    webhook: () => updates.webhookSettings,
    webhookDeliveries: () => updates.deliveries,
    pendingUpdates: () => updates.pendingCount,
    waitForConfirmed: (timeoutMs = 10_000) => waitUntil(() => (updates.pendingCount === 0 ? true : undefined), timeoutMs, () => `${updates.pendingCount} unconfirmed updates`).then(() => undefined),
    simulateFlood: ({ retryAfter, method, times = 1 }) => void floods.push({ method, retryAfter, left: times }),
    async close() {
      updates.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    [Symbol.asyncDispose]: () => fake.close(),
  };
  return fake;
}

function stripReply(message: Message): Message {
  const { reply_to_message: _nested, ...flat } = message;
  return structuredClone(flat);
}
