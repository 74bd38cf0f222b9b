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

describe('who may use the bot', () => {
  it('should create nothing and send nothing for 1,000 updates from users not on the allowlist, logging them without content', async () => {
    const h = await makeBot();
    const before = (await daemon.client.listJobs({ limit: 500 })).items.length;
    for (let i = 0; i < 1000; i += 1) {
      const update =
        i % 4 === 0 ? textUpdate(`/run echo intruder-${i}`, { from: STRANGER })
        : i % 4 === 1 ? textUpdate(`echo plain-intruder-${i}`, { from: STRANGER })
        : i % 4 === 2 ? callbackUpdate(`r:01JABCDEFGHJKMNPQRSTVWXYZ0`, 1, { from: STRANGER })
        : textUpdate(`/send anything secret-${i}`, { from: STRANGER });
      await h.telegram.bot.handleUpdate(update);
    }
    expect(h.calls).toEqual([]);
    expect((await daemon.client.listJobs({ limit: 500 })).items.length).toBe(before);
    expect(h.logs).toHaveLength(1000);
    expect(h.logs[0]).toMatch(/^ignored update \d+ \(message\) from user 666: not on the allowlist$/);
    expect(h.logs[2]).toMatch(/\(callback_query\) from user 666/);
    expect(h.logs.join('\n')).not.toMatch(/intruder|secret-|echo/);
  });

  it('should ignore an allowed user writing in a group chat', async () => {
    const h = await makeBot();
    const update = textUpdate('/jobs');
    const message = (update as unknown as { message: { chat: Record<string, unknown> } }).message;
    message.chat = { id: -100123, type: 'group', title: 'team' };
    await h.telegram.bot.handleUpdate(update);
    expect(h.calls).toEqual([]);
    expect(h.logs).toEqual([`ignored update ${update.update_id} (message) from user ${USER.id}: in a group chat, not a private one`]);
  });
});

describe('duplicate updates', () => {
  it('should handle an update id once, across a restart too', async () => {
    const botHome = daemon.botHome();
    const first = await makeBot({ botHome });
    const prompt = `echo once-${Date.now()}`;
    const update = textUpdate(`/run ${prompt}`);
    await first.telegram.bot.handleUpdate(update);
    await first.telegram.bot.handleUpdate(update);
    await first.telegram.stop();
    running.splice(running.indexOf(first.telegram), 1);
    const second = await makeBot({ botHome });
    await second.telegram.bot.handleUpdate(update);
    expect(await jobsWithPrompt(prompt)).toHaveLength(1);
    expect(second.calls).toEqual([]);
    expect(second.logs).toEqual([`update ${update.update_id} was already handled; skipped`]);
  });
});

/** Claude-compatible stream-json lines from a shell script: a session id and a result. */
function streamJsonScript(result: string): string {
  const init = JSON.stringify({ type: 'system', subtype: 'init', session_id: 'sess-1', model: 'fake' });
  const done = JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result, session_id: 'sess-1', total_cost_usd: 0.01 });
  return `echo '${init}'; echo '${done}'`;
}

/** A stream-json result of the numbers 1..n, space-separated (about 4.9 characters each). */
function longResultScript(n: number): string {
  return `r=$(seq 1 ${n} | tr '\\n' ' '); printf '{"type":"result","subtype":"success","is_error":false,"result":"%s","session_id":"s-2"}\\n' "$r"`;
}

function failingScript(message: string): string {
  return `echo '${JSON.stringify({ type: 'result', subtype: 'error_during_execution', is_error: true, result: message, session_id: 's-3' })}'`;
}

