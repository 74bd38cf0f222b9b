#!/usr/bin/env node
/**
 * A permission question → "Needs you": a real Claude Code TUI session in the daemon (against the
 * testkit's fake Anthropic server), the Now page open in headless Chromium. Each turn the fake
 * model answers with a Bash tool call that needs permission; the clock starts when that answer
 * leaves the fake (its request's arrival + the scripted delay) and stops when the session's row
 * `[data-need="session"]` says "needs permission" in the page (MutationObserver). The daemon's own
 * `session.state` event (`at`) splits it into the daemon's share (Claude draws the dialog, the hook
 * or the screen tells the tracker) and the page's (SSE, inbox refetch, render). The person's Allow
 * is then clicked in the page, as the e2e test does, and the turn ends.
 *
 * Run: node apps/dashboard/bench/permission-latency.mjs [--turns 10] [--tool-delay-ms 300]
 */
import { claudeDaemonHome, startClaudeWorld, waitFor } from '../../../packages/cb/bench/lib/claude-tui.mjs';
import { startDaemon } from '../../../packages/cb/bench/lib/harness.mjs';
import { boundTime, call, launchChromium, numericOptions, openPage, printFooter, printHeader, printLatencyTable, subscribeEvents, summarize } from './lib/world.mjs';

const USAGE = `usage: node apps/dashboard/bench/permission-latency.mjs [options]
  --turns N           permission questions asked (default 10)
  --tool-delay-ms MS  the fake model's delay before its tool call (default 300)`;
const opts = numericOptions({ turns: 10, 'tool-delay-ms': 300 }, USAGE);
const NAME = 'perm';

boundTime((opts.turns * 90 + 180) * 1000, 'permission-latency');
printHeader('permission-latency (Claude asks → "Needs you" in Chromium)', { turns: opts.turns, toolDelayMs: opts['tool-delay-ms'], page: '/' });

const world = await startClaudeWorld('dash-perm');
const bench = await claudeDaemonHome('dash-perm', world, { notifySend: false });
bench.env.FLOTILLA_DISCOVERY = 'off';
const daemon = await startDaemon(bench);
const socket = bench.paths.socket;
const served = await call(socket, 'POST', '/api/daemon/serve', { port: 0 });
const chromium = await launchChromium();
const page = await openPage(chromium.browser, `${served.url.replace(/\/+$/, '')}/?token=${encodeURIComponent(served.token)}`);

const asked = [];
await subscribeEvents(socket, (event) => {
  if (event.type === 'session.state' && event.session.name === NAME && event.session.state === 'waiting_permission') asked.push(Date.parse(event.at));
});
await page.evaluate((name) => {
  const seen = (window.__asks = []);
  let shown = false;
  const check = () => {
    const row = document.querySelector(`[data-testid="needs-you"] [data-need="session"][data-session="${name}"]`);
    const now = Boolean(row && row.textContent.includes('needs permission'));
    if (now && !shown) seen.push(Date.now());
    shown = now;
  };
  new MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true });
}, NAME);

await call(socket, 'POST', '/api/sessions', { name: NAME, agent: 'claude', cwd: world.repo });
const get = () => call(socket, 'GET', `/api/sessions/${NAME}`);
await waitFor(async () => (await get()).state === 'idle', 90_000, 'the session to be idle');
await new Promise((r) => setTimeout(r, 1500)); // SessionStart comes a moment before the input box takes keys

const total = [];
const daemonShare = [];
const pageShare = [];
const failures = [];
for (let turn = 0; turn < opts.turns; turn++) {
  try {
    world.api.setScenario([
      { text: 'I will run a command.', delayMs: opts['tool-delay-ms'], toolUses: [{ name: 'Bash', input: { command: `echo ${turn} > perm-${turn}.txt`, description: `Write perm-${turn}.txt` } }] },
      { text: `Ran command ${turn}.` },
    ]);
    const before = world.mains().length;
    const seenBefore = (await page.evaluate(() => window.__asks.length));
    const askedBefore = asked.length;
    await call(socket, 'POST', `/api/sessions/${NAME}/send`, { text: `Run command number ${turn}.` });
    const request = await waitFor(() => world.mains()[before], 30_000, 'no request to the model');
    const truth = request.receivedAt + opts['tool-delay-ms'];
    const shownAt = await waitFor(async () => (await page.evaluate(() => window.__asks)).slice(seenBefore)[0], 60_000, 'no "needs permission" row');
    const eventAt = await waitFor(() => asked.slice(askedBefore)[0], 5_000, 'no waiting_permission event').catch(() => null);
    total.push(shownAt - truth);
    if (eventAt !== null) {
      daemonShare.push(eventAt - truth);
      pageShare.push(shownAt - eventAt);
    }
    await page.locator(`[data-need="session"][data-session="${NAME}"]`).getByRole('button', { name: 'Allow' }).click();
    await waitFor(async () => (await get()).state === 'waiting_input', 60_000, 'the answered turn to end');
  } catch (error) {
    failures.push(`turn ${turn}: ${error.message.split('\n')[0]}`);
    await call(socket, 'POST', `/api/sessions/${NAME}/send`, { key: 'Escape' }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

console.log(`\n${total.length}/${opts.turns} questions shown in "Needs you"; latency from the fake's tool call leaving\n`);
printLatencyTable([
  { label: 'tool call sent → row says "needs permission"', stats: summarize(total), target: 'measured, not a target' },
  { label: '  daemon: tool call sent → session.state event', stats: summarize(daemonShare) },
  { label: '  page: session.state event → row on screen', stats: summarize(pageShare) },
]);
for (const line of failures) console.log(`  ${line}`);
printFooter();
await chromium.close();
void daemon;
process.exit(failures.length > 0 ? 1 : 0);
