import { Bot } from 'grammy';
import { describe, expect, it } from 'vitest';
import { BOT_INFO, recordApi, textUpdate } from './real-daemon.test-helper.js';
import { replyLines, sendLongText, type FeatureDeps } from './shared.js';

/** replyLines and sendLongText need no server: only the bot's API. */
const NO_DEPS = {} as FeatureDeps;

describe('replyLines', () => {
  it('should pack lines into messages under the limit without breaking a line', async () => {
    const bot = new Bot('1:x', { botInfo: BOT_INFO });
    const calls = recordApi(bot);
    const lines = Array.from({ length: 120 }, (_, i) => `<code>session-${i}</code> ${'working · claude · host '.repeat(3)}${i}`);
    bot.command('list', (ctx) => replyLines(ctx, NO_DEPS, lines));
    await bot.handleUpdate(textUpdate('/list'));
    const texts = calls.filter((c) => c.method === 'sendMessage').map((c) => String(c.payload.text));
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.every((t) => t.length <= 4096)).toBe(true);
    expect(texts.join('\n').split('\n')).toEqual(lines);
  });
});

describe('sendLongText', () => {
  it('should send one message, several, or a file, by length', async () => {
    const bot = new Bot('1:x', { botInfo: BOT_INFO });
    const calls = recordApi(bot);
    const title = '<b>Job</b>';
    expect(await sendLongText(bot.api, 7, { titleHtml: title, text: 'short <result>', fileName: 'r.txt' })).toHaveLength(1);
    expect(calls[0]?.payload.text).toBe('<b>Job</b>\nshort &lt;result&gt;');
    expect(await sendLongText(bot.api, 7, { titleHtml: title, text: 'x '.repeat(4000), fileName: 'r.txt' })).toHaveLength(3);
    await sendLongText(bot.api, 7, { titleHtml: title, text: 'y'.repeat(20_000), fileName: 'r.txt' });
    expect(calls.map((c) => c.method)).toEqual(['sendMessage', 'sendMessage', 'sendMessage', 'sendMessage', 'sendDocument']);
    expect(calls[4]?.payload.caption).toBe(title);
  });
});