describe('replies', () => {
  it('should resume the job a replied-to notification is about, with the reply as the prompt', async () => {
    const h = await makeBot({ follow: true });
    const job = await daemon.client.createJob({ prompt: streamJsonScript('first answer'), agent: 'sj', cwd: daemon.dir });
    const notice = await until(() => h.sent().find((c) => String(c.payload.text).includes(job.id) && String(c.payload.text).includes('Job finished')), 30_000, 'the finish notification');
    expect(buttons(notice).map((b) => b.text)).toEqual(['Retry', 'Show more', 'Resume']);
    const followUp = streamJsonScript('second answer');
    await h.telegram.bot.handleUpdate(textUpdate(followUp, { replyTo: notice.messageId! }));
    expect(h.texts().at(-1)).toContain(`Job <code>${job.id}</code> continues`);
    const resumed = await until(async () => {
      const current = await daemon.client.getJob(job.id);
      return current.status === 'succeeded' && current.attempts.length === 2 ? current : undefined;
    }, 30_000, 'the resumed attempt');
    expect(resumed.attempts[1]).toMatchObject({ reason: 'resume', prompt: followUp });
    expect(resumed.result).toBe('second answer');
  });

  it('should offer plain text as a new job and start it only on Run', async () => {
    const h = await makeBot();
    const prompt = `echo confirmed-${Date.now()}`;
    await h.telegram.bot.handleUpdate(textUpdate(prompt));
    const offer = h.sent().at(-1)!;
    expect(String(offer.payload.text)).toContain('Start a job with this prompt?');
    expect(buttons(offer).map((b) => b.text)).toEqual(['Run', 'Cancel']);
    expect(await jobsWithPrompt(prompt)).toHaveLength(0);
    await h.telegram.bot.handleUpdate(callbackUpdate(buttons(offer)[0]!.callback_data, offer.messageId!));
    expect(await jobsWithPrompt(prompt)).toHaveLength(1);
    // The same button again: the offer is used up.
    await h.telegram.bot.handleUpdate(callbackUpdate(buttons(offer)[0]!.callback_data, offer.messageId!));
    expect(await jobsWithPrompt(prompt)).toHaveLength(1);
    expect(h.calls.filter((c) => c.method === 'answerCallbackQuery').at(-1)?.payload).toMatchObject({ show_alert: true, text: 'this request expired; send the text again' });
  });
});

describe('buttons', () => {
  it('should answer forged callback data with an error toast and do nothing', async () => {
    const h = await makeBot();
    for (const data of ['r:../../etc', 'x', `k:01JABCDEFGHJKMNPQRSTVWXYZ0`, 'a:01JABCDEFGHJKMNPQRSTVWXYZ0 ; drop']) {
      await h.telegram.bot.handleUpdate(callbackUpdate(data, 1));
    }
    expect(h.calls.map((c) => c.method)).toEqual(Array(4).fill('answerCallbackQuery'));
    expect(h.calls[0]?.payload).toMatchObject({ show_alert: true, text: 'This button is not one of mine (or it is too old). Nothing was done.' });
  });

  it('should tell in words when a button names a job the daemon does not know', async () => {
    const h = await makeBot();
    await h.telegram.bot.handleUpdate(callbackUpdate('r:01JABCDEFGHJKMNPQRSTVWXYZ0', 1));
    const toast = h.calls.find((c) => c.method === 'answerCallbackQuery')!;
    expect(toast.payload.show_alert).toBe(true);
    expect(String(toast.payload.text)).toMatch(/01JABCDEFGHJKMNPQRSTVWXYZ0/);
  });
});

describe('sessions', () => {
  it('should peek, send, select with /use, and route plain text to the selected session', async () => {
    const h = await makeBot();
    const name = `w${Date.now() % 100000}`;
    const session = await daemon.client.createSession({ name, cwd: daemon.dir, command: ['cat'], alerts: ['NEVERMATCH'] });
    await h.telegram.bot.handleUpdate(textUpdate('/sessions'));
    expect(h.texts().at(-1)).toContain(`<code>${name}</code>`);
    await h.telegram.bot.handleUpdate(textUpdate(`/send ${name} hello-from-phone`));
    await h.telegram.bot.handleUpdate(textUpdate(`/use ${name}`));
    expect(h.texts().at(-1)).toContain(`Plain text now goes to <code>${name}</code>`);
    await h.telegram.bot.handleUpdate(textUpdate('second-line <b>'));
    const screen = await until(async () => {
      const peek = await daemon.client.peek(name);
      const text = peek.lines.join('\n');
      return text.includes('hello-from-phone') && text.includes('second-line <b>') ? text : undefined;
    }, 15_000, 'both texts on the screen');
    expect(screen).toContain('hello-from-phone');
    await h.telegram.bot.handleUpdate(textUpdate(`/peek ${name}`));
    expect(h.texts().at(-1)).toContain('second-line &lt;b&gt;');
    await h.telegram.bot.handleUpdate(textUpdate('/use'));
    await h.telegram.bot.handleUpdate(textUpdate('now a job offer'));
    expect(h.texts().at(-1)).toContain('Start a job with this prompt?');
    // Allow on a session that asks nothing reaches the daemon, which says so in words.
    await h.telegram.bot.handleUpdate(callbackUpdate(`a:${session.id}`, 1));
    const toast = h.calls.filter((c) => c.method === 'answerCallbackQuery').at(-1)!;
    expect(toast.payload.show_alert).toBe(true);
    expect(String(toast.payload.text).length).toBeGreaterThan(10);
    await daemon.client.stopSession(name);
  });
});

