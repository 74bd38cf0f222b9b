#!/usr/bin/env node
/**
 * First load of the dashboard over loopback, as a person opening the link `cb serve` printed:
 * bytes on the wire (Chromium's own count, CDP Network.loadingFinished encodedDataLength: gzip
 * bodies plus headers) and the time until the Now page shows live data, each run in a fresh
 * browser profile (empty cache, a new one-time link, so the token → cookie redirect is included).
 *
 *   ready      the live store is connected, has its snapshot, and the totals are on screen
 *   baseline   a blank page served by the same daemon (the built assets copied beside a
 *              blank.html, FLOTILLA_DASHBOARD_DIR): the daemon's and Chromium's own share
 *   warm       a reload in the same profile (fingerprinted assets come from the cache)
 *
 * Run: node apps/dashboard/bench/first-load.mjs [--runs 10] [--jobs 20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distWithBlankPage, launchChromium, numericOptions, onCleanup, printFooter, printHeader, printLatencyTable, startWorld, summarize } from './lib/world.mjs';

const USAGE = `usage: node apps/dashboard/bench/first-load.mjs [options]
  --runs N   cold loads of each page, each in a fresh profile (default 10)
  --jobs N   finished jobs in the daemon before the loads, so the snapshot has rows (default 20)`;
const opts = numericOptions({ runs: 10, jobs: 20 }, USAGE);
const TARGET_KB = 250;

printHeader('first-load (cold, loopback)', { runs: opts.runs, jobs: opts.jobs });

const scratch = mkdtempSync(join(tmpdir(), 'dashboard-first-load-'));
onCleanup(() => rmSync(scratch, { recursive: true, force: true }));
const world = await startWorld('first-load', { seconds: 0, intervalMs: 1000, slots: 8, dashboardDir: distWithBlankPage(scratch) });
await Promise.all(Array.from({ length: opts.jobs }, (_, i) => world.createJob(`first-load job ${i}`)));
const chromium = await launchChromium();

/** Every response of one load, with Chromium's transfer sizes. */
async function load(page, navigate, ready) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const requests = new Map();
  cdp.on('Network.requestWillBeSent', (e) => requests.set(e.requestId, { url: e.request.url, type: e.type, bytes: 0 }));
  cdp.on('Network.loadingFinished', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.bytes = e.encodedDataLength;
  });
  const started = Date.now();
  await navigate();
  const handle = await page.waitForFunction(ready, null, { timeout: 30_000, polling: 'raf' });
  const wallMs = Date.now() - started;
  const readyMs = await handle.jsonValue();
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return { domContentLoadedMs: nav?.domContentLoadedEventEnd ?? NaN, fcpMs: fcp?.startTime ?? NaN };
  });
  await new Promise((r) => setTimeout(r, 300)); // late loadingFinished events
  await cdp.detach();
  const all = [...requests.values()];
  const sum = (list) => list.reduce((n, r) => n + r.bytes, 0);
  return {
    wallMs,
    readyMs,
    ...timing,
    jsCss: sum(all.filter((r) => r.type === 'Script' || r.type === 'Stylesheet')),
    total: sum(all),
    requests: all.length,
    files: all.filter((r) => r.type === 'Script' || r.type === 'Stylesheet').map((r) => `${new URL(r.url).pathname} ${(r.bytes / 1024).toFixed(1)} KiB`),
  };
}

const dashboardReady = () => {
  const state = window.__flotilla?.store.getState();
  const ready = state?.connection === 'live' && state.capabilities !== null && document.querySelector('[data-testid="totals"]') !== null;
  return ready ? performance.now() : false;
};
const blankReady = () => (document.readyState === 'complete' && document.getElementById('ready') !== null ? performance.now() : false);

const cold = [];
const blank = [];
const warm = [];
for (let i = 0; i < opts.runs; i++) {
  for (const [list, path, ready] of [[cold, '/', dashboardReady], [blank, '/blank.html', blankReady]]) {
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const link = await world.link(path);
    list.push(await load(page, () => page.goto(link), ready));
    if (path === '/') warm.push(await load(page, () => page.reload(), dashboardReady));
    await context.close();
  }
}

const kb = (bytes) => (bytes / 1000).toFixed(1);
const median = (list, key) => summarize(list.map((r) => r[key])).p50;
console.log(`\nbytes on the wire (median of ${opts.runs} cold loads; kB = 1000 bytes, headers included):\n`);
console.log(`  dashboard JS+CSS   ${kb(median(cold, 'jsCss'))} kB  (target ≤ ${TARGET_KB} kB gzipped: ${median(cold, 'jsCss') / 1000 <= TARGET_KB ? 'met' : 'MISSED'})`);
console.log(`  dashboard total    ${kb(median(cold, 'total'))} kB in ${median(cold, 'requests')} requests (document, redirect, API snapshot, SSE)`);
console.log(`  warm reload total  ${kb(median(warm, 'total'))} kB in ${median(warm, 'requests')} requests`);
console.log(`  blank page total   ${kb(median(blank, 'total'))} kB in ${median(blank, 'requests')} requests`);
for (const file of cold[0]?.files ?? []) console.log(`    ${file}`);
console.log('\ntime (ms from navigation start):\n');
printLatencyTable([
  { label: 'dashboard: first contentful paint', stats: summarize(cold.map((r) => r.fcpMs)) },
  { label: 'dashboard: DOMContentLoaded', stats: summarize(cold.map((r) => r.domContentLoadedMs)) },
  { label: 'dashboard: live data on screen (ready)', stats: summarize(cold.map((r) => r.readyMs)) },
  { label: 'dashboard: ready, wall clock incl. link', stats: summarize(cold.map((r) => r.wallMs)) },
  { label: 'dashboard warm reload: ready', stats: summarize(warm.map((r) => r.readyMs)) },
  { label: 'baseline blank page: load', stats: summarize(blank.map((r) => r.readyMs)) },
]);
console.log(`\nratio dashboard ready / blank page: p50 ${(median(cold, 'readyMs') / Math.max(1, median(blank, 'readyMs'))).toFixed(1)}x`);
printFooter();
await chromium.close();
process.exit(0);
