#!/usr/bin/env node
/**
 * The daemon's cost of watching sessions: the same daemon first with 0 sessions, then with
 * `--sessions` (50) idle sessions, of which `--claude` (5) are the real Claude Code TUI against the
 * testkit's fake Anthropic server (hooks, session file, pane) and the rest a cheap custom agent
 * (`cat` waiting on its tty: screen-tracked, the costliest tracking per session). 50 real TUIs do
 * not fit beside other work on 2 cores. Each window: the daemon's CPU (utime + stime of
 * /proc/<pid>/stat over the window, % of one core) and RSS (VmRSS, sampled every second).
 *
 *   node packages/cb/bench/session-watch-cost.mjs [--sessions 50] [--claude 5] [--window-seconds 60] [--settle-seconds 35] [--minutes 10]
 */
import { boundTime } from './lib/cleanup.mjs';
import { claudeDaemonHome, startClaudeWorld, waitFor } from './lib/claude-tui.mjs';
import { startDaemon, tmuxPanePids } from './lib/harness.mjs';
import { call } from './lib/http.mjs';
import { cpuSeconds, createGroupCpu, hostBusyPct, hostCpu, MiB, rssKiB } from './lib/proc.mjs';
import { numericOptions, printFooter, printHeader } from './lib/report.mjs';

const options = numericOptions(
  { sessions: 50, claude: 5, 'window-seconds': 60, 'settle-seconds': 35, minutes: 10 },
  'usage: node packages/cb/bench/session-watch-cost.mjs [--sessions 50] [--claude 5] [--window-seconds 60] [--settle-seconds 35] [--minutes 10]',
);
const WINDOW_S = options['window-seconds'];
const claudeCount = Math.min(options.claude, options.sessions);
boundTime(options.minutes * 60_000, 'session-watch-cost');
printHeader('session-watch-cost (daemon watching idle sessions)', { sessions: options.sessions, claude: claudeCount, custom: options.sessions - claudeCount, windowSeconds: WINDOW_S });

const world = await startClaudeWorld('watch');
const bench = await claudeDaemonHome('watch', world, { agents: { idler: { argv: ['/bin/cat'] } } });
const daemon = await startDaemon(bench);
const socket = bench.paths.socket;

/** One window: the daemon's CPU % and RSS, the panes' (agents') CPU, the tmux server's and the host's. */
async function measure(label) {
  const panes = createGroupCpu();
  panes(tmuxPanePids(bench.paths));
  const cpu0 = cpuSeconds(daemon.pid);
  const host0 = hostCpu();
  const t0 = Date.now();
  const rss = [];
  while (Date.now() - t0 < WINDOW_S * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    rss.push(rssKiB(daemon.pid) ?? 0);
  }
  const seconds = (Date.now() - t0) / 1000;
  const pct = (100 * ((cpuSeconds(daemon.pid) ?? 0) - (cpu0 ?? 0))) / seconds;
  const agentsPct = (100 * panes(tmuxPanePids(bench.paths))) / seconds;
  return { label, pct, rssMean: MiB(rss.reduce((a, b) => a + b, 0) / rss.length), rssMax: MiB(Math.max(...rss)), agentsPct, hostPct: hostBusyPct(host0, hostCpu()) };
}

const idle = await measure('0 sessions');

const created = Date.now();
for (let i = 0; i < options.sessions; i++) {
  const agent = i < claudeCount ? 'claude' : 'idler';
  await call(socket, 'POST', '/api/sessions', { name: `w${i}`, agent, cwd: world.repo });
}
const list = async () => call(socket, 'GET', '/api/sessions');
const ready = await waitFor(async () => {
  const sessions = await list();
  return sessions.length === options.sessions && sessions.every((s) => s.state !== 'unknown') ? sessions : undefined;
}, 120_000, async () => JSON.stringify((await list()).map((s) => [s.name, s.state]))).catch(() => null);
const startSeconds = ((Date.now() - created) / 1000).toFixed(1);
// Screens are read for the first 30 s of every session (first-run dialogs): measure after that.
await new Promise((r) => setTimeout(r, options['settle-seconds'] * 1000));
const states = new Map();
for (const s of await list()) states.set(`${s.agent}:${s.state}`, (states.get(`${s.agent}:${s.state}`) ?? 0) + 1);
const watching = await measure(`${options.sessions} sessions (${claudeCount} Claude TUI, ${options.sessions - claudeCount} custom)`);

console.log(`\nsessions up in ${startSeconds} s${ready ? '' : ' (NOT all left unknown within 120 s)'}; states at measurement: ${[...states].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
const head = ['window', 'daemon CPU %', 'daemon RSS mean MiB', 'RSS max MiB', 'agents CPU %', 'host busy %'];
const rows = [idle, watching].map((m) => [m.label, m.pct.toFixed(2), m.rssMean.toFixed(1), m.rssMax.toFixed(1), m.agentsPct.toFixed(1), m.hostPct.toFixed(1)]);
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const cells of [head, ...rows]) console.log(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
const perSession = (watching.pct - idle.pct) / options.sessions;
console.log(`\nwatching costs the daemon +${(watching.pct - idle.pct).toFixed(2)} % of one core (${perSession.toFixed(3)} % per session) and +${(watching.rssMean - idle.rssMean).toFixed(1)} MiB RSS (figures only: the issue sets no target)`);
printFooter();
await world.api.close();
process.exit(0);
