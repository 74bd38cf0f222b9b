import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, Session } from '@flotilla/protocol';
import { DESKTOP, goto, inOrder, launchDashboardBrowser, navigateInPage, PHONE, recordTexts, textOf, textsSeen, type Dashboard } from './browser.js';
import { freshUser, serveDashboard, type ServedLink, type User } from './cb-user.js';

/** The fake model's answer delay: long enough that "running" is on screen for a while. */
const TURN_MS = 2500;
/** The first job holds the only slot this long: the job page must open while the second is still queued. */
const HOLD_MS = 4500;
const SESSION = 'pair';

let user: User;
let browser: Dashboard;
let link: ServedLink;
/** The Now page, opened once through the printed link and kept open for the whole file. */
let now: Page;
const jobs: { succeeded?: string; failed?: string } = {};

beforeAll(async () => {
  // One slot: a second job waits its turn, so "queued" is on screen long enough to be seen.
  user = await freshUser([], { env: { FLOTILLA_DISCOVERY: 'off' }, config: { slots: 1, notifySend: false } });
  browser = await launchDashboardBrowser();
  link = await serveDashboard(user);
  expect(link.openUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  now = await browser.open(link.openUrl);
  await now.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
  // The session's Claude Code TUI boots while the first jobs run (it asks the model nothing until it is sent a turn).
  const created = await user.cb(['session', 'new', SESSION]);
  expect(created.code, created.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await browser?.[Symbol.asyncDispose]();
  await user?.cb(['session', 'stop', SESSION]);
  await user?.[Symbol.asyncDispose](); // stops the daemon, then kills the sessions' tmux server
});

async function startJob(prompt: string): Promise<string> {
  const created = await user.cb([prompt]);
  expect(created.stderr).toBe('');
  return created.stdout.trim();
}

/** A second tab of the same browser (the cookie is shared), at `path`. */
async function tab(path: string, viewport = DESKTOP): Promise<Page> {
  const page = await now.context().newPage();
  await page.setViewportSize(viewport);
  await goto(page, new URL(path, link.url).toString());
  return page;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the dashboard in a real browser, against a real daemon running real Claude Code (slow)', () => {
  it('should trade the printed link for an HttpOnly, SameSite=Strict cookie, and refuse the same link twice', async () => {
    const cookies = await now.context().cookies(link.url);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookies[0]!.value).not.toBe(link.token);
    expect(await now.evaluate(() => document.cookie)).toBe(''); // the page's scripts never see it
    const again = await browser.open(link.openUrl);
    expect(await again.locator('body').textContent()).toContain('fresh link');
    expect(await again.locator('[data-connection]').count()).toBe(0);
  });

  it('should show a job going from queued to running to succeeded, live, on the Now page and on its job page', async () => {
    user.api.setScenario([
      { text: 'Holding the slot.', delayMs: HOLD_MS },
      { text: 'The second job is done.', delayMs: TURN_MS },
    ]);
    const first = await startJob('hold the only slot');
    const id = await startJob('the job we watch');
    jobs.succeeded = id;
    const [jobPage] = await Promise.all([
      tab(`/jobs/${id}`).then(async (page) => {
        await page.locator('[data-testid="job-status"]').waitFor({ timeout: 10_000 });
        await recordTexts(page, 'job', '[data-testid="job-status"]');
        return page;
      }),
      now.locator(`[data-job-id="${id}"]`).first().waitFor({ timeout: 10_000 }).then(() => recordTexts(now, 'now', `[data-job-id="${id}"] .badge`)),
    ]);
    await jobPage.locator('[data-testid="job-status"]', { hasText: 'succeeded' }).waitFor({ timeout: 60_000 });
    // On the Now page a finished job leaves "Running" and counts in the day's totals.
    await now.locator(`[data-job-id="${id}"]`).waitFor({ state: 'detached', timeout: 10_000 });
    const nowSeen = await textsSeen(now, 'now');
    expect(inOrder(nowSeen, ['queued', 'running']), `Now page showed ${JSON.stringify(nowSeen)}`).toBe(true);
    const jobSeen = await textsSeen(jobPage, 'job');
    expect(inOrder(jobSeen, ['queued', 'running', 'succeeded']), `job page showed ${JSON.stringify(jobSeen)}`).toBe(true);
    await until('the transcript to show the final answer', async () => (await textOf(jobPage, '[data-testid="transcript"]'))?.includes('The second job is done.'), 10_000);
    const done = now.locator('[data-testid="totals"] .stat', { hasText: 'succeeded, 24 h' }).locator('.stat-value');
    await until('"succeeded, 24 h" to count both jobs', async () => (await done.textContent()) === '2', 10_000);
    expect((await user.json<Job>(['show', first])).status).toBe('succeeded');
    await jobPage.close();
  });

  it("should show the agent's own screen in a session's terminal", async () => {
    // The truth is tmux's own screen: wait for Claude's input prompt there.
    const screen = await until('Claude Code to draw its input box', async () => {
      const peek = await user.cb(['peek', SESSION]);
      return /^\s*❯/m.test(peek.stdout) ? peek.stdout : null;
    }, 60_000);
    const page = await tab(`/sessions/${SESSION}`);
    const terminal = page.locator('[data-testid="terminal"]');
    await terminal.waitFor({ timeout: 10_000 });
    // A line of Claude's screen with words in it (the banner, the cwd, the hints), as tmux has it.
    const line = screen.split('\n').map((l) => l.replace(/[│╭╮╰╯─]/g, '').trim()).find((l) => /[A-Za-z]{4,}.*\s.*[A-Za-z]{3,}/.test(l))!;
    expect(line, screen).toBeTruthy();
    await until(`the terminal to show "${line}"`, async () => (await textOf(page, '[data-testid="terminal"]'))?.includes(line.replace(/\s+/g, ' ')), 15_000);
    await page.close();
  });

  it('should put a permission question in "Needs you" and let the person answer it from there', async () => {
    user.api.setScenario([
      { text: 'I will write a file.', toolUses: [{ name: 'Bash', input: { command: 'echo allowed > permitted.txt', description: 'Write permitted.txt' } }] },
      { text: 'Wrote it.' },
    ]);
    await until('the session to take input', async () => ['idle', 'waiting_input'].includes((await sessionState()) ?? ''), 30_000);
    const sent = await user.cb(['send', SESSION, 'write permitted.txt please']);
    expect(sent.code, sent.stderr).toBe(0);
    const need = now.locator(`[data-testid="needs-you"] [data-need="session"][data-session="${SESSION}"]`);
    await need.waitFor({ timeout: 30_000 });
    expect(await need.textContent()).toContain('needs permission');
    await need.getByRole('button', { name: 'Allow' }).click();
    await until('the allowed command to run', async () => existsSync(join(user.repo, 'permitted.txt')), 30_000);
    // The question is gone from "Needs you". The session may be listed there again at once, for its
    // next reason (its turn ended: it waits for input), so the row is not required to vanish.
    await until('the question to leave "Needs you"', async () => !(await need.count()) || !(await need.textContent())?.includes('needs permission'), 30_000);
  });

  it('should go offline when the daemon stops, then come back by itself and show what finished meanwhile', async () => {
    await allJobsEnded();
    const port = Number(new URL(link.url).port);
    // A job that is running when the daemon stops and ends while it is down (jobs live on in tmux).
    user.api.setScenario([{ text: 'Finished while the daemon was down.', delayMs: 5000 }]);
    const id = await startJob('outlive the daemon');
    const list = await tab('/jobs');
    const status = list.locator(`[data-job-id="${id}"] [data-testid="job-status"]`);
    await status.filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });
    expect((await user.cb(['daemon', 'stop'])).code).toBe(0);
    await now.locator('[data-connection="offline"]').waitFor({ timeout: 20_000 });
    expect(await textOf(now, '[data-connection]')).toMatch(/offline/);
    const asked = await until('the job to ask the model', async () => user.api.requests.find((r) => r.kind === 'main' && JSON.stringify(r.body).includes('outlive the daemon')));
    await list.waitForTimeout(Math.max(0, asked.receivedAt + 5000 + 2000 - Date.now())); // the answer, then Claude exits with no daemon to see it
    expect(await textOf(list, `[data-job-id="${id}"] [data-testid="job-status"]`)).toContain('running'); // what it last knew, under an offline banner
    expect((await user.cb(['daemon', 'start'])).code).toBe(0);
    // No new `cb serve`, no new link: the daemon listens on the same port again and the tabs' cookie still works.
    await now.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
    expect(new URL(now.url()).port).toBe(String(port));
    await status.filter({ hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    await list.locator('[data-connection="live"]').waitFor({ timeout: 5_000 });
    await list.close();
  });
  // After the restart on purpose: a credential that failed to authenticate refuses new Claude jobs (until `cb doctor` clears it).
  it('should show a failed job’s kind in words, in "Needs you" and on its job page', async () => {
    await allJobsEnded();
    user.api.setScenario([{ status: 401, type: 'authentication_error', message: 'invalid x-api-key', repeat: 'forever' }]);
    const id = await startJob('this one cannot authenticate');
    jobs.failed = id;
    expect((await user.cb(['wait', id])).code).toBe(1);
    const need = now.locator(`[data-testid="needs-you"] [data-need="job"][data-job-id="${id}"]`);
    await need.waitFor({ timeout: 10_000 });
    const needText = (await need.textContent()) ?? '';
    expect(needText).toContain('auth failed');
    expect(needText).toContain('could not authenticate');
    const jobPage = await tab(`/jobs/${id}`);
    const kind = jobPage.locator('[data-testid="failure-kind"]');
    await kind.waitFor({ timeout: 10_000 });
    expect(await kind.textContent()).toMatch(/could not authenticate/);
    expect(await textOf(jobPage, '[data-testid="job-status"]')).toContain('failed');
    await jobPage.close();
  });

  it('should save screenshots of the main pages, desktop and phone', async () => {
    const pages: [string, string, string][] = [
      ['now', '/', '[data-testid="totals"]'],
      ['jobs', '/jobs', '[data-testid="jobs-table"]'],
      ['job-succeeded', `/jobs/${jobs.succeeded}`, '[data-testid="transcript"]'],
      ['job-failed', `/jobs/${jobs.failed}`, '[data-testid="failure-kind"]'],
      ['session', `/sessions/${SESSION}`, '[data-testid="terminal"]'],
      ['inbox', '/inbox', '[data-testid="inbox"]'],
      ['stats', '/stats', '[data-testid="stats"]'],
      ['new-job', '/new', '[data-testid="new-job"]'],
    ];
    const missing: string[] = [];
    const page = await tab('/');
    for (const [name, path, ready] of pages) {
      await navigateInPage(page, path);
      const found = await page.locator(ready).first().waitFor({ timeout: 8_000 }).then(() => true, () => false);
      if (!found) missing.push(`${name}: no ${ready}`);
      await page.waitForTimeout(300); // late data, charts and fonts
      await browser.screenshot(page, `${name}-desktop`);
    }
    await page.close();
    // The Now page that stayed open through everything above (its alerts are what arrived while it was open).
    await browser.screenshot(now, 'now-long-lived-desktop');
    // On a phone: the Now page, and the pages a person opens from it, never scroll sideways.
    const phone = await tab('/', PHONE);
    const sideways: string[] = [];
    for (const [name, path, ready] of pages.filter(([name]) => ['now', 'jobs', 'job-failed', 'session'].includes(name))) {
      await navigateInPage(phone, path);
      await phone.locator(ready).first().waitFor({ timeout: 8_000 });
      await phone.waitForTimeout(300);
      await browser.screenshot(phone, `${name}-phone`);
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) sideways.push(`${name}: ${overflow} px wider than the screen`);
    }
    await phone.close();
    expect(missing).toEqual([]);
    expect(await now.getByRole('button', { name: 'Start job' }).count()).toBe(0); // the Now page has no job form
    expect(sideways).toEqual([]);
  });
});

async function allJobsEnded(): Promise<void> {
  await until('every job to end', async () => (await user.json<Job[]>(['ls'])).every((job) => !['queued', 'starting', 'running', 'retry_wait'].includes(job.status)), 60_000);
}

async function sessionState(): Promise<string | null> {
  const list = await user.json<Session[]>(['session', 'ls']).catch(() => []);
  return list.find((s) => s.name === SESSION)?.state ?? null;
}
