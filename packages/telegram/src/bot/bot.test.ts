import { describe, expect, it } from 'vitest';
import { parseCallback } from './callback-data.js';
import { buttons, streamJsonScript, useDaemonBots } from './bot-harness.test-helper.js';
import { STRANGER, USER, callbackUpdate, textUpdate, until } from './real-daemon.test-helper.js';

const { daemon: currentDaemon, makeBot, jobsWithPrompt } = useDaemonBots();

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
      const current = await currentDaemon().client.getJob(job!.id);
      return current.attempts.length === 2 ? current : undefined;
    }, 30_000, 'the second attempt');
    expect(retried.attempts[1]?.reason).toBe('retry');
    await until(() => (h.sent().filter((c) => String(c.payload.text).includes('Job finished') && String(c.payload.text).includes(job!.id)).length === 2 ? true : undefined), 30_000, 'the second finish notification');
  });
});

describe('who may use the bot', () => {
  it('should create nothing and send nothing for 1,000 updates from users not on the allowlist, logging them without content', async () => {
    const h = await makeBot();
    const before = (await currentDaemon().client.listJobs({ limit: 500 })).items.length;
    for (let i = 0; i < 1000; i += 1) {
      const update =
        i % 4 === 0 ? textUpdate(`/run echo intruder-${i}`, { from: STRANGER })
        : i % 4 === 1 ? textUpdate(`echo plain-intruder-${i}`, { from: STRANGER })
        : i % 4 === 2 ? callbackUpdate(`r:01JABCDEFGHJKMNPQRSTVWXYZ0`, 1, { from: STRANGER })
        : textUpdate(`/send anything secret-${i}`, { from: STRANGER });
      await h.telegram.bot.handleUpdate(update);
    }
    expect(h.calls).toEqual([]);
    expect((await currentDaemon().client.listJobs({ limit: 500 })).items.length).toBe(before);
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
    const botHome = currentDaemon().botHome();
    const first = await makeBot({ botHome });
    const prompt = `echo once-${Date.now()}`;
    const update = textUpdate(`/run ${prompt}`);
    await first.telegram.bot.handleUpdate(update);
    await first.telegram.bot.handleUpdate(update);
    await first.stop();
    const second = await makeBot({ botHome });
    await second.telegram.bot.handleUpdate(update);
    expect(await jobsWithPrompt(prompt)).toHaveLength(1);
    expect(second.calls).toEqual([]);
    expect(second.logs).toEqual([`update ${update.update_id} was already handled; skipped`]);
  });
});




describe('replies', () => {
  it('should resume the job a replied-to notification is about, with the reply as the prompt', async () => {
    const h = await makeBot({ follow: true });
    const job = await currentDaemon().client.createJob({ prompt: streamJsonScript('first answer'), agent: 'sj', cwd: currentDaemon().dir });
    const notice = await until(() => h.sent().find((c) => String(c.payload.text).includes(job.id) && String(c.payload.text).includes('Job finished')), 30_000, 'the finish notification');
    expect(buttons(notice).map((b) => b.text)).toEqual(['Retry', 'Show more', 'Resume']);
    const followUp = streamJsonScript('second answer');
    await h.telegram.bot.handleUpdate(textUpdate(followUp, { replyTo: notice.messageId! }));
    expect(h.texts().at(-1)).toContain(`Job <code>${job.id}</code> continues`);
    const resumed = await until(async () => {
      const current = await currentDaemon().client.getJob(job.id);
      return current.status === 'succeeded' && current.attempts.length === 2 ? current : undefined;
    }, 30_000, 'the resumed attempt');
    expect(resumed.attempts[1]).toMatchObject({ reason: 'resume', prompt: followUp });
    expect(resumed.result).toBe('second answer');

    // Resume asks for the follow-up; the answer to that question goes to the same job.
    await h.telegram.bot.handleUpdate(callbackUpdate(buttons(notice).find((b) => b.text === 'Resume')!.callback_data, notice.messageId!));
    const question = h.sent().at(-1)!;
    expect(question.payload).toMatchObject({ text: `Reply to this message with the follow-up for job <code>${job.id}</code>.`, reply_markup: { force_reply: true } });
    const third = streamJsonScript('third answer');
    await h.telegram.bot.handleUpdate(textUpdate(third, { replyTo: question.messageId! }));
    const again = await until(async () => {
      const current = await currentDaemon().client.getJob(job.id);
      return current.status === 'succeeded' && current.attempts.length === 3 ? current : undefined;
    }, 30_000, 'the third attempt');
    expect(again.attempts[2]).toMatchObject({ reason: 'resume', prompt: third });
  });

  it('should tell after a restart what ended while it was down, resuming after the last event it handled', async () => {
    const botHome = currentDaemon().botHome();
    const first = await makeBot({ follow: true, botHome });
    const before = await currentDaemon().client.createJob({ prompt: 'echo before-restart', cwd: currentDaemon().dir });
    await until(() => first.sent().find((c) => String(c.payload.text).includes(before.id)), 30_000, 'the first notification');
    await first.stop();
    const during = await currentDaemon().client.createJob({ prompt: 'echo while-down', cwd: currentDaemon().dir });
    await until(async () => ((await currentDaemon().client.getJob(during.id)).status === 'succeeded' ? true : undefined), 30_000, 'the job run while the bot is down');
    const second = await makeBot({ botHome });
    await second.telegram.start({ polling: false });
    const told = await until(() => second.sent().find((c) => String(c.payload.text).includes(during.id)), 30_000, 'the missed notification');
    expect(String(told.payload.text)).toContain('while-down');
    expect(second.texts().filter((t) => t.includes(before.id))).toEqual([]);
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
