import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '@flotilla/protocol';
import { OWNER, startBotWorld, type BotWorld } from '../test-support/e2e-world.test-support.js';
import type { SentEntry } from '../test-support/fake-bot-api.test-support.js';

/** Real Claude Code runs take a few seconds each on a quiet machine, many times that on a loaded one. */
const SLOW_TEST_MS = 180_000;

let w: BotWorld;
beforeAll(async () => {
  w = await startBotWorld();
}, 120_000);
afterAll(async () => {
  await w?.[Symbol.asyncDispose]();
});

const JOB_ID = /\b([0-9A-HJKMNP-TV-Z]{26})\b/;

/** The finish notification of `jobId` sent after `after` (its buttons carry the job's id). */
function finishNotice(jobId: string, after: number, timeoutMs = 120_000): Promise<SentEntry> {
  return w.api.waitForMessage((e) => e.seq > after && e.method === 'sendMessage' && e.buttons.some((b) => b.text === 'Retry' && b.callback_data?.endsWith(jobId)), timeoutMs);
}

/** Presses `label` under `entry` as the owner and waits for the bot's answer to the press. */
async function press(entry: SentEntry, label: string): Promise<string | undefined> {
  const button = entry.buttons.find((b) => b.text === label);
  if (!button?.callback_data) throw new Error(`no "${label}" button under #${entry.seq}: ${entry.buttons.map((b) => b.text).join(', ')}`);
  const id = w.api.pushCallback({ from: OWNER, message_id: entry.messageId, data: button.callback_data });
  return (await w.api.waitForAnswer(id, 30_000)).text;
}

/** `/run PROMPT` from the phone; returns the new job's id, read from the bot's answer. */
async function runFromPhone(prompt: string): Promise<{ jobId: string; after: number }> {
  const before = w.api.mark();
  w.api.pushMessage({ from: OWNER, text: `/run ${prompt}` });
  const started = await w.api.waitForMessage((e) => e.seq > before && /Job \S+ (queued|starting|running)/.test(e.text));
  return { jobId: JOB_ID.exec(started.text)![1]!, after: before };
}

/** Longer than a few messages: Show more sends it as a file. */
const LONG_RESULT = ['Second attempt done.', ...Array.from({ length: 400 }, (_, i) => `line ${i}: ${'detail '.repeat(5).trim()}`)].join('\n');

const mainRequests = (): string[] => w.anthropic.requests.filter((r) => r.kind === 'main').map((r) => JSON.stringify(r.body));

