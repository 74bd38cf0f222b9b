#!/usr/bin/env node
/**
 * The live terminal stream (WebSocket /api/sessions/:id/terminal over the daemon's unix socket):
 *
 * 1. Latency: a pane prints `--lines` (300) timestamped lines, one every `--interval-ms` (20); one
 *    viewer notes when each arrives. Line printed in the pane (its own clock, performance.timeOrigin
 *    + now) → the WebSocket message holding it parsed in this process: through tmux, the pipe-pane
 *    writer, pane.log, fs.watch, the daemon's follower and the socket.
 * 2. Cost: a busy pane (`--busy-lines-per-second` 2000 coloured lines of ~100 bytes) watched by 0,
 *    then `--viewers` (10) viewers, `--window-seconds` (20) each: the daemon's CPU (% of one core),
 *    and beside it the pipe writer's and the tmux server's, and the bytes each viewer received.
 *
 *   node packages/cb/bench/terminal-stream.mjs [--lines 300] [--interval-ms 20] [--viewers 10] [--busy-lines-per-second 2000] [--window-seconds 20] [--minutes 5]
 */
import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { boundTime } from './lib/cleanup.mjs';
import { createBenchHome, startDaemon } from './lib/harness.mjs';
import { call } from './lib/http.mjs';
import { cpuSeconds } from './lib/proc.mjs';
import { numericOptions, printFooter, printHeader, printLatencyTable, summarize } from './lib/report.mjs';

const options = numericOptions(
  { lines: 300, 'interval-ms': 20, viewers: 10, 'busy-lines-per-second': 2000, 'window-seconds': 20, minutes: 5 },
  'usage: node packages/cb/bench/terminal-stream.mjs [--lines 300] [--interval-ms 20] [--viewers 10] [--busy-lines-per-second 2000] [--window-seconds 20] [--minutes 5]',
);
boundTime(options.minutes * 60_000, 'terminal-stream');
printHeader('terminal-stream (pane output → WebSocket viewer)', options);

// The printer waits for a line on its tty before it starts, so the viewer is connected first.
const PRINTER = `
const [count, interval] = process.argv.slice(1).map(Number);
const now = () => performance.timeOrigin + performance.now();
process.stdout.write('printer ready\\r\\n');
process.stdin.setRawMode(true);
process.stdin.once('data', () => {
  let i = 0;
  const tick = () => {
    process.stdout.write('mark ' + i + ' t=' + now().toFixed(3) + '\\r\\n');
    if (++i < count) setTimeout(tick, interval);
  };
  tick();
});
setInterval(() => {}, 1 << 30);
`;
const BUSY = `
const perSecond = Number(process.argv[1]);
const line = (i) => '\\x1b[3' + (i % 7) + 'm' + String(i).padStart(8, '0') + ' ' + 'x'.repeat(80) + '\\x1b[0m\\r\\n';
let i = 0;
setInterval(() => { let out = ''; for (let k = 0; k < perSecond / 100; k++) out += line(i++); process.stdout.write(out); }, 10);
`;

const bench = createBenchHome('terminal', {
  agents: {
    printer: { argv: [process.execPath, '-e', PRINTER, String(options.lines), String(options['interval-ms'])] },
    busy: { argv: [process.execPath, '-e', BUSY, String(options['busy-lines-per-second'])] },
  },
});
const daemon = await startDaemon(bench);
const socket = bench.paths.socket;
const tmux = (...args) => spawnSync('tmux', ['-L', bench.paths.tmuxSocketName, ...args], { encoding: 'utf8' }).stdout;

/** A viewer over the unix socket; `onText(text, receivedAtMs)` gets each output message decoded. */
function connect(name, onText) {
  const ws = new WebSocket(`ws+unix://${socket}:/api/sessions/${name}/terminal`, { headers: { host: 'localhost' } });
  let bytes = 0;
  ws.on('message', (data) => {
    const at = performance.timeOrigin + performance.now();
    const message = JSON.parse(String(data));
    if (message.type !== 'output') return;
    const chunk = Buffer.from(message.data, 'base64');
    bytes += chunk.length;
    onText?.(chunk.toString('utf8'), at);
  });
  return { ws, bytes: () => bytes, opened: new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject))) };
}

