import { describe, expect, it } from 'vitest';
import { TOKEN, useDaemonBots } from './bot-harness.test-helper.js';
import { callbackUpdate, textUpdate, until } from './real-daemon.test-helper.js';

const { daemon: currentDaemon, makeBot } = useDaemonBots();

/** A stream-json result of the numbers 1..n, space-separated (about 4.9 characters each). */
function longResultScript(n: number): string {
  return `r=$(seq 1 ${n} | tr '\\n' ' '); printf '{"type":"result","subtype":"success","is_error":false,"result":"%s","session_id":"s-2"}\\n' "$r"`;
}

function failingScript(message: string): string {
  return `echo '${JSON.stringify({ type: 'result', subtype: 'error_during_execution', is_error: true, result: message, session_id: 's-3' })}'`;
}

describe('sessions', () => {
  it('should peek, send, select with /use, and route plain text to the selected session', async () => {
    const h = await makeBot();
    const name = `w${Date.now() % 100000}`;
    const session = await currentDaemon().client.createSession({ name, cwd: currentDaemon().dir, command: ['cat'], alerts: ['NEVERMATCH'] });
    await h.telegram.bot.handleUpdate(textUpdate('/sessions'));
    expect(h.texts().at(-1)).toContain(`<code>${name}</code>`);
    await h.telegram.bot.handleUpdate(textUpdate(`/send ${name} hello-from-phone`));
    await h.telegram.bot.handleUpdate(textUpdate(`/use ${name}`));
    expect(h.texts().at(-1)).toContain(`Plain text now goes to <code>${name}</code>`);
    await h.telegram.bot.handleUpdate(textUpdate('second-line <b>'));
    const screen = await until(async () => {
      const peek = await currentDaemon().client.peek(name);
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
    await currentDaemon().client.stopSession(name);
  });
});

describe('output', () => {
  it('should split a long result into messages under the limit and send a very long one as a file', async () => {
    const h = await makeBot();
    const medium = await currentDaemon().client.createJob({ prompt: longResultScript(1500), agent: 'sj', cwd: currentDaemon().dir });
    const huge = await currentDaemon().client.createJob({ prompt: longResultScript(6000), agent: 'sj', cwd: currentDaemon().dir });
    for (const job of [medium, huge]) await until(async () => ((await currentDaemon().client.getJob(job.id)).status === 'succeeded' ? true : undefined), 30_000, `job ${job.id}`);
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
    const job = await currentDaemon().client.createJob({ prompt: `echo '<script>alert(1)</script> & co'`, cwd: currentDaemon().dir });
    const notice = await until(() => h.sent().find((c) => String(c.payload.text).includes(job.id) && String(c.payload.text).includes('Job finished')), 30_000, 'the finish notification');
    expect(String(notice.payload.text)).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    const failing = await currentDaemon().client.createJob({ prompt: failingScript('the tests still fail'), agent: 'sj', cwd: currentDaemon().dir, attempts: 1 });
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
