import { Bot, type Context } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeBotApi, type FakeBotApi, type SentEntry } from '../test-support/fake-bot-api.test-support.js';
import { startFakeTranscriber, type FakeTranscriber } from '../test-support/fake-transcriber.test-support.js';
import { DRAFT_TTL_MS, VoiceDrafts } from './drafts.js';
import { createTranscriber, voiceComposer } from './index.js';

const ALICE = 2001;
const BOB = 2002;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface World {
  api: FakeBotApi;
  transcription: FakeTranscriber;
  dispatched: { userId: number | undefined; chatId: number | undefined; text: string; replyTo?: number }[];
  /** Text that got past the voice feature to the next handler. */
  passedOn: string[];
}

async function world(options: { transcriber?: boolean; dispatchFails?: boolean } = {}): Promise<World> {
  const api = await startFakeBotApi();
  const transcription = await startFakeTranscriber();
  cleanups.push(() => api.close(), () => transcription.close());
  const dispatched: World['dispatched'] = [];
  const passedOn: string[] = [];
  const bot = new Bot(api.token, { client: { apiRoot: api.apiRoot } });
  const dispatch = async (ctx: Context, text: string, how: { replyTo?: number } = {}): Promise<void> => {
    if (options.dispatchFails) throw new Error('the daemon is not running');
    dispatched.push({ userId: ctx.from?.id, chatId: ctx.chat?.id, text, ...(how.replyTo === undefined ? {} : { replyTo: how.replyTo }) });
  };
  bot.use(voiceComposer({ transcriber: options.transcriber === false ? null : createTranscriber({ url: transcription.url }), dispatch }));
  bot.on('message:text', (ctx) => void passedOn.push(ctx.message.text));
  bot.catch((error) => {
    throw error.error;
  });
  await bot.init();
  await new Promise<void>((resolve) => void bot.start({ onStart: () => resolve(), timeout: 1 }));
  cleanups.push(() => bot.stop());
  return { api, transcription, dispatched, passedOn };
}

const withButtons = (entry: SentEntry): boolean => entry.buttons.map((b) => b.text).join('|') === 'Send|Edit|Cancel';

async function press(w: World, user: number, entry: SentEntry, label: string): Promise<string> {
  const button = entry.buttons.find((b) => b.text === label)!;
  const id = w.api.pushCallback({ from: user, message_id: entry.messageId, data: button.callback_data! });
  await w.api.waitForAnswer(id);
  return id;
}

