/**
 * What every dashboard bench stands on: a throwaway Flotilla home with cb's fake agent configured,
 * a real daemon on it serving the built page on 127.0.0.1, and Debian's headless Chromium
 * (playwright-core, never a downloaded browser) with a tab opened through a printed link.
 *
 * The daemon side is cb's own bench harness (packages/cb/bench/lib: the same fake agent, cleanup
 * stack and socket client the cb benches use); playwright-core is the e2e package's (it is not a
 * dependency of the dashboard).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup } from '../../../../packages/cb/bench/lib/cleanup.mjs';
import { createBenchHome, fakeAgentDefinition, startDaemon } from '../../../../packages/cb/bench/lib/harness.mjs';
import { call } from '../../../../packages/cb/bench/lib/http.mjs';
import { signal } from '../../../../packages/cb/bench/lib/proc.mjs';
import { loadAverage } from '../../../../packages/cb/bench/lib/report.mjs';

export { onCleanup };
export { boundTime } from '../../../../packages/cb/bench/lib/cleanup.mjs';
export { call, subscribeEvents } from '../../../../packages/cb/bench/lib/http.mjs';
export { numericOptions, printLatencyTable, summarize, loadAverage } from '../../../../packages/cb/bench/lib/report.mjs';
export { cpuSeconds, rssKiB } from '../../../../packages/cb/bench/lib/proc.mjs';

export const DASHBOARD_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = join(DASHBOARD_DIR, 'dist');
const requireFromE2e = createRequire(new URL('../../../../e2e/package.json', import.meta.url));
const { chromium } = requireFromE2e('playwright-core');

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
];

function commit() {
  const out = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: DASHBOARD_DIR, encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : 'unknown';
}

function chromiumVersion() {
  const out = spawnSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' });
  return (out.stdout ?? '').trim().split('\n').at(-1) || 'chromium ?';
}

/** The house header (cb's benches print the same lines): machine, load, versions, settings. */
export function printHeader(name, settings) {
  const cores = cpus();
  console.log(`# dashboard bench: ${name} · ${new Date().toISOString()}`);
  console.log(`# host ${hostname()} · ${cores.length} cores (${cores[0]?.model.trim() ?? '?'}) · ${(totalmem() / 1024 ** 3).toFixed(1)} GiB · node ${process.version} · ${chromiumVersion()} · @ ${commit()}`);
  console.log(`# load average at start (1/5/15 min): ${loadAverage()}`);
  console.log(`# settings: ${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

export function printFooter() {
  console.log(`# load average at end (1/5/15 min): ${loadAverage()}`);
}

/**
 * A home whose custom agent `fake` streams one assistant line every `intervalMs` for `seconds`
 * (cb's bench/fake-agent.mjs), a daemon on it listening on 127.0.0.1 too, and the page's URL.
 * `dashboardDir` (or FLOTILLA_DASHBOARD_DIR in the bench's environment) serves another build;
 * default: the installed package.
 */
export async function startWorld(name, { seconds = 60, intervalMs = 1000, slots = 60, dashboardDir } = {}) {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST} has no index.html: run \`pnpm run build\` in apps/dashboard first`);
  const bench = createBenchHome(`dashboard-${name}`, { slots, agents: { fake: fakeAgentDefinition({ seconds, intervalMs }) } });
  // Agents elsewhere on this machine (other tmux panes) are not this bench's.
  bench.env.FLOTILLA_DISCOVERY = 'off';
  // Another build of the page (an A/B of a change): FLOTILLA_DASHBOARD_DIR=…/dist node bench/….mjs
  const site = dashboardDir ?? process.env.FLOTILLA_DASHBOARD_DIR;
  if (site) bench.env.FLOTILLA_DASHBOARD_DIR = site;
  const daemon = await startDaemon(bench);
  const socket = bench.paths.socket;
  const served = await call(socket, 'POST', '/api/daemon/serve', { port: 0 });
  return {
    bench,
    daemon,
    socket,
    url: served.url.replace(/\/+$/, ''),
    /** A fresh one-time link (each browser profile spends one). */
    async link(path = '/') {
      const { url, token } = await call(socket, 'POST', '/api/daemon/serve', { port: Number(new URL(served.url).port) });
      return `${url.replace(/\/+$/, '')}${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
    },
    createJob: (prompt) => call(socket, 'POST', '/api/jobs', { prompt, agent: 'fake', cwd: bench.root }),
  };
}

/** The built page copied to a temp dir with a `blank.html` beside it: the same daemon serves both. */
export function distWithBlankPage(root) {
  const dir = join(root, 'dist-with-blank');
  cpSync(DIST, dir, { recursive: true });
  writeFileSync(join(dir, 'blank.html'), '<!doctype html><meta charset="utf-8"><title>blank</title><p id="ready">blank</p>\n');
  return dir;
}

/** Headless Chromium, killed by the cleanup stack whatever happens (its process group). */
export async function launchChromium() {
  const server = await chromium.launchServer({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  const pid = server.process().pid;
  onCleanup(() => {
    if (!signal(-pid, 'SIGKILL')) signal(pid, 'SIGKILL');
  });
  const browser = await chromium.connect(server.wsEndpoint());
  return { browser, close: async () => {
    await browser.close().catch(() => undefined);
    await server.close().catch(() => undefined);
  } };
}

/** A new profile (own cookie jar) at `link`, waiting until the page says it is live. */
export async function openPage(browser, link, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(link);
  await page.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
  return page;
}