describe('the bot from a phone, against a real daemon running real Claude Code (slow)', { timeout: SLOW_TEST_MS }, () => {
  let first: { jobId: string; notice: SentEntry };
  let voiceJobId: string | undefined;

  it('should create a job from /run and send its finish notification with Retry, Show more and Resume', async () => {
    w.anthropic.setScenario([{ text: 'Hello from the fake model: the auth test is fixed.' }]);
    // Characters HTML and Markdown care about: the fake refuses what Telegram would not parse.
    const { jobId, after } = await runFromPhone('fix the flaky auth test <T> & "expiry" *_[x]');
    const notice = await finishNotice(jobId, after);
    expect(notice.text).toContain('Job finished');
    expect(notice.text).toContain('Hello from the fake model: the auth test is fixed.');
    expect(notice.parseMode).toBe('HTML');
    expect(notice.buttons.map((b) => b.text)).toEqual(['Retry', 'Show more', 'Resume']);
    const job: Job = await w.client.getJob(jobId);
    expect(notice.text).toContain('fix the flaky auth test <T> & "expiry" *_[x]');
    expect(job).toMatchObject({ status: 'succeeded', prompt: 'fix the flaky auth test <T> & "expiry" *_[x]', agent: 'claude' });
    expect(mainRequests().at(-1)).toContain('fix the flaky auth test');
    first = { jobId, notice };
  });

  it('should wait out a 429 from Telegram and still answer', async () => {
    const after = w.api.mark();
    w.api.simulateFlood({ method: 'sendMessage', retryAfter: 1 });
    const pushed = Date.now();
    w.api.pushMessage({ from: OWNER, text: '/help' });
    const help = await w.api.waitForMessage((e) => e.seq > after, 20_000);
    expect(help.at - pushed).toBeGreaterThanOrEqual(1000);
    expect(w.api.calls().filter((c) => c.method === 'sendMessage').slice(-2).map((c) => c.outcome)).toEqual([429, 'ok']);
  });

  it('should send the whole result on Show more', async () => {
    const after = w.api.mark();
    expect(await press(first.notice, 'Show more')).toBe('Sent');
    const more = await w.api.waitForMessage((e) => e.seq > after && e.text.includes(first.jobId));
    expect(more.text).toContain('Hello from the fake model: the auth test is fixed.');
  });

  it('should run the job again on Retry: a new attempt, and a new finish notification', async () => {
    w.anthropic.setScenario([{ text: LONG_RESULT }]);
    const after = w.api.mark();
    expect(await press(first.notice, 'Retry')).toBe('Retrying');
    const notice = await finishNotice(first.jobId, after);
    expect(notice.text).toContain('Second attempt done.');
    const job = await w.client.getJob(first.jobId);
    expect(job.attempts.length).toBe(2);
    expect(job.status).toBe('succeeded');
    first.notice = notice;
  });

  it('should send a long result as a file on Show more', async () => {
    const after = w.api.mark();
    expect(await press(first.notice, 'Show more')).toBe('Sent');
    const file = await w.api.waitForMessage((e) => e.seq > after && e.method === 'sendDocument');
    expect(file.document?.fileName).toBe(`job-${first.jobId}.txt`);
    expect(file.text).toContain(first.jobId);
    expect(file.document?.bytes.toString('utf8')).toContain(LONG_RESULT);
  });

  it('should transcribe a voice message, show it with Send / Edit / Cancel, and start a job only after Send and Run', async () => {
    w.anthropic.setScenario([{ text: 'Summary written.' }]);
    const jobsBefore = (await w.client.listJobs({ limit: 100 })).items.length;
    const after = w.api.mark();
    w.api.pushVoice({ from: OWNER, bytes: Buffer.from('summarise the readme') });
    const draft = await w.api.waitForMessage((e) => e.seq > after && e.buttons.map((b) => b.text).join('|') === 'Send|Edit|Cancel');
    expect(draft.text).toContain('summarise the readme');
    expect((await w.client.listJobs({ limit: 100 })).items.length).toBe(jobsBefore);
    expect(await press(draft, 'Send')).toBe('Sending');
    const confirm = await w.api.waitForMessage((e) => e.seq > draft.seq && e.buttons.some((b) => b.text === 'Run'));
    expect(confirm.text).toContain('summarise the readme');
    await press(confirm, 'Run');
    const started = await w.api.waitForMessage((e) => e.seq > confirm.seq && JOB_ID.test(e.text) && /queued|starting|running/.test(e.text));
    const jobId = JOB_ID.exec(started.text)![1]!;
    expect((await w.client.getJob(jobId)).prompt).toBe('summarise the readme');
    await finishNotice(jobId, confirm.seq);
    voiceJobId = jobId;
  });

  it('should route a reply to a finish notification to that job (resume), not to the newest one', async () => {
    // The voice job above is newer than this notification: the reply must still go to the older job.
    expect(voiceJobId).toBeDefined();
    w.anthropic.setScenario([{ text: 'Resumed: the test now covers expiry.' }]);
    const after = w.api.mark();
    w.api.pushMessage({ from: OWNER, text: 'now also cover token expiry', reply_to_message_id: first.notice.messageId });
    const continues = await w.api.waitForMessage((e) => e.seq > after && e.text.includes('continues'));
    expect(continues.text).toContain(first.jobId);
    const notice = await finishNotice(first.jobId, after);
    expect(notice.text).toContain('Resumed: the test now covers expiry.');
    const resumed = await w.client.getJob(first.jobId);
    expect(resumed.attempts.length).toBe(3);
    expect((await w.client.getJob(voiceJobId!)).attempts.length).toBe(1);
    // Claude was resumed: the model saw the first prompt again, then the reply.
    const last = mainRequests().at(-1)!;
    expect(last).toContain('now also cover token expiry');
    expect(last).toContain('fix the flaky auth test <T>');
  });

  it('should ignore 1,000 updates from users not on the allowlist: no job, no message, no download, nothing of their text logged', async () => {
    const jobsBefore = (await w.client.listJobs({ limit: 500 })).items.length;
    const callsBefore = w.api.calls().length;
    const sentBefore = w.api.mark();
    const logsBefore = w.logs.length;
    const strangers = Array.from({ length: 100 }, (_, i) => ({ id: 9_100_000 + i, first_name: `Eve ${i}` }));
    let pushed = 0;
    for (const [i, stranger] of strangers.entries()) {
      for (let k = 0; k < 6; k += 1) w.api.pushMessage({ from: stranger, text: `/run echo leaked-${i}-${k} > /tmp/pwned` });
      w.api.pushMessage({ from: stranger, text: `plain leaked-${i} text` });
      w.api.pushVoice({ from: stranger, bytes: Buffer.from(`voice leaked-${i}`) });
      const own = w.api.pushMessage({ from: stranger, text: `/job leaked-${i}` });
      w.api.pushCallback({ from: stranger, message_id: own.message_id, data: `r:${first.jobId}` });
      pushed += 10;
    }
    expect(pushed).toBe(1000);
    await w.api.waitForConfirmed(60_000);
    const calls = w.api.calls().slice(callsBefore).map((c) => c.method);
    expect(new Set(calls)).toEqual(new Set(['getUpdates']));
    expect(w.api.sent().filter((e) => e.seq > sentBefore)).toEqual([]);
    expect(w.transcription.requests.filter((r) => r.audio.toString().includes('leaked'))).toEqual([]);
    expect((await w.client.listJobs({ limit: 500 })).items.length).toBe(jobsBefore);
    expect((await w.client.getJob(first.jobId)).attempts.length).toBe(3);
    const logged = w.logs.slice(logsBefore);
    expect(logged.filter((line) => /not on the allowlist/.test(line)).length).toBe(1000);
    expect(logged.filter((line) => /leaked|pwned|Eve/.test(line))).toEqual([]);
  });

  it('should never have sent the bot token or logged it', () => {
    expect(w.logs.filter((line) => line.includes(w.api.token))).toEqual([]);
    expect(w.api.sent().filter((e) => e.text.includes(w.api.token.split(':')[1]!))).toEqual([]);
    expect(mainRequests().filter((body) => body.includes(w.api.token.split(':')[1]!))).toEqual([]);
  });
});