describe('output', () => {
  it('should split a long result into messages under the limit and send a very long one as a file', async () => {
    const h = await makeBot();
    const medium = await daemon.client.createJob({ prompt: longResultScript(1500), agent: 'sj', cwd: daemon.dir });
    const huge = await daemon.client.createJob({ prompt: longResultScript(6000), agent: 'sj', cwd: daemon.dir });
    for (const job of [medium, huge]) await until(async () => ((await daemon.client.getJob(job.id)).status === 'succeeded' ? true : undefined), 30_000, `job ${job.id}`);
    await h.telegram.bot.handleUpdate(callbackUpdate(`m:${medium.id}`, 1));
    const parts = h.sent();
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts.every((c) => c.method === 'sendMessage' && String(c.payload.text).length <= 4096)).toBe(true);
    expect(parts.map((c) => String(c.payload.text).replace(/^.*\n/, '')).join(' ')).toContain(' 1499 1500');
    await h.telegram.bot.handleUpdate(callbackUpdate(`m:${huge.id}`, 1));
    const file = h.sent().at(-1)!;
    expect(file.method).toBe('sendDocument');
    expect(String(file.payload.caption)).toContain(huge.id);
  });

  it('should escape what agents write and answer failures in words, never with the token', async () => {
    const h = await makeBot({ follow: true });
    const job = await daemon.client.createJob({ prompt: `echo '<script>alert(1)</script> & co'`, cwd: daemon.dir });
    const notice = await until(() => h.sent().find((c) => String(c.payload.text).includes(job.id) && String(c.payload.text).includes('Job finished')), 30_000, 'the finish notification');
    expect(String(notice.payload.text)).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    const failing = await daemon.client.createJob({ prompt: failingScript('the tests still fail'), agent: 'sj', cwd: daemon.dir, attempts: 1 });
    const failed = await until(() => h.sent().find((c) => String(c.payload.text).includes(failing.id) && String(c.payload.text).includes('Job failed')), 30_000, 'the failure notification');
    expect(String(failed.payload.text)).toContain('the agent ran and reported an error\n<pre>the tests still fail</pre>');
    await h.telegram.bot.handleUpdate(textUpdate('/job 0000NOSUCHJOB'));
    expect(h.texts().at(-1)).toBe('⚠️ no recent job has an id starting or ending with &quot;0000NOSUCHJOB&quot;\n<i>fix:</i> /jobs lists them');
    await h.telegram.bot.handleUpdate(textUpdate('/frobnicate'));
    expect(h.texts().at(-1)).toContain('Unknown command <code>/frobnicate</code>');
    expect(JSON.stringify(h.calls)).not.toContain(TOKEN.split(':')[1]);
    expect(h.logs.join('\n')).not.toContain(TOKEN.split(':')[1]);
  });

  it('should list jobs, status, inbox and help', async () => {
    const h = await makeBot();
    await h.telegram.bot.handleUpdate(textUpdate('/jobs'));
    expect(h.texts().at(-1)).toMatch(/^<b>Running and waiting<\/b> \(\d+\)/);
    await h.telegram.bot.handleUpdate(textUpdate('/status'));
    expect(h.texts().at(-1)).toMatch(/^<b>Daemon<\/b> <code>tg-host<\/code>[\s\S]*no rate-limit pauses/);
    await h.telegram.bot.handleUpdate(textUpdate('/inbox'));
    expect(h.texts().at(-1)).toMatch(/Inbox|Nothing needs you/);
    await h.telegram.bot.handleUpdate(textUpdate('/help'));
    expect(h.texts().at(-1)).toContain('/run [@host] [#repo] [model:NAME] [worktree] PROMPT');
    await h.telegram.bot.handleUpdate(textUpdate('/board'));
    expect(h.texts().at(-1)).toContain('the hub is not connected to this host');
    await h.telegram.bot.handleUpdate(textUpdate('/run @elsewhere echo x'));
    expect(h.texts().at(-1)).toContain('this bot drives the lone daemon on tg-host; it cannot run on elsewhere');
  });
});
