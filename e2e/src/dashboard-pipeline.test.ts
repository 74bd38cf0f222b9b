import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetsDir } from '@flotilla/dashboard';
import { hubPaths, serveHub, type RunningHub } from '@flotilla/mesh';
import type { DirectorReport } from '@flotilla/protocol';
import { makeTempDir, type TempDir } from '@flotilla/testkit';
import { launchDashboardBrowser, navigateInPage, PHONE, textOf, type Dashboard } from './browser.js';

/*
 * The Pipeline page in real Chromium against the REAL hub (`serveHub`, what `mesh serve --port 0`
 * runs, with the built dashboard; no hosts: directors push their reports to it). A report pushed as
 * a director pushes it (`PUT /api/pipeline/:id`) appears without a reload — pause banner, work in
 * flight, the flow's steps, the pull request's link — and the next one replaces it; the pause
 * alert (`POST /api/notifications`) shows among the Now page's alerts.
 */

const ID = 'director@dragon';
const REASON = '12 of 15 runs this cycle were rate-limited or failed fast';
const PR_URL = 'https://github.com/acme/api/pull/7';

let dir: TempDir;
let hub: RunningHub;
let browser: Dashboard;
let page: Page;

const ago = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString();

async function hubApi(method: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${hub.http!.url}${path}`, { method, headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Mid-storm: paused for the next hour, one ticket running a flow's review, one waiting, one pull request tonight. */
function stormReport(): DirectorReport {
  return {
    id: ID,
    host: 'dragon',
    updatedAt: new Date().toISOString(),
    everySeconds: 120,
    status: {
      pause: { until: new Date(Date.now() + 3_600_000).toISOString(), reason: REASON, since: ago(1) },
      lastCycle: { startedAt: ago(2), endedAt: ago(1), skipped: [], sourceErrors: [], preflight: [{ host: 'dragon', ok: true, detail: 'ok' }] },
      queue: [{ repo: 'api', count: 1, tickets: [{ key: 'board:AUTH-1', title: '[api] login page' }] }],
      inFlight: [
        {
          batchId: 'b-auth-2',
          repo: 'api',
          branch: 'flotilla/t/board-AUTH-2',
          stage: 'claimed',
          active: true,
          owner: ID,
          tickets: [{ key: 'board:AUTH-2', title: '[api] rate limit', failedAttempts: 1 }],
          attempts: { total: 2, used: 1, free: 0, allowed: 3 },
          model: 'opus',
          running: true,
          since: ago(12),
          step: 'review',
          flowId: 'b-auth-2:2',
          lastFailure: null,
        },
      ],
      delivered: [{ kind: 'pull_request', repo: 'api', branch: 'flotilla/t/board-AUTH-3', url: PR_URL, number: 7, adopted: false, note: null, at: ago(90), tickets: [{ key: 'board:AUTH-3', title: '[api] logout' }] }],
      gaveUp: [],
      failures: [{ kind: 'rate_limited', count: 12, burned: 0 }],
    },
    flows: [
      {
        id: 'b-auth-2:2',
        name: 'implement-review',
        repo: 'api',
        task: 'add rate limiting to /login',
        state: 'running',
        reason: null,
        branch: 'flotilla/t/board-AUTH-2',
        currentStep: 'review',
        rounds: 1,
        createdAt: ago(12),
        updatedAt: ago(3),
        endedAt: null,
        steps: [
          { position: '0', name: 'implement', kind: 'work', round: 1, attempt: 1, status: 'succeeded', agent: 'claude', model: 'opus', jobId: null, verdict: null, findings: null, note: 'added a token bucket in src/limit.ts', reason: null, startedAt: ago(12), endedAt: ago(4) },
          { position: '1.0', name: 'review', kind: 'review', round: 1, attempt: 1, status: 'running', agent: 'codex', model: 'gpt-5-codex', jobId: null, verdict: null, findings: null, note: null, reason: null, startedAt: ago(3), endedAt: null },
        ],
      },
    ],
  };
}

beforeAll(async () => {
  dir = await makeTempDir('flotilla-pipeline-');
  hub = await serveHub({ paths: hubPaths({ FLOTILLA_HOME: dir.path }), name: 'hub', port: 0, dashboardDir: assetsDir, readHosts: async () => [], openLink: () => { throw new Error('this hub has no hosts'); } });
  browser = await launchDashboardBrowser();
  page = await browser.open(hub.signInUrl()!.replace('/?', '/pipeline?'));
  await page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
}, 60_000);

afterAll(async () => {
  await browser?.[Symbol.asyncDispose]();
  await hub?.close();
  await dir?.[Symbol.asyncDispose]();
});

describe('the Pipeline page on the real hub, in a real browser', () => {
  it('should offer the page in the navigation and say that no director reported yet', async () => {
    expect(await textOf(page, 'nav.nav')).toContain('Pipeline');
    await page.getByText('No director has reported yet').waitFor({ timeout: 10_000 });
  });

  it('should show a pushed report live: the pause with its reason, the running step, the flow and the pull request', async () => {
    await hubApi('PUT', `/api/pipeline/${encodeURIComponent(ID)}`, stormReport());
    const director = page.locator(`[data-director="${ID}"]`);
    await director.waitFor({ timeout: 10_000 });
    const pause = await textOf(page, '[data-testid="pipeline-pause"]');
    expect(pause).toMatch(/^Paused until \d{1,2}:\d\d( [AP]M)? \(in (59 min|1 h 00 min)\): 12 of 15 runs this cycle were rate-limited or failed fast\./);
    const inFlight = await textOf(page, '[data-batch="b-auth-2"]');
    expect(inFlight).toContain('board:AUTH-2 [api] rate limit');
    expect(inFlight).toContain('step review · opus · 1 of 3 attempts used');
    expect(inFlight).toMatch(/running for 1[12] min/);
    expect(await textOf(page, '[data-repo="api"]')).toContain('1 waiting');
    const flow = await textOf(page, '[data-flow="b-auth-2:2"]');
    expect(flow).toContain('implement-review');
    expect(flow).toContain('at review');
    expect(flow).toContain('added a token bucket in src/limit.ts');
    expect(await page.locator('[data-testid="pipeline-delivered"] a').getAttribute('href')).toBe(PR_URL);
    await browser.screenshot(page, 'hub-pipeline');
  });

  it('should replace it with the next report: the pause over, a second pull request', async () => {
    const next = stormReport();
    next.updatedAt = new Date(Date.now() + 1000).toISOString();
    next.status.pause = null;
    next.status.delivered.unshift({ ...next.status.delivered[0]!, branch: 'flotilla/t/board-AUTH-2', number: 8, url: 'https://github.com/acme/api/pull/8', at: new Date().toISOString() });
    next.status.inFlight = [];
    await hubApi('PUT', `/api/pipeline/${encodeURIComponent(ID)}`, next);
    await page.locator('[data-testid="pipeline-pause"]').waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator('[data-testid="pipeline-delivered"] li').nth(1).waitFor({ timeout: 10_000 });
    expect(await textOf(page, `[data-director="${ID}"] header`)).toContain('idle');
    expect(await textOf(page, '[data-testid="pipeline-in-flight"]')).toBe('');
  });

  it('should show the pause alert among the alerts, and the page fit a phone', async () => {
    await hubApi('POST', '/api/notifications', { title: `${ID} paused until 03:40 UTC`, body: `${REASON} (claude)`, level: 'warning', kind: 'director.pause' });
    await navigateInPage(page, '/');
    await page.locator('[data-alert="director.pause"]').waitFor({ timeout: 10_000 });
    expect(await textOf(page, '[data-alert="director.pause"]')).toContain(`${ID} paused until 03:40 UTC`);
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

    const phone = await browser.open(hub.signInUrl()!.replace('/?', '/pipeline?'), PHONE);
    await phone.locator(`[data-director="${ID}"]`).waitFor({ timeout: 10_000 });
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await browser.screenshot(phone, 'hub-pipeline-phone');
  });
});
