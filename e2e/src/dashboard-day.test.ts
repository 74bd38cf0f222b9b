import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host, Job, JobPage, Session, Task } from '@flotilla/protocol';
import { inOrder, launchDashboardBrowser, navigateInPage, recordTexts, textOf, textsSeen, type Dashboard } from './browser.js';
import { startHubWorld, type HubWorld } from './hub-world.js';

/*
 * Issue 5's "done when": a day of parallel agent work run from the page alone, in real Chromium,
 * against the real hub over two hosts (real cb daemons through local links), each running real
 * Claude Code against its own fake model API. Every action is a click or a keystroke in the page;
 * the hub's API is only read, to check the page against it (and, once, to play the agent that
 * claims a board task). At the end every status the page shows is compared with the API's.
 */

let world: HubWorld;
let browser: Dashboard;
/** The Now page, open from the start to the end without a reload. */
let now: Page;
/** The page a person clicks through. */
let page: Page;
const jobs: { laptop?: string; dragon?: string } = {};
const SESSION = 'helper';
const TURN_MS = 3000;

const writeFile = (file: string, content: string, delayMs = 0) => [
  { text: `Writing ${file}.`, toolUses: [{ name: 'Write', input: { file_path: file, content } }], delayMs },
  { text: `Created ${file}.` },
];

