import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host, Job, Session, Task } from '@flotilla/protocol';
import { launchDashboardBrowser, navigateInPage, PHONE, textOf, type Dashboard } from './browser.js';
import { startHubWorld, type HubWorld } from './hub-world.js';

/*
 * The dashboard's hub pages in real Chromium against the REAL hub (`serveHub` from @flotilla/mesh,
 * what `mesh serve --port 0` runs) over real cb daemons: `laptop` through a local link, `dragon`
 * over real SSH (a loopback sshd whose sessions are dragon's environment), and `mac`, the same
 * sshd under a name whose key nobody trusted (refused). Board, hosts, channel and a remote
 * session's terminal are driven through the hub's own API and its page.
 */

let world: HubWorld;
let browser: Dashboard;
/** One page for the whole file: every step after the first load happens without a reload. */
let page: Page;
let reviewer: Session;
let migration: Job;

type Api = HubWorld['api'];
const post = <T>(api: Api, path: string, body: unknown, query?: Record<string, string>) => api<T>('POST', path, { body, query }).then((res) => {
  if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
});
const claim = (holder: Record<string, string>, tags: string[]) => post<{ task: Task | null }>(world.api, '/api/board/claim', { holder, tags, leaseMs: 300_000 }).then((res) => res.task!);

/** The board the page opens on: a task in every open column, one done, one handed off. */
async function seedBoard(): Promise<void> {
  const { api } = world;
  await post(api, '/api/board', { title: 'Set up key storage', tags: ['auth'] });
  const first = await claim({ who: 'writer', host: 'dragon' }, ['auth']);
  await post(api, `/api/board/${first.key}/done`, { token: first.token, note: 'Keys live in the vault.' });
  await post(api, '/api/board', { title: 'Rotate the signing keys', tags: ['auth'] });
  expect((await claim({ who: 'reviewer', host: 'laptop', sessionId: reviewer.id }, ['auth'])).key).toBe('AUTH-2');
  await post(api, '/api/board', { title: 'Revoke the old keys', tags: ['auth'], after: ['AUTH-2'] });
  await post(api, '/api/board', { title: 'Audit who used the old keys', tags: ['auth'], proposed: true });
  await post(api, '/api/board', { title: 'Draft the rollback runbook', tags: ['auth'] });
  const runbook = await claim({ who: 'writer', host: 'dragon' }, ['auth']);
  expect(runbook.key).toBe('AUTH-5');
  await post(api, '/api/board/AUTH-5/handoff', { token: runbook.token, to: 'reviewer', note: 'Runbook drafted; please check the rollback steps.', branch: 'flotilla/auth-runbook' });
}

beforeAll(async () => {
  world = await startHubWorld({ local: ['laptop'], ssh: 'dragon', refused: 'mac' });
  const laptop = world.hosts.get('laptop')!;
  const dragon = world.hosts.get('dragon')!;
  // A job that runs on dragon for the whole file (the model takes its time), and a Claude Code session on laptop.
  dragon.api.setScenario([{ text: 'Migrated.', delayMs: 240_000 }]);
  laptop.api.setScenario([{ text: 'On it.' }]);
  migration = await post<Job>(world.api, '/api/jobs', { prompt: 'migrate the billing tables', cwd: dragon.repo }, { host: 'dragon' });
  reviewer = await post<Session>(world.api, '/api/sessions', { name: 'reviewer', cwd: laptop.repo }, { host: 'laptop' });
  // A shell on dragon, for its terminal through the hub: it prints a line only a running shell could.
  await post(world.api, '/api/sessions', { name: 'shell', cwd: dragon.repo, command: ['/bin/sh', '-c', 'echo "remote-screen-$((40+2))"; exec /bin/sh'] }, { host: 'dragon' });
  await seedBoard();
  await world.until('the migration to run on dragon', async () => (await world.api<Job>('GET', `/api/jobs/${migration.id}`)).body.status === 'running', 60_000);
  browser = await launchDashboardBrowser();
  page = await browser.open(`${world.signInUrl().replace('/?', '/board?')}`);
  await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
  // Set once: still there at the end means the page never reloaded.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
}, 150_000);

afterAll(async () => {
  await browser?.[Symbol.asyncDispose]();
  await world?.[Symbol.asyncDispose]();
});

