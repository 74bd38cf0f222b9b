#!/usr/bin/env node
/**
 * The page's memory over a long stretch of work: one tab left open on a page (the Now page by
 * default) while the daemon keeps --jobs fake-agent jobs running and streaming, each replaced by a
 * new one when it ends (so hundreds of jobs come and go, past the store's bounds: 500 jobs, 100
 * alerts). Every minute: the JS heap after a forced GC, DOM nodes and event listeners (CDP).
 *
 * Verdict: "unbounded growth" when the heap keeps climbing through the second half of the run
 * (least-squares slope over it above --max-slope-kb per minute) AND ends above 1.25× where it
 * stood after the warm-up; a page that grows then levels off (bounded lists filling) passes.
 *
 * Run: node apps/dashboard/bench/memory.mjs [--minutes 30] [--jobs 50] [--job-seconds 60] [--page /]
 */
import { heapSample } from './lib/page-probe.mjs';
import { boundTime, cpuSeconds, launchChromium, numericOptions, openPage, printFooter, printHeader, startWorld, subscribeEvents } from './lib/world.mjs';

const USAGE = `usage: node apps/dashboard/bench/memory.mjs [options] [--page PATH]
  --minutes M         how long the tab stays open under load (default 30)
  --jobs N            jobs running at any time (default 50)
  --job-seconds S     how long each fake-agent job streams before it ends (default 60)
  --interval-ms MS    time between one agent's assistant lines (default 1000)
  --max-slope-kb KB   second-half heap slope (KiB per minute) above which growth counts as unbounded (default 100)
  --page PATH         the page left open (default /; e.g. /jobs)`;
const pageAt = process.argv.indexOf('--page');
const PAGE = pageAt > 0 ? process.argv.splice(pageAt, 2)[1] : '/';
const opts = numericOptions({ minutes: 30, jobs: 50, 'job-seconds': 60, 'interval-ms': 1000, 'max-slope-kb': 100 }, USAGE);

boundTime((opts.minutes * 60 + 300) * 1000, 'memory');
printHeader(`memory (a tab open on ${PAGE} while ${opts.jobs} jobs stream)`, { minutes: opts.minutes, jobs: opts.jobs, jobSeconds: opts['job-seconds'], intervalMs: opts['interval-ms'], page: PAGE });

const world = await startWorld('memory', { seconds: opts['job-seconds'], intervalMs: opts['interval-ms'], slots: opts.jobs + 10 });
const chromium = await launchChromium();
const page = await openPage(chromium.browser, await world.link(PAGE));
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');

let stopping = false;
let created = 0;
let endedCount = 0;
let events = 0;
const ours = new Set();
const replace = () => {
  if (stopping) return;
  created += 1;
  world.createJob(`memory job ${created}`).then((job) => ours.add(job.id), (error) => console.error(`# could not create a job: ${error.message}`));
};
const stream = await subscribeEvents(world.socket, (event) => {
  events += 1;
  if (event.type === 'job.ended' && ours.has(event.job.id)) {
    endedCount += 1;
    replace();
  }
});
// Staggered starts, so the jobs do not all end (and restart) in the same second.
for (let i = 0; i < opts.jobs; i++) setTimeout(replace, Math.round((i * opts['job-seconds'] * 1000) / opts.jobs));

const cpuBefore = cpuSeconds(world.daemon.pid);
const samples = [];
const started = Date.now();
const record = async (minute) => {
  const s = await heapSample(cdp);
  const state = await page.evaluate(() => {
    const st = window.__flotilla.store.getState();
    return { jobs: st.jobs.size, alerts: st.alerts.length, connection: st.connection };
  });
  samples.push({ minute, ...s, ...state, ended: endedCount, events });
  console.log(
    `minute ${String(minute).padStart(3)}  heap ${(s.usedSize / 1024 ** 2).toFixed(2).padStart(7)} MiB  nodes ${String(s.nodes).padStart(6)}  listeners ${String(s.listeners).padStart(5)}  store jobs ${String(state.jobs).padStart(4)} alerts ${String(state.alerts).padStart(3)}  jobs ended ${String(endedCount).padStart(5)}  events ${events}  ${state.connection}`,
  );
};
console.log('');
await record(0);
for (let minute = 1; minute <= opts.minutes; minute++) {
  await new Promise((r) => setTimeout(r, started + minute * 60_000 - Date.now()));
  await record(minute);
}
stopping = true;
stream.close();

/** Least-squares slope (units per minute) of `points` [{x, y}]. */
function slope(points) {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}
const warm = samples[Math.min(samples.length - 1, Math.max(1, Math.round(opts.minutes / 6)))];
const last = samples.at(-1);
const secondHalf = samples.filter((s) => s.minute >= opts.minutes / 2).map((s) => ({ x: s.minute, y: s.usedSize / 1024 }));
const slopeKb = slope(secondHalf);
const ratio = last.usedSize / warm.usedSize;
const nodeRatio = last.nodes / Math.max(1, warm.nodes);
const unbounded = slopeKb > opts['max-slope-kb'] && ratio > 1.25;
console.log(`\n${created} jobs started, ${endedCount} ended, ${events} events in ${opts.minutes} min; daemon CPU ${(cpuSeconds(world.daemon.pid) - cpuBefore).toFixed(0)} s`);
console.log(`heap after warm-up (minute ${warm.minute}) ${(warm.usedSize / 1024 ** 2).toFixed(2)} MiB → end ${(last.usedSize / 1024 ** 2).toFixed(2)} MiB (${ratio.toFixed(2)}x); DOM nodes ${warm.nodes} → ${last.nodes} (${nodeRatio.toFixed(2)}x)`);
console.log(`second-half heap slope: ${slopeKb.toFixed(1)} KiB/min (limit ${opts['max-slope-kb']})`);
console.log(`verdict: ${unbounded ? 'UNBOUNDED GROWTH (the heap still climbs at the end)' : 'bounded (no sustained growth at the end)'}${opts.minutes < 10 ? ' — too short a run to say much' : ''}`);
printFooter();
await chromium.close();
process.exit(unbounded ? 1 : 0);