async function apiGet<T>(path: string, query?: Record<string, string>): Promise<T> {
  const res = await world.api<T>('GET', path, { query });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
const job = (id: string) => apiGet<Job>(`/api/jobs/${id}`);

/** New job, from the page: host, prompt, directory (typed), worktree; returns the new job's id (the page opens it). */
async function startJobFromPage(host: string, prompt: string, cwd: string, worktree: boolean): Promise<string> {
  await navigateInPage(page, '/new');
  const form = page.locator('[data-testid="new-job"]');
  await form.waitFor({ timeout: 10_000 });
  await form.getByLabel('Host').selectOption(host);
  await form.getByLabel('Prompt').fill(prompt);
  // The labels wrap their selects, so their names include every option's text: found by where they are.
  await form.locator('label.nj-wide', { hasText: /^Directory/ }).locator('select').selectOption({ label: 'other directory…' });
  await form.getByPlaceholder('/path/to/repo').fill(cwd);
  if (worktree) await form.getByLabel(/Own worktree/).check();
  await form.getByRole('button', { name: 'Start job' }).click();
  await page.waitForURL(/\/jobs\/[0-9A-Z]{26}$/, { timeout: 15_000 });
  return new URL(page.url()).pathname.split('/').pop()!;
}

beforeAll(async () => {
  world = await startHubWorld({ local: ['laptop', 'dragon'] });
  world.hosts.get('laptop')!.api.setScenario([...writeFile('notes.txt', 'written on laptop\n', TURN_MS), { text: 'Added a second line as asked.' }]);
  world.hosts.get('dragon')!.api.setScenario([{ text: 'The build on dragon is green.', delayMs: TURN_MS }]);
  browser = await launchDashboardBrowser();
  now = await browser.open(world.signInUrl());
  await now.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
  await now.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  page = await now.context().newPage();
  await page.goto(`${world.url}/`);
  await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
}, 120_000);

afterAll(async () => {
  await browser?.[Symbol.asyncDispose]();
  await world?.[Symbol.asyncDispose]();
});

describe('a day of work from the page, against the real hub with two hosts running real Claude Code (slow)', () => {
  it('should start a job on each host from New job and watch both go to succeeded live on Now', async () => {
    const laptop = world.hosts.get('laptop')!;
    const dragon = world.hosts.get('dragon')!;
    jobs.laptop = await startJobFromPage('laptop', 'write notes.txt', laptop.repo, true);
    await browser.screenshot(page, 'day-new-job-started');
    jobs.dragon = await startJobFromPage('dragon', 'check the build', dragon.repo, false);
    // Away from dragon's job page: a result nobody opened stays unread for the inbox.
    await navigateInPage(page, '/');
    expect((await job(jobs.laptop)).host).toBe('laptop');
    expect((await job(jobs.dragon)).host).toBe('dragon');
    for (const id of [jobs.laptop, jobs.dragon]) {
      await now.locator(`[data-job-id="${id}"]`).first().waitFor({ timeout: 15_000 });
      await recordTexts(now, id, `[data-job-id="${id}"] .badge`);
    }
    await browser.screenshot(now, 'day-now-running');
    for (const id of [jobs.laptop, jobs.dragon]) {
      await world.until(`job ${id} to succeed`, async () => (await job(id)).status === 'succeeded', 90_000);
      // A finished job leaves "Running" on its own, live.
      await now.locator(`[data-job-id="${id}"]`).waitFor({ state: 'detached', timeout: 10_000 });
      const seen = await textsSeen(now, id);
      expect(inOrder(seen, ['running']), `Now showed ${JSON.stringify(seen)} for ${id}`).toBe(true);
    }
    const done = now.locator('[data-testid="totals"] .stat', { hasText: 'succeeded, 24 h' }).locator('.stat-value');
    await world.until('"succeeded, 24 h" to count both', async () => (await done.textContent()) === '2', 10_000);
    expect(await now.locator('.host-group[data-host="laptop"]').count()).toBe(0);
  });

  it("should open a job's transcript and its diff, then resume it with a follow-up", async () => {
    await navigateInPage(page, `/jobs/${jobs.laptop}`);
    await world.until('the transcript to show the final answer', async () => (await textOf(page, '[data-testid="transcript"]'))?.includes('Created notes.txt.'), 15_000);
    const diff = page.locator('[data-testid="diff"]');
    await diff.waitFor({ timeout: 15_000 });
    await world.until('the diff to show the new file', async () => {
      const text = (await diff.textContent()) ?? '';
      return text.includes('notes.txt') && text.includes('written on laptop');
    }, 15_000);
    await browser.screenshot(page, 'day-job-diff');
    await recordTexts(page, 'resumed', '[data-testid="job-status"]');
    await page.getByLabel('Follow-up prompt').fill('add a second line to notes.txt');
    await page.getByRole('button', { name: 'Resume' }).click();
    // The page shows the second attempt run and end, live: succeeded → running → succeeded.
    await world.until('the job page to show the resumed attempt end', async () => inOrder(await textsSeen(page, 'resumed'), ['succeeded', 'running', 'succeeded']), 90_000);
    await world.until('the second attempt in the transcript', async () => (await textOf(page, '[data-testid="transcript"]'))?.includes('Added a second line as asked.'), 30_000);
    const resumed = await job(jobs.laptop!);
    expect(resumed.status).toBe('succeeded');
    expect(resumed.attempts.length).toBe(2);
    await browser.screenshot(page, 'day-job-resumed');
  });

  it('should start a session on the second host and answer its permission question from Needs you', async () => {
    const dragon = world.hosts.get('dragon')!;
    await navigateInPage(page, '/sessions');
    await page.getByRole('button', { name: 'New session' }).click();
    const form = page.locator('[data-testid="new-session"]');
    await form.getByLabel('Name').fill(SESSION);
    await form.getByLabel('Host').selectOption('dragon');
    await form.getByLabel(/Directory/).fill(dragon.repo);
    await form.getByRole('button', { name: 'Start session' }).click();
    await page.waitForURL(/\/sessions\/helper(%40|@)dragon$/, { timeout: 15_000 });
    // Claude Code's own screen arrives through the hub's terminal stream.
    await page.locator('[data-testid="terminal-status"]', { hasText: 'read-only' }).waitFor({ timeout: 30_000 });
    await world.until('the session to take input', async () => {
      const listed = await apiGet<Session[]>('/api/sessions', { host: 'dragon' });
      return ['idle', 'waiting_input'].includes(listed.find((s) => s.name === SESSION)?.state ?? '');
    }, 60_000);
    await world.until("Claude's input box in the page's terminal", async () => /❯/.test((await textOf(page, '[data-testid="terminal"]')) ?? ''), 15_000);
    await browser.screenshot(page, 'day-session');
    dragon.api.setScenario([
      { text: 'I will write a file.', toolUses: [{ name: 'Bash', input: { command: 'echo allowed > permitted.txt', description: 'Write permitted.txt' } }] },
      { text: 'Wrote it.' },
    ]);
    const send = page.locator('[data-testid="send"]');
    await send.getByRole('textbox').fill('write permitted.txt please');
    await send.getByRole('button', { name: 'Send' }).click();
    await page.locator('[data-testid="send-receipt"][data-ok="true"]').waitFor({ timeout: 30_000 });
    const need = now.locator(`[data-testid="needs-you"] [data-need="session"][data-session="${SESSION}"]`);
    await need.waitFor({ timeout: 30_000 });
    expect(await need.textContent()).toContain('needs permission');
    await browser.screenshot(now, 'day-needs-you');
    await need.getByRole('button', { name: 'Allow' }).click();
    await world.until('the allowed command to run on dragon', async () => existsSync(join(dragon.repo, 'permitted.txt')), 30_000);
    expect(readFileSync(join(dragon.repo, 'permitted.txt'), 'utf8')).toBe('allowed\n');
    await world.until('the question to leave "Needs you"', async () => !(await need.count()) || !(await need.textContent())?.includes('needs permission'), 30_000);
  });

  it('should add a board task and see it claimed and done, live', async () => {
    await navigateInPage(page, '/board');
    const form = page.locator('[data-testid="add-task"]');
    await form.getByLabel('Title').fill('Write the release notes');
    await form.getByLabel('Tags').fill('docs');
    await form.getByRole('button', { name: 'Add task' }).click();
    const card = (column: string) => page.locator(`[data-column="${column}"] [data-task-key="DOCS-1"]`);
    await card('todo').waitFor({ timeout: 10_000 });
    // The agent's side, as its daemon relays it: the session on dragon claims the task, then finishes it.
    const session = (await apiGet<Session[]>('/api/sessions', { host: 'dragon' })).find((s) => s.name === SESSION)!;
    const claimed = await world.api<{ task: Task }>('POST', '/api/board/claim', { body: { holder: { who: SESSION, host: 'dragon', sessionId: session.id }, tags: ['docs'], leaseMs: 600_000 } });
    expect(claimed.body.task.key).toBe('DOCS-1');
    await card('doing').waitFor({ timeout: 5_000 });
    expect(await card('doing').textContent()).toContain(`held by ${SESSION}@dragon`);
    await world.api('POST', '/api/board/DOCS-1/done', { body: { token: claimed.body.task.token, note: 'Release notes are in NOTES.md.' } });
    await card('done').waitFor({ timeout: 5_000 });
    await browser.screenshot(page, 'day-board');
  });

  it("should read the inbox: the result nobody opened is unread (the one whose page was opened is read), then marked read", async () => {
    await navigateInPage(page, '/inbox');
    const results = page.locator('[data-testid="inbox-results"]');
    await results.locator(`[data-job-id="${jobs.dragon}"]`).waitFor({ timeout: 10_000 });
    expect(await results.textContent()).toContain('check the build');
    expect(await results.locator(`[data-job-id="${jobs.laptop}"]`).count()).toBe(0);
    expect((await job(jobs.laptop!)).unread).toBe(false);
    await browser.screenshot(page, 'day-inbox');
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page.locator('[data-testid="inbox-results"] [data-job-id]').first().waitFor({ state: 'detached', timeout: 10_000 });
    expect((await job(jobs.laptop!)).unread).toBe(false);
    expect((await job(jobs.dragon!)).unread).toBe(false);
  });

  it('should show exactly the statuses the API has, on every page (never stale)', async () => {
    // A moment for the last events to land; then one look, no retries.
    await page.waitForTimeout(2_000);
    const mismatches: string[] = [];
    const apiJobs = (await apiGet<JobPage>('/api/jobs', { limit: '200' })).items;
    await navigateInPage(page, '/jobs');
    await page.locator('[data-testid="jobs-table"]').waitFor({ timeout: 10_000 });
    await page.waitForTimeout(500);
    for (const item of apiJobs) {
      const shown = await textOf(page, `[data-job-id="${item.id}"] [data-testid="job-status"]`);
      if (!shown?.includes(item.status.replace(/_/g, ' '))) mismatches.push(`job ${item.id}: page ${shown}, API ${item.status}`);
    }
    const apiSessions = await apiGet<Session[]>('/api/sessions');
    await navigateInPage(page, '/sessions');
    await page.locator('[data-testid="sessions"]').waitFor({ timeout: 10_000 });
    await page.waitForTimeout(500);
    for (const session of apiSessions) {
      const shown = await page.locator(`[data-session="${session.name}"]`).first().getAttribute('data-state');
      if (shown !== session.state) mismatches.push(`session ${session.name}@${session.host}: page ${shown}, API ${session.state}`);
    }
    const apiHosts = await apiGet<Host[]>('/api/hosts');
    await navigateInPage(page, '/hosts');
    await page.locator('[data-testid="hosts"]').waitFor({ timeout: 10_000 });
    for (const host of apiHosts) {
      const shown = await page.locator(`[data-host="${host.name}"]`).first().getAttribute('data-state');
      if (shown !== host.state) mismatches.push(`host ${host.name}: page ${shown}, API ${host.state}`);
    }
    const tasks = await apiGet<Task[]>('/api/board');
    await navigateInPage(page, '/board');
    await page.locator('[data-column]').first().waitFor({ timeout: 10_000 });
    for (const task of tasks) {
      const shown = await page.locator(`[data-task-key="${task.key}"]`).first().getAttribute('data-status');
      if (shown !== task.status) mismatches.push(`task ${task.key}: page ${shown}, API ${task.status}`);
    }
    expect(apiJobs.length).toBeGreaterThanOrEqual(2);
    expect(apiSessions.length).toBeGreaterThanOrEqual(1);
    expect(mismatches).toEqual([]);
    // And the Now page that stayed open all day: nothing running, nobody waiting, never reloaded.
    expect(await now.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await browser.screenshot(now, 'day-now-end');
  });
});