async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// 1. Latency.
const printer = await call(socket, 'POST', '/api/sessions', { name: 'printer', agent: 'printer', cwd: bench.root });
await waitFor(() => tmux('capture-pane', '-p', '-t', `=${printer.tmuxSession}:`).includes('printer ready'), 20_000, 'the printer');
const latencies = new Map();
let pending = '';
const viewer = connect('printer', (text, at) => {
  pending += text;
  let end;
  while ((end = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    const match = /mark (\d+) t=([\d.]+)/.exec(line);
    if (match && !latencies.has(match[1])) latencies.set(match[1], at - Number(match[2]));
  }
});
await viewer.opened;
await new Promise((r) => setTimeout(r, 500));
tmux('send-keys', '-t', `=${printer.tmuxSession}:`, 'Enter');
await waitFor(() => latencies.size >= options.lines, options.lines * options['interval-ms'] + 30_000, `${options.lines} lines`).catch((e) => console.log(`! ${e.message} (${latencies.size} arrived)`));
viewer.ws.close();
const stats = summarize([...latencies.values()]);
console.log('');
printLatencyTable([{ label: `pane line → WebSocket viewer (${options['interval-ms']} ms apart)`, stats, target: 'figures only' }]);
console.log(`(${latencies.size} of ${options.lines} lines arrived; mean ${stats.mean.toFixed(2)} ms; p50 ${stats.p50.toFixed(2)} ms, p99 ${stats.p99.toFixed(2)} ms)`);

// 2. Cost of viewers on a busy pane.
const busy = await call(socket, 'POST', '/api/sessions', { name: 'busy', agent: 'busy', cwd: bench.root });
await waitFor(() => /\d{8} x/.test(tmux('capture-pane', '-p', '-t', `=${busy.tmuxSession}:`)), 20_000, 'the busy pane');
const serverPid = Number(tmux('list-sessions', '-F', '#{pid}').trim().split('\n')[0]);
const writerPid = Number(spawnSync('pgrep', ['-P', String(serverPid), 'perl'], { encoding: 'utf8' }).stdout.trim().split('\n')[0]) || null;

async function window(label, viewers) {
  const clients = [];
  for (let i = 0; i < viewers; i++) clients.push(connect('busy'));
  await Promise.all(clients.map((c) => c.opened));
  await new Promise((r) => setTimeout(r, 1000));
  const before = clients.map((c) => c.bytes());
  const t0 = Date.now();
  const cpu0 = [cpuSeconds(daemon.pid), cpuSeconds(serverPid), writerPid ? cpuSeconds(writerPid) : 0];
  await new Promise((r) => setTimeout(r, options['window-seconds'] * 1000));
  const seconds = (Date.now() - t0) / 1000;
  const cpu1 = [cpuSeconds(daemon.pid), cpuSeconds(serverPid), writerPid ? cpuSeconds(writerPid) : 0];
  const pct = cpu1.map((v, i) => (100 * ((v ?? 0) - (cpu0[i] ?? 0))) / seconds);
  const received = clients.map((c, i) => (c.bytes() - before[i]) / seconds / 1024);
  for (const c of clients) c.ws.close();
  await new Promise((r) => setTimeout(r, 500));
  return { label, daemon: pct[0], tmux: pct[1], writer: pct[2], perViewer: received.length ? received.reduce((a, b) => a + b, 0) / received.length : 0 };
}

console.log(`(tmux server pid ${serverPid}, pipe writer pid ${writerPid ?? 'not found'})`);
const rows = [await window('busy pane, 0 viewers', 0), await window(`busy pane, ${options.viewers} viewers`, options.viewers)];
console.log('');
const head = ['window', 'daemon CPU %', 'tmux server CPU %', 'pipe writer CPU %', 'KiB/s per viewer'];
const body = rows.map((r) => [r.label, r.daemon.toFixed(2), r.tmux.toFixed(2), r.writer.toFixed(2), r.perViewer.toFixed(0)]);
const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
for (const cells of [head, ...body]) console.log(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
console.log(`\n${options.viewers} viewers cost the daemon +${(rows[1].daemon - rows[0].daemon).toFixed(2)} % of one core on a pane writing ${options['busy-lines-per-second']} lines/s (figures only: the issue sets no target)`);
printFooter();
process.exit(0);
