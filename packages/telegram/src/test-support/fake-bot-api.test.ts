import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, GrammyError, InlineKeyboard, InputFile } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeBotApi, type FakeBotApi } from './fake-bot-api.test-support.js';

const ALICE = 1001;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeApi(): Promise<FakeBotApi> {
  const fake = await startFakeBotApi();
  cleanups.push(() => fake.close());
  return fake;
}

function botOn(fake: FakeBotApi, token = fake.token): Bot {
  return new Bot(token, { client: { apiRoot: fake.apiRoot } });
}

/** Starts long polling and stops it after the test. */
async function polling(bot: Bot): Promise<void> {
  await bot.init();
  const started = new Promise<void>((resolve) => void bot.start({ onStart: () => resolve(), timeout: 1 }));
  cleanups.push(() => bot.stop());
  await started;
}

async function raw(fake: FakeBotApi, method: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${fake.apiRoot}/bot${fake.token}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('the fake Telegram Bot API, driven by a real grammY bot', () => {
  it('should answer getMe for its token and 401 Unauthorized for any other', async () => {
    const fake = await fakeApi();
    const bot = botOn(fake);
    await bot.init();
    expect(bot.botInfo).toMatchObject({ id: fake.botInfo.id, is_bot: true, username: 'flotilla_test_bot' });
    const wrong = botOn(fake, `${fake.botInfo.id}:wrong-token-wrong-token-wrong-token1`);
    const error = await wrong.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrammyError);
    expect(error).toMatchObject({ error_code: 401, description: 'Unauthorized' });
  });

  it('should long-poll a command to the bot, take its keyboard reply, a button press and the edit, and confirm every update', async () => {
    const fake = await fakeApi();
    const bot = botOn(fake);
    bot.command('start', (ctx) => ctx.reply('Hello *there*\\!', { parse_mode: 'MarkdownV2', reply_markup: new InlineKeyboard().text('Go', 'go:1').text('Stop', 'stop') }));
    bot.callbackQuery('go:1', async (ctx) => {
      await ctx.answerCallbackQuery({ text: 'going' });
      await ctx.editMessageText('Gone.');
    });
    await polling(bot);
    const command = fake.pushMessage({ from: { id: ALICE, username: 'alice' }, text: '/start' });
    expect(command.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
    const reply = await fake.waitForMessage((entry) => entry.method === 'sendMessage');
    expect(reply).toMatchObject({ chatId: ALICE, messageId: command.message_id + 1, text: 'Hello there!', parseMode: 'MarkdownV2' });
    expect(reply.message.entities).toEqual([{ type: 'bold', offset: 6, length: 5 }]);
    expect(reply.buttons.map((b) => b.callback_data)).toEqual(['go:1', 'stop']);
    const query = fake.pushCallback({ from: ALICE, message_id: reply.messageId, data: 'go:1' });
    expect(await fake.waitForAnswer(query)).toMatchObject({ text: 'going', showAlert: false });
    const edit = await fake.waitForMessage((entry) => entry.method === 'editMessageText');
    expect(edit).toMatchObject({ messageId: reply.messageId, text: 'Gone.', buttons: [] });
    expect(fake.message(ALICE, reply.messageId)?.edit_date).toBeTypeOf('number');
    await fake.waitForConfirmed();
  });

  it('should hand a reply the message it replies to, as Telegram does', async () => {
    const fake = await fakeApi();
    const bot = botOn(fake);
    const repliedTo: (number | undefined)[] = [];
    bot.on('message:text', async (ctx) => {
      repliedTo.push(ctx.message.reply_to_message?.message_id);
      if (!ctx.message.reply_to_message) await ctx.reply('Reply to me.');
    });
    await polling(bot);
    fake.pushMessage({ from: ALICE, text: 'hi' });
    const prompt = await fake.waitForMessage((entry) => entry.text === 'Reply to me.');
    fake.pushMessage({ from: ALICE, text: 'my answer', reply_to_message_id: prompt.messageId });
    await fake.waitForConfirmed();
    await expect.poll(() => repliedTo).toEqual([undefined, prompt.messageId]);
  });

  it('should refuse what Telegram refuses: unescaped MarkdownV2, a chat it never saw, 65-byte callback data, an unchanged edit', async () => {
    const fake = await fakeApi();
    const bot = botOn(fake);
    await bot.init();
    await expect(bot.api.sendMessage(ALICE, 'hi')).rejects.toMatchObject({ error_code: 400, description: 'Bad Request: chat not found' });
    fake.pushMessage({ from: ALICE, text: 'hello' });
    await expect(bot.api.sendMessage(ALICE, 'Done. 3 files', { parse_mode: 'MarkdownV2' })).rejects.toMatchObject({
      error_code: 400,
      description: "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    });
    await expect(bot.api.sendMessage(ALICE, '<b>open', { parse_mode: 'HTML' })).rejects.toMatchObject({ description: expect.stringContaining("can't parse entities") });
    await expect(bot.api.sendMessage(ALICE, 'x', { reply_markup: new InlineKeyboard().text('big', 'x'.repeat(65)) })).rejects.toMatchObject({ description: 'Bad Request: BUTTON_DATA_INVALID' });
    await expect(bot.api.sendMessage(ALICE, 'x'.repeat(4097))).rejects.toMatchObject({ description: 'Bad Request: message is too long' });
    const sent = await bot.api.sendMessage(ALICE, '<b>1 &amp; 2</b>', { parse_mode: 'HTML' });
    expect(sent).toMatchObject({ text: '1 & 2', entities: [{ type: 'bold', offset: 0, length: 5 }], from: { is_bot: true } });
    await expect(bot.api.editMessageText(ALICE, sent.message_id, '<b>1 &amp; 2</b>', { parse_mode: 'HTML' })).rejects.toMatchObject({ description: expect.stringContaining('message is not modified') });
  });

  it('should answer 409 to the older of two overlapping long polls, and to getUpdates while a webhook is set', async () => {
    const fake = await fakeApi();
    const first = raw(fake, 'getUpdates', { timeout: 5 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = raw(fake, 'getUpdates', { timeout: 0 });
    expect(await first).toEqual({ status: 409, json: { ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' } });
    expect((await second).json).toEqual({ ok: true, result: [] });
    expect((await raw(fake, 'setWebhook', { url: 'http://127.0.0.1:9/hook' })).json).toEqual({ ok: true, result: true });
    expect((await raw(fake, 'getUpdates', {})).status).toBe(409);
  });

  it('should confirm updates below the offset and deliver only the allowed update types', async () => {
    const fake = await fakeApi();
    fake.pushMessage({ from: ALICE, text: 'one' });
    fake.pushMessage({ from: ALICE, text: 'two' });
    const all = (await raw(fake, 'getUpdates', {})).json.result as { update_id: number; message: { text: string } }[];
    expect(all.map((u) => u.message.text)).toEqual(['one', 'two']);
    const rest = (await raw(fake, 'getUpdates', { offset: all[0]!.update_id + 1 })).json.result as { update_id: number }[];
    expect(rest.map((u) => u.update_id)).toEqual([all[1]!.update_id]);
    await raw(fake, 'getUpdates', { offset: all[1]!.update_id + 1, allowed_updates: ['callback_query'] });
    fake.pushMessage({ from: ALICE, text: 'filtered out' });
    expect(fake.pendingUpdates()).toBe(0);
  });

  it('should take a multipart document upload from grammY and serve it back through getFile and /file/bot<token>/', async () => {
    const fake = await fakeApi();
    const bot = botOn(fake);
    await bot.init();
    fake.pushMessage({ from: ALICE, text: 'send me the log' });
    const bytes = Buffer.from('line 1\nline 2\n'.repeat(1000));
    const message = await bot.api.sendDocument(ALICE, new InputFile(bytes, 'result.txt'), { caption: 'The whole result' });
    expect(message.document).toMatchObject({ file_name: 'result.txt', file_size: bytes.length });
    const entry = await fake.waitForMessage((e) => e.method === 'sendDocument');
    expect(entry.document?.bytes.equals(bytes)).toBe(true);
    expect(entry.text).toBe('The whole result');
    const file = await bot.api.getFile(message.document!.file_id);
    const download = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path}`);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await fetch(`${fake.apiRoot}/file/bot${fake.token}/documents/nothing.txt`)).status).toBe(404);
  });

  it('should serve a pushed voice note through getFile', async () => {
    const fake = await fakeApi();
    const bot = botOn(fake);
    const heard: Buffer[] = [];
    bot.on('message:voice', async (ctx) => {
      const file = await ctx.getFile();
      heard.push(Buffer.from(await (await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path}`)).arrayBuffer()));
    });
    await polling(bot);
    const voice = fake.pushVoice({ from: ALICE, bytes: Buffer.from('OggS fake opus') });
    expect(voice.voice).toMatchObject({ mime_type: 'audio/ogg', duration: 3, file_size: 14 });
    await expect.poll(() => heard.map(String)).toEqual(['OggS fake opus']);
  });

  it('should POST updates to a webhook with the secret-token header and perform a method answered in the reply', async () => {
    const fake = await fakeApi();
    const received: { secret: string | undefined; text: string }[] = [];
    const hook = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const update = JSON.parse(body) as { message: { text: string; chat: { id: number } } };
        received.push({ secret: request.headers['x-telegram-bot-api-secret-token'] as string | undefined, text: update.message.text });
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ method: 'sendMessage', chat_id: update.message.chat.id, text: `echo ${update.message.text}` }));
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => hook.close(() => resolve())));
    const bot = botOn(fake);
    await bot.api.setWebhook(`http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, { secret_token: 'the-secret_1' });
    await expect(bot.api.setWebhook('http://127.0.0.1:1/x', { secret_token: 'not allowed!' })).rejects.toMatchObject({ description: 'Bad Request: secret token contains unallowed characters' });
    fake.pushMessage({ from: ALICE, text: 'ping' });
    expect((await fake.waitForMessage((e) => e.text === 'echo ping')).chatId).toBe(ALICE);
    expect(received).toEqual([{ secret: 'the-secret_1', text: 'ping' }]);
    expect(fake.webhookDeliveries()).toMatchObject([{ status: 200, error: null }]);
  });

  it('should answer 429 with parameters.retry_after when asked to simulate a flood', async () => {
    const fake = await fakeApi();
    const bot = botOn(fake);
    await bot.init();
    fake.pushMessage({ from: ALICE, text: 'hi' });
    fake.simulateFlood({ method: 'sendMessage', retryAfter: 7 });
    await expect(bot.api.sendMessage(ALICE, 'first')).rejects.toMatchObject({ error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } });
    await expect(bot.api.sendMessage(ALICE, 'second')).resolves.toMatchObject({ text: 'second' });
    expect(fake.calls().filter((c) => c.method === 'sendMessage').map((c) => c.outcome)).toEqual([429, 'ok']);
  });

  it('should answer a callback query once: a second answer is "query is too old"', async () => {
    const fake = await fakeApi();
    const bot = botOn(fake);
    await bot.init();
    fake.pushMessage({ from: ALICE, text: 'hi' });
    const sent = await bot.api.sendMessage(ALICE, 'press', { reply_markup: new InlineKeyboard().text('x', 'x') });
    const id = fake.pushCallback({ from: ALICE, message_id: sent.message_id, data: 'x' });
    await expect(bot.api.answerCallbackQuery(id)).resolves.toBe(true);
    await expect(bot.api.answerCallbackQuery(id)).rejects.toMatchObject({ description: 'Bad Request: query is too old and response timeout expired or query ID is invalid' });
    await bot.api.setMyCommands([{ command: 'run', description: 'Start a job' }]);
    expect(fake.commands()).toEqual([{ command: 'run', description: 'Start a job' }]);
    await bot.api.sendChatAction(ALICE, 'typing');
    expect(fake.chatActions()).toEqual([{ chatId: ALICE, action: 'typing' }]);
  });
});