const card = (column: string, key: string) => page.locator(`[data-column="${column}"] [data-task-key="${key}"]`);
const task = async (key: string) => (await world.api<Task>('GET', `/api/board/${key}`)).body;

describe('the dashboard on the real hub, in a real browser (slow)', () => {
  it('should show the hub pages in the navigation and the board as the hub has it', async () => {
    const nav = await textOf(page, 'nav.nav');
    expect(nav).toContain('Hosts');
    expect(nav).toContain('Board');
    expect(nav).toContain('Channel');
    await card('doing', 'AUTH-2').waitFor({ timeout: 10_000 });
    expect(await card('doing', 'AUTH-2').textContent()).toMatch(/held by reviewer@laptop.*lease \d+:\d\d left/);
    expect(await card('todo', 'AUTH-3').textContent()).toContain('blocked: waits for AUTH-2 (doing)');
    expect(await card('todo', 'AUTH-5').textContent()).toContain('Runbook drafted; please check the rollback steps.');
  });

  it('should add a task from the form and show it in "To do"', async () => {
    const form = page.locator('[data-testid="add-task"]');
    await form.getByLabel('Title').fill('Log every refused login');
    await form.getByLabel('Tags').fill('backend, auth');
    await form.getByLabel('After (task keys)').fill('AUTH-1');
    await form.getByRole('button', { name: 'Add task' }).click();
    await page.locator('[data-testid="add-task-outcome"]', { hasText: 'Added BACKEND-1 to to do.' }).waitFor({ timeout: 10_000 });
    await card('todo', 'BACKEND-1').waitFor({ timeout: 5_000 });
    expect(await task('BACKEND-1')).toMatchObject({ title: 'Log every refused login', tags: ['backend', 'auth'], after: [(await task('AUTH-1')).id] });
    await browser.screenshot(page, 'hub-board');
  });

  it('should move a card to "Doing" live when an agent claims it through the hub', async () => {
    await claim({ who: 'reviewer', host: 'laptop', sessionId: reviewer.id }, ['backend']);
    await card('doing', 'BACKEND-1').waitFor({ timeout: 5_000 });
    expect(await card('todo', 'BACKEND-1').count()).toBe(0);
    expect(await card('doing', 'BACKEND-1').textContent()).toMatch(/held by reviewer@laptop · its session.*lease [45]:\d\d left/);
    // The countdown ticks without an event.
    const before = await card('doing', 'BACKEND-1').locator('[data-testid="lease"]').textContent();
    await page.waitForFunction((text) => document.querySelector('[data-task-key="BACKEND-1"] [data-testid="lease"]')?.textContent !== text, before, { timeout: 5_000 });
    // Arrow keys move between cards: from AUTH-2 (first in Doing) down to BACKEND-1.
    await card('doing', 'AUTH-2').locator('.task-title').focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.closest('[data-task-key]')?.getAttribute('data-task-key'))).toBe('BACKEND-1');
  });

  it('should approve a proposed task', async () => {
    await card('proposed', 'AUTH-4').getByRole('button', { name: /Approve/ }).click();
    await card('todo', 'AUTH-4').waitFor({ timeout: 5_000 });
    expect((await task('AUTH-4')).status).toBe('todo');
  });

  it("should open a task's page with its history and handoff notes", async () => {
    await card('todo', 'AUTH-5').locator('.task-title').click();
    await page.locator('[data-testid="task-history"]').waitFor({ timeout: 5_000 });
    expect(await textOf(page, '[data-testid="task-history"]')).toMatch(/claimed writer@dragon.*handed off .*writer.*→ @?reviewer.*Runbook drafted; please check the rollback steps\./);
    expect(new URL(page.url()).pathname).toBe('/board/AUTH-5');
    await browser.screenshot(page, 'hub-task');
  });

  it('should post to the channel with a mention, delivered into the session it names', async () => {
    await navigateInPage(page, '/channel');
    const box = page.locator('[data-testid="post"]');
    await box.waitFor({ timeout: 10_000 });
    await box.getByRole('textbox').fill('@reviewer BACKEND-1 is yours when AUTH-2 lands');
    await box.getByRole('button', { name: 'Send' }).click();
    const last = page.locator('[data-testid="channel-stream"] .msg').last();
    await last.locator('.mention', { hasText: '@reviewer' }).waitFor({ timeout: 5_000 });
    // Delivered for real: into the Claude Code session on laptop, confirmed by its prompt hook.
    await last.locator('[data-testid="receipt"]', { hasText: 'delivered ✓' }).waitFor({ timeout: 90_000 });
    expect(await page.evaluate(() => {
      const el = document.querySelector('[data-testid="channel-stream"]')!;
      return el.scrollHeight - el.scrollTop - el.clientHeight;
    })).toBeLessThan(50);
    await browser.screenshot(page, 'hub-channel');
  });

  it("should show a remote session's screen in its terminal, through the hub and dragon's SSH link", async () => {
    await navigateInPage(page, '/sessions');
    const link = page.locator('[data-session="shell"] a', { hasText: 'shell' });
    await link.first().click();
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe('/sessions/shell@dragon');
    const terminal = page.locator('[data-testid="terminal"]');
    await terminal.waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="terminal-status"]', { hasText: 'read-only' }).waitFor({ timeout: 15_000 });
    await world.until('the remote screen in the page', async () => (await textOf(page, '[data-testid="terminal"]'))?.includes('remote-screen-42'), 15_000);
    // Typing only after the explicit unlock, with the hub's own token (the cookie is read-only).
    await page.getByRole('button', { name: 'Unlock typing' }).click();
    const dialog = page.locator('[data-testid="unlock-dialog"]');
    expect(await dialog.textContent()).toContain('hub-token');
    await dialog.getByLabel('Hub token').fill(world.running.token);
    await dialog.getByRole('button', { name: 'Unlock' }).click();
    await page.locator('[data-testid="terminal-status"]', { hasText: 'typing unlocked' }).waitFor({ timeout: 15_000 });
    await page.keyboard.type('echo "typed-$((2+3))"');
    await page.keyboard.press('Enter');
    await world.until('the typed command to run on dragon', async () => (await textOf(page, '[data-testid="terminal"]'))?.includes('typed-5'), 15_000);
    await browser.screenshot(page, 'hub-remote-terminal');
  });

  it('should say a host is unreachable when its link goes down, and how to trust a refused one', async () => {
    await navigateInPage(page, '/hosts');
    const dragon = page.locator('[data-host="dragon"]');
    await dragon.waitFor({ timeout: 10_000 });
    await dragon.locator('a, li, span', { hasText: 'migrate the billing tables' }).first().waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-host="mac"] [data-testid="key-advice"]').textContent()).toContain('mesh hosts trust mac');
    await world.sshd!.cut();
    await dragon.locator('[data-testid="host-state"]', { hasText: 'unreachable since' }).waitFor({ timeout: 15_000 });
    expect(await dragon.textContent()).toContain('Its jobs keep running there');
    await browser.screenshot(page, 'hub-hosts');
    // Security lists every host's key with its verdict.
    const mac = (await world.api<Host[]>('GET', '/api/hosts')).body.find((host) => host.name === 'mac')!;
    expect(mac.state).toBe('refused');
    await navigateInPage(page, '/security');
    await page.locator('[data-testid="host-keys"] [data-host="mac"]', { hasText: 'not trusted yet' }).waitFor({ timeout: 5_000 });
    expect(await textOf(page, '[data-testid="host-keys"] [data-host="mac"]')).toContain(mac.hostKey!.fingerprint);
    // Now, per host: a host that is down says so above what it last reported.
    await navigateInPage(page, '/');
    await page.locator('.host-group[data-host="dragon"]', { hasText: 'unreachable since' }).waitFor({ timeout: 5_000 });
    await browser.screenshot(page, 'hub-now');
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  });

  it('should stack the board columns on a phone', async () => {
    const phone = await browser.open(`${world.signInUrl().replace('/?', '/board?')}`, PHONE);
    await phone.locator('[data-column="doing"] [data-task-key]').first().waitFor({ timeout: 10_000 });
    const xs = await phone.locator('[data-column]').evaluateAll((cols) => cols.map((c) => Math.round(c.getBoundingClientRect().x)));
    expect(new Set(xs).size).toBe(1);
    await browser.screenshot(phone, 'hub-board-phone');
  });
});
