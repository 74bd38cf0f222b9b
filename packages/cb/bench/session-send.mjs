#!/usr/bin/env node
/**
 * `cb send` delivery through the daemon API: a real Claude Code TUI session (`POST /api/sessions`)
 * against the testkit's fake Anthropic server, then `--sends` texts, each sent while the session
 * is idle (`waiting_input`), each answered at once by the fake. Success = the daemon's receipt says
 * delivered AND the fake received exactly one main request carrying that text (no lost turn, no
 * doubled turn). Time to receipt: the receipt's own `ms` (paste → prompt-submit signal, as the
 * manager measures it) and the API call's round trip.
 *
 *   node packages/cb/bench/session-send.mjs [--sends 200] [--minutes 12]
 */
import { call } from './lib/http.mjs';
import { boundTime } from './lib/cleanup.mjs';
import { claudeDaemonHome, startClaudeWorld, waitFor } from './lib/claude-tui.mjs';
import { startDaemon } from './lib/harness.mjs';
import { numericOptions, printFooter, printHeader, printLatencyTable, summarize } from './lib/report.mjs';

const options = numericOptions({ sends: 200, minutes: 12 }, 'usage: node packages/cb/bench/session-send.mjs [--sends 200] [--minutes 12]');
boundTime(options.minutes * 60_000, 'session-send');
printHeader('session-send (daemon API, real Claude Code TUI)', { sends: options.sends });

const world = await startClaudeWorld('send');
const bench = await claudeDaemonHome('send', world);
const daemon = await startDaemon(bench);
const socket = bench.paths.socket;
const session = 'sendbench';
await call(socket, 'POST', '/api/sessions', { name: session, agent: 'claude', cwd: world.repo });
const state = async () => (await call(socket, 'GET', `/api/sessions/${session}`)).state;
await waitFor(async () => (await state()) === 'idle', 60_000, async () => `session state ${await state()}`);
// SessionStart (→ idle) fires before Claude's input box reliably takes an Enter: the first send
// would measure the manager's retry, not delivery.
await new Promise((r) => setTimeout(r, 1500));

const receiptMs = [];
const roundTripMs = [];
const confirmedBy = new Map();
const failures = [];
let delivered = 0;
let exactlyOnce = 0;
const started = Date.now();
/** Whether a main request's conversation carries `text` (only this turn's requests are looked at). */
const carries = (request, text) => JSON.stringify(request.body?.messages ?? '').includes(text);

for (let i = 0; i < options.sends; i++) {
  const text = `Bench message ${i}: say ok.`;
  world.api.setScenario([{ text: `ok ${i}` }]);
  const t0 = Date.now();
  let receipt;
  try {
    receipt = await call(socket, 'POST', `/api/sessions/${session}/send`, { text });
  } catch (error) {
    failures.push(`send ${i}: ${error.message.slice(0, 300)}`);
    receipt = { delivered: false };
  }
  roundTripMs.push(Date.now() - t0);
  if (receipt.delivered) {
    delivered += 1;
    receiptMs.push(receipt.ms);
    confirmedBy.set(receipt.confirmedBy, (confirmedBy.get(receipt.confirmedBy) ?? 0) + 1);
    if (receipt.attempts > 1) failures.push(`send ${i}: delivered on attempt ${receipt.attempts}`);
  }
  // Idle again before the next send: the answer came and the tracker says so.
  await waitFor(async () => (await state()) === 'waiting_input' && world.mains().some((r) => carries(r, text)), 30_000, async () => `send ${i}: state ${await state()}`).catch(async (error) => {
    // Say what the tracker saw and what the screen shows, so the case can be told apart.
    const log = await call(socket, 'GET', `/api/sessions/${session}/log`).catch(() => []);
    const peek = await call(socket, 'GET', `/api/sessions/${session}/peek?lines=8`).catch(() => ({ lines: [] }));
    failures.push(`${error.message}\n    log: ${log.slice(-4).map((e) => e.message).join(' | ')}\n    screen: ${peek.lines.filter((l) => l.trim()).join(' / ')}`);
  });
  await new Promise((r) => setTimeout(r, 200));
  const requests = world.mains().filter((r) => carries(r, text) && r.receivedAt >= t0);
  if (requests.length === 1) exactlyOnce += 1;
  else failures.push(`send ${i}: ${requests.length} main requests carried the text`);
}
const minutes = ((Date.now() - started) / 60_000).toFixed(1);

console.log(`\n${options.sends} sends in ${minutes} min to one idle Claude TUI (daemon pid ${daemon.pid})\n`);
printLatencyTable([
  { label: 'receipt ms (paste → prompt-submit signal)', stats: summarize(receiptMs) },
  { label: 'POST /send round trip', stats: summarize(roundTripMs) },
]);
const rate = (100 * delivered) / options.sends;
const once = (100 * exactlyOnce) / options.sends;
console.log(`\ndelivered: ${delivered}/${options.sends} = ${rate.toFixed(1)}% (target 100%: ${rate === 100 ? 'met' : 'MISSED'})`);
console.log(`exactly one turn at the fake server: ${exactlyOnce}/${options.sends} = ${once.toFixed(1)}%`);
console.log(`confirmed by: ${[...confirmedBy].map(([k, v]) => `${k} ${v}`).join(', ')}`);
for (const line of failures.slice(0, 10)) console.log(`  ${line}`);
printFooter();
await call(socket, 'DELETE', `/api/sessions/${session}`).catch(() => undefined);
await world.api.close();
process.exit(0);
