#!/usr/bin/env node
/**
 * Event → DOM latency: from a job event in the daemon (its outbox row's `at`) to the jobs table in
 * a real headless Chromium showing it, with N jobs running at once and streaming progress.
 *
 * The jobs are cb's fake agent (packages/cb/bench/fake-agent.mjs, a custom agent in the config):
 * one stream-json assistant line every --interval-ms for --seconds, so the daemon emits what 50
 * Claude jobs would (job.created, job.updated as usage grows, coalesced every 250 ms, job.ended)
 * without 50 real Claude processes, which this 2-core machine cannot hold.
 *
 *   baseline   a bare SSE client in node on the daemon's unix socket: event `at` → bytes received
 *   store      the page's live store applied it (`__flotilla.store.onEvent`): `at` → applied
 *   DOM        the job's row shows the event's `updatedAt` (MutationObserver): `at` → DOM changed
 *   frame      the next animation frame after that mutation (about when it is painted)
 *
 * Run: node apps/dashboard/bench/event-latency.mjs [--jobs 50] [--seconds 60] [--interval-ms 1000]
 */
import { installJobProbe, matchEventsToDom, profilePage, readJobProbe } from './lib/page-probe.mjs';
import { boundTime, cpuSeconds, launchChromium, numericOptions, openPage, printFooter, printHeader, printLatencyTable, startWorld, subscribeEvents, summarize } from './lib/world.mjs';

const USAGE = `usage: node apps/dashboard/bench/event-latency.mjs [options]
  --jobs N            concurrent fake-agent jobs (default 50)
  --seconds S         how long each fake agent streams (default 60)
  --interval-ms MS    time between one agent's assistant lines (default 1000)
  --profile-seconds S sample the page's main thread for S seconds mid-run and print where it spends (default 0: off)`;
const opts = numericOptions({ jobs: 50, seconds: 60, 'interval-ms': 1000, 'profile-seconds': 0 }, USAGE);
const TARGET_P99_MS = 250;

boundTime((opts.seconds + 240) * 1000, 'event-latency');
printHeader('event-latency (job event in the daemon → jobs table in Chromium)', { jobs: opts.jobs, seconds: opts.seconds, intervalMs: opts['interval-ms'], page: '/jobs' });

const world = await startWorld('latency', { seconds: opts.seconds, intervalMs: opts['interval-ms'], slots: opts.jobs + 10 });
const chromium = await launchChromium();
const page = await openPage(chromium.browser, await world.link('/jobs'));
await page.locator('[data-testid="jobs-page"], [data-testid="jobs-table"]').first().waitFor({ timeout: 15_000 });
await installJobProbe(page);

const ids = new Set();
const ended = new Set();
const raw = [];
const stream = await subscribeEvents(world.socket, (event, receivedAt) => {
  if (!event.type?.startsWith('job.') || !event.job) return;
  raw.push({ jobId: event.job.id, at: Date.parse(event.at), receivedAt });
  if (event.type === 'job.ended') ended.add(event.job.id);
});

const cpuBefore = cpuSeconds(world.daemon.pid);
const createdAt = Date.now();
const jobs = await Promise.all(Array.from({ length: opts.jobs }, (_, i) => world.createJob(`dashboard event-latency job ${i}`)));
for (const job of jobs) ids.add(job.id);
console.log(`# ${ids.size} jobs created in ${Date.now() - createdAt} ms`);

let hot = [];
if (opts['profile-seconds'] > 0) {
  await new Promise((r) => setTimeout(r, 5000)); // every job streaming
  const cdp = await page.context().newCDPSession(page);
  hot = await profilePage(cdp, Math.min(opts['profile-seconds'], opts.seconds) * 1000);
  await cdp.detach();
}
const deadline = Date.now() + (opts.seconds + 120) * 1000;
while ([...ids].some((id) => !ended.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
await new Promise((r) => setTimeout(r, 1000)); // the last renders
const wallSeconds = (Date.now() - createdAt) / 1000;
const daemonCpu = cpuSeconds(world.daemon.pid) - cpuBefore;
stream.close();

const probe = await readJobProbe(page);
const ours = { events: probe.events.filter((e) => ids.has(e.jobId)), dom: probe.dom.filter((d) => ids.has(d.jobId)) };
const rawInPage = summarize(probe.raw.filter((e) => ids.has(e.jobId)).map((e) => e.arrivedAt - e.at));
const { matched, missed } = matchEventsToDom(ours);
const rawOurs = raw.filter((e) => ids.has(e.jobId));
const dom = summarize(matched.map((m) => m.domAt - m.at));
const base = summarize(rawOurs.map((e) => e.receivedAt - e.at));

console.log(`\n${ended.size}/${ids.size} jobs ended in ${wallSeconds.toFixed(0)} s; ${probe.events.length} job events applied by the page, ${matched.length} shown in a row, ${missed} never shown; daemon CPU ${daemonCpu.toFixed(1)} s\n`);
printLatencyTable([
  { label: 'baseline: bare SSE client (node, unix socket)', stats: base },
  { label: 'page: bare fetch stream, bytes arrived', stats: rawInPage },
  { label: 'page: live store applied the event', stats: summarize(matched.map((m) => m.seenAt - m.at)) },
  { label: 'page: row in the DOM shows it', stats: dom, target: `p99 ≤ ${TARGET_P99_MS} ms: ${dom.p99 <= TARGET_P99_MS ? 'met' : 'MISSED'}` },
  { label: 'page: next animation frame', stats: summarize(matched.map((m) => m.frameAt - m.at)) },
  { label: '  of which status changes (created/ended)', stats: summarize(matched.filter((m) => m.type !== 'job.updated').map((m) => m.domAt - m.at)) },
  { label: '  of which progress (job.updated)', stats: summarize(matched.filter((m) => m.type === 'job.updated').map((m) => m.domAt - m.at)) },
  { label: 'page share: store applied → DOM', stats: summarize(matched.map((m) => m.domAt - m.seenAt)) },
]);
console.log(`\npage main thread: ${probe.longTasks.count} long tasks (> 50 ms), ${(probe.longTasks.ms / 1000).toFixed(1)} s in all over ${wallSeconds.toFixed(0)} s`);
console.log(`ratio page DOM / bare SSE client: p50 ${(dom.p50 / Math.max(1, base.p50)).toFixed(1)}x, p99 ${(dom.p99 / Math.max(1, base.p99)).toFixed(1)}x`);
if (hot.length > 0) {
  console.log(`\nwhere the page's main thread spent ${opts['profile-seconds']} s mid-run (self time, top ${hot.length}):`);
  for (const f of hot) console.log(`  ${f.pct.toFixed(1).padStart(5)}%  ${String(Math.round(f.selfMs)).padStart(6)} ms  ${f.name}  ${f.where}`);
}
printFooter();
await chromium.close();
process.exit(missed > matched.length / 100 ? 1 : 0);