describe('voiceComposer', () => {
  it('should say that voice needs a transcription endpoint, naming the variables, when none is configured', async () => {
    const w = await world({ transcriber: false });
    w.api.pushVoice({ from: ALICE, bytes: Buffer.from('anything') });
    const reply = await w.api.waitForMessage(() => true);
    expect(reply.text).toMatch(/TELEGRAM_TRANSCRIBE_URL.*TELEGRAM_TRANSCRIBE_KEY/s);
    expect(w.transcription.requests).toHaveLength(0);
  });

  it('should fetch the voice note through the Bot API, show the transcript with Send / Edit / Cancel, and dispatch it on Send', async () => {
    const w = await world();
    w.api.pushVoice({ from: ALICE, bytes: Buffer.from('fix the flaky auth test') });
    const draft = await w.api.waitForMessage(withButtons);
    expect(draft.text).toBe('🎙 I heard:\n\nfix the flaky auth test');
    expect(draft.parseMode).toBeUndefined();
    expect(w.transcription.requests[0]).toMatchObject({ model: 'whisper-1', fileName: expect.stringMatching(/\.oga$/), audio: Buffer.from('fix the flaky auth test') });
    expect(w.api.chatActions()).toEqual([{ chatId: ALICE, action: 'typing' }]);
    expect(w.dispatched).toEqual([]);
    const id = await press(w, ALICE, draft, 'Send');
    expect(w.api.answers().find((a) => a.callbackQueryId === id)?.text).toBe('Sending');
    await expect.poll(() => w.dispatched).toEqual([{ userId: ALICE, chatId: ALICE, text: 'fix the flaky auth test' }]);
    await expect.poll(() => w.api.message(ALICE, draft.messageId)?.text).toBe('🎙 Sent:\n\nfix the flaky auth test');
    expect(w.api.message(ALICE, draft.messageId)?.reply_markup).toBeUndefined();
  });

  it('should route a voice reply to a notification like a typed reply: Send (and Send after Edit) carries the message it answered', async () => {
    const w = await world();
    const notification = w.api.pushMessage({ from: ALICE, text: 'stands in for the bot’s finish notification' });
    w.api.pushVoice({ from: ALICE, bytes: Buffer.from('now add tests'), reply_to_message_id: notification.message_id });
    const draft = await w.api.waitForMessage(withButtons);
    await press(w, ALICE, draft, 'Edit');
    const prompt = await w.api.waitForMessage((e) => e.text.startsWith('Send the corrected text'));
    w.api.pushMessage({ from: ALICE, text: 'now add unit tests', reply_to_message_id: prompt.messageId });
    const corrected = await w.api.waitForMessage((e) => withButtons(e) && e.seq > prompt.seq);
    await press(w, ALICE, corrected, 'Send');
    await expect.poll(() => w.dispatched).toEqual([{ userId: ALICE, chatId: ALICE, text: 'now add unit tests', replyTo: notification.message_id }]);
  });

  it('should take the next plain message as the corrected text after Edit, let commands through meanwhile, and send the correction', async () => {
    const w = await world();
    w.api.pushVoice({ from: ALICE, bytes: Buffer.from('fix the flaky off test') });
    const draft = await w.api.waitForMessage(withButtons);
    await press(w, ALICE, draft, 'Edit');
    const prompt = await w.api.waitForMessage((e) => e.text.startsWith('Send the corrected text'));
    expect(prompt.message.reply_markup).toBeUndefined(); // force_reply is not an inline keyboard
    w.api.pushMessage({ from: ALICE, text: '/jobs' });
    await expect.poll(() => w.passedOn).toEqual(['/jobs']);
    w.api.pushMessage({ from: ALICE, text: 'fix the flaky auth test', reply_to_message_id: prompt.messageId });
    const corrected = await w.api.waitForMessage((e) => withButtons(e) && e.seq > prompt.seq);
    expect(corrected.text).toBe('🎙 The corrected text:\n\nfix the flaky auth test');
    await press(w, ALICE, corrected, 'Send');
    await expect.poll(() => w.dispatched.map((d) => d.text)).toEqual(['fix the flaky auth test']);
    w.api.pushMessage({ from: ALICE, text: 'plain text again' });
    await expect.poll(() => w.passedOn).toEqual(['/jobs', 'plain text again']);
  });

  it('should drop the draft on Cancel, and refuse stale and forged buttons without dispatching', async () => {
    const w = await world();
    w.api.pushVoice({ from: ALICE, bytes: Buffer.from('first words') });
    const first = await w.api.waitForMessage(withButtons);
    w.api.pushVoice({ from: ALICE, bytes: Buffer.from('second words') });
    const second = await w.api.waitForMessage((e) => withButtons(e) && e.seq > first.seq);
    const stale = await press(w, ALICE, first, 'Send');
    expect(w.api.answers().find((a) => a.callbackQueryId === stale)).toMatchObject({ showAlert: true, text: expect.stringContaining('expired') });
    const forged = w.api.pushCallback({ from: ALICE, message_id: second.messageId, data: 'v:s:not-hex!' });
    expect((await w.api.waitForAnswer(forged)).showAlert).toBe(true);
    await press(w, ALICE, second, 'Cancel');
    await expect.poll(() => w.api.message(ALICE, second.messageId)?.text).toBe('🎙 Cancelled: nothing was sent.');
    const late = await press(w, ALICE, second, 'Send');
    expect(w.api.answers().find((a) => a.callbackQueryId === late)?.showAlert).toBe(true);
    expect(w.dispatched).toEqual([]);
  });

  it('should say in words when the transcription fails, and keep the text (with its buttons) when dispatching fails', async () => {
    const w = await world({ dispatchFails: true });
    w.transcription.failNext(500, 'model crashed');
    w.api.pushVoice({ from: ALICE, bytes: Buffer.from('lost words'), audio: true });
    const failure = await w.api.waitForMessage(() => true);
    expect(failure.text).toMatch(/^Could not transcribe the voice message: the transcription endpoint .* answered 500 Internal Server Error: model crashed$/);
    w.api.pushVoice({ from: ALICE, bytes: Buffer.from('kept words'), audio: true });
    const draft = await w.api.waitForMessage(withButtons);
    expect(w.transcription.requests.at(-1)?.fileName).toBe('recording.mp3');
    await press(w, ALICE, draft, 'Send');
    const again = await w.api.waitForMessage((e) => withButtons(e) && e.seq > draft.seq);
    expect(again.text).toBe('Could not send it: the daemon is not running\nThe text is kept:\n\nkept words');
  });
});

describe('VoiceDrafts', () => {
  it('should keep one draft per user and forget it after its lifetime', () => {
    let now = 1_000;
    const drafts = new VoiceDrafts(DRAFT_TTL_MS, () => now);
    const first = drafts.put(ALICE, ALICE, 'one');
    const second = drafts.put(ALICE, ALICE, 'two');
    drafts.put(BOB, BOB, 'bob');
    expect(drafts.get(ALICE, first.id)).toBeUndefined();
    expect(drafts.get(ALICE, second.id)?.text).toBe('two');
    now += DRAFT_TTL_MS - 1;
    drafts.awaitEdit(second);
    now += DRAFT_TTL_MS - 1;
    expect(drafts.get(ALICE)?.awaitingEdit).toBe(true);
    expect(drafts.get(BOB)).toBeUndefined();
    now += 1;
    expect(drafts.size).toBe(0);
  });
});
