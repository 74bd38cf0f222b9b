import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDashboardBrowser, navigateInPage, PHONE, textOf, type Dashboard } from './browser.js';
import { iso } from './dashboard-hub-world.js';
import { startHubStandIn, type HubStandIn } from './dashboard-hub-standin.js';

/*
 * The dashboard's hub pages in real Chromium. The server is the in-memory STAND-IN for `mesh serve`
 * (dashboard-hub-standin.ts) — the real hub was being written at the same time; this file must be
 * switched to the real `mesh serve` (its own store, SSH hosts in namespaces) once it serves these routes.
 */

let hub: HubStandIn;
let browser: Dashboard;
/** One page for the whole file: every step after the first load happens without a reload. */
let page: Page;

beforeAll(async () => {
  hub = await startHubStandIn();
  browser = await launchDashboardBrowser();
  page = await browser.open(`${hub.url}/board`);
  await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
  // Set once: still there at the end means the page never reloaded.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
}, 60_000);

afterAll(async () => {
  await browser?.[Symbol.asyncDispose]();
  await hub?.[Symbol.asyncDispose]();
});

const card = (column: string, key: string) => page.locator(`[data-column="${column}"] [data-task-key="${key}"]`);

describe('the dashboard on a hub, in a real browser (against the hub stand-in until mesh serve lands)', () => {
  it('should show the hub pages in the navigation', async () => {
    const nav = await textOf(page, 'nav.nav');
    expect(nav).toContain('Hosts');
    expect(nav).toContain('Board');
    expect(nav).toContain('Channel');
    await card('doing', 'AUTH-1').waitFor({ timeout: 10_000 });
    expect(await card('doing', 'AUTH-1').textContent()).toMatch(/held by reviewer@dragon.*lease \d+:\d\d left/);
    expect(await card('todo', 'AUTH-2').textContent()).toContain('blocked: waits for AUTH-1 (doing)');
    expect(await card('review', 'AUTH-4').textContent()).toContain('Runbook drafted; please check the rollback steps.');
  });

  it('should add a task from the form and show it in "To do"', async () => {
    const form = page.locator('[data-testid="add-task"]');
    await form.getByLabel('Title').fill('Log every refused login');
    await form.getByLabel('Tags').fill('backend, auth');
    await form.getByLabel('After (task keys)').fill('AUTH-1');
    await form.getByRole('button', { name: 'Add task' }).click();
    await page.locator('[data-testid="add-task-outcome"]', { hasText: 'Added WEB-5 to to do.' }).waitFor({ timeout: 10_000 });
    await card('todo', 'WEB-5').waitFor({ timeout: 5_000 });
    expect(hub.findTask('WEB-5')).toMatchObject({ title: 'Log every refused login', tags: ['backend', 'auth'], after: [hub.findTask('AUTH-1')!.id] });
    await browser.screenshot(page, 'hub-board');
  });

  it('should move a card to "Doing" live when the hub announces a claim', async () => {
    const session = hub.world.sessions[0]!;
    hub.changeTask('WEB-5', { status: 'doing', holder: { who: 'reviewer', host: 'dragon', sessionId: session.id }, leaseExpiresAt: iso(300_000), token: 1 }, { kind: 'claimed', by: 'reviewer', host: 'dragon', token: 1 });
    await card('doing', 'WEB-5').waitFor({ timeout: 5_000 });
    expect(await card('todo', 'WEB-5').count()).toBe(0);
    expect(await card('doing', 'WEB-5').textContent()).toMatch(/held by reviewer@dragon · its session.*lease [45]:\d\d left/);
    // The countdown ticks without an event.
    const before = await card('doing', 'WEB-5').locator('[data-testid="lease"]').textContent();
    await page.waitForFunction((text) => document.querySelector('[data-task-key="WEB-5"] [data-testid="lease"]')?.textContent !== text, before, { timeout: 5_000 });
    // Arrow keys move between cards: from AUTH-1 (first in Doing) down to WEB-5.
    await card('doing', 'AUTH-1').locator('.task-title').focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.closest('[data-task-key]')?.getAttribute('data-task-key'))).toBe('WEB-5');
  });

  it('should approve a proposed task', async () => {
    await card('proposed', 'AUTH-3').getByRole('button', { name: /Approve/ }).click();
    await card('todo', 'AUTH-3').waitFor({ timeout: 5_000 });
    expect(hub.findTask('AUTH-3')?.status).toBe('todo');
  });

  it("should open a task's page with its history and handoff notes", async () => {
    await card('review', 'AUTH-4').locator('.task-title').click();
    const history = page.locator('[data-testid="task-history"]');
    await history.waitFor({ timeout: 5_000 });
    expect(await textOf(page, '[data-testid="task-history"]')).toMatch(/claimed writer@laptop.*handed off writer@laptop → @reviewer Runbook drafted; please check the rollback steps\. branch flotilla\/auth-runbook/);
    expect(new URL(page.url()).pathname).toBe('/board/AUTH-4');
    await browser.screenshot(page, 'hub-task');
  });

  it('should say a host is unreachable when its link goes down, and how to trust a refused one', async () => {
    await navigateInPage(page, '/hosts');
    const dragon = page.locator('[data-host="dragon"]');
    await dragon.waitFor({ timeout: 10_000 });
    expect(await dragon.textContent()).toContain('migrate the billing tables');
    expect(await page.locator('[data-host="mac"] [data-testid="key-advice"]').textContent()).toContain('mesh hosts trust mac');
    hub.changeHost('dragon', { state: 'down', error: 'connection reset by peer', latencyMs: null });
    await dragon.locator('[data-testid="host-state"]', { hasText: 'unreachable since' }).waitFor({ timeout: 5_000 });
    expect(await dragon.textContent()).toContain('Its jobs keep running there');
    await browser.screenshot(page, 'hub-hosts');
    // Security lists every host's key with its verdict.
    await navigateInPage(page, '/security');
    await page.locator('[data-testid="host-keys"] [data-host="mac"]', { hasText: 'not trusted yet' }).waitFor({ timeout: 5_000 });
    expect(await textOf(page, '[data-testid="host-keys"] [data-host="mac"]')).toContain('SHA256:m4cK3yN0tTrust3dYetAbCdEfGh1jKlMnOpQrStUv');
  });

  it('should show a channel post with its mention and its receipt', async () => {
    await navigateInPage(page, '/channel');
    await page.locator('[data-testid="channel-stream"] .msg').first().waitFor({ timeout: 10_000 });
    const box = page.locator('[data-testid="post"]');
    await box.getByRole('textbox').fill('@reviewer WEB-5 is yours when AUTH-1 lands');
    await box.getByRole('button', { name: 'Send' }).click();
    const last = page.locator('[data-testid="channel-stream"] .msg').last();
    await last.locator('.mention', { hasText: '@reviewer' }).waitFor({ timeout: 5_000 });
    await last.locator('[data-testid="receipt"]', { hasText: 'delivered ✓' }).waitFor({ timeout: 5_000 });
    // The stream followed the new post to the bottom.
    expect(await page.evaluate(() => {
      const el = document.querySelector('[data-testid="channel-stream"]')!;
      return el.scrollHeight - el.scrollTop - el.clientHeight;
    })).toBeLessThan(50);
    await browser.screenshot(page, 'hub-channel');
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await navigateInPage(page, '/');
    // Now, per host: a host that is down says so above what it last reported.
    await page.locator('.host-group[data-host="dragon"]', { hasText: 'unreachable since' }).waitFor({ timeout: 5_000 });
    await browser.screenshot(page, 'hub-now');
  });

  it('should stack the board columns on a phone', async () => {
    const phone = await browser.open(`${hub.url}/board`, PHONE);
    await phone.locator('[data-column="doing"] [data-task-key]').first().waitFor({ timeout: 10_000 });
    const xs = await phone.locator('[data-column]').evaluateAll((cols) => cols.map((c) => Math.round(c.getBoundingClientRect().x)));
    expect(new Set(xs).size).toBe(1);
    await browser.screenshot(phone, 'hub-board-phone');
  });
});
