/**
 * Board claims through the hub's HTTP API (`/api/board`, the routes `mesh serve` mounts) on a kit
 * secure app with a token, over a fresh SQLite file, every change's `task.changed` row written in
 * the board's transaction (as the hub does): 8 and 64 concurrent claimers in a separate process,
 * each claiming then completing until the board is empty. A "claim" below is that pair of
 * requests (claim, then done): two HTTP round trips and two commits.
 *
 * The same run measures the ceiling the claims are compared with, with the same claimers, the
 * same requests and answers of the same size:
 *
 * - raw node:http: a bare server answering every request with a fixed body (no hono, no token,
 *   no zod, no SQLite): what loopback HTTP and these claimers allow on this machine, right now;
 * - hub baseline: the hub's cheapest authenticated route — the same secure app (Host, Origin and
 *   the token), hono, and a fixed answer instead of the board: what the hub's HTTP stack allows;
 * - the raw store, in-process (claim then complete, no HTTP).
 *
 * and prints claims/s as a share of each, the hub's and the claimers' CPU per claim, p50/p99 of
 * the claim request, and double claims (must be 0). Targets (issue 6): ≥ 2,000/s at 8, ≥ 500/s at 64.
 *
 *   node --import tsx bench/board-http-claims.mjs [tasks=2000] [--rounds 3] [--client raw|undici|http]
 *        [--pipelining N] [--connections N] [--workers W] [--claimers 8,64] [--no-outbox] [--baselines-only] [--pin] [--claim-only]
 *
 * Each kind of run (raw http, hub baseline, raw store, hub) is repeated `--rounds` times,
 * interleaved, and the table shows each figure's median: on a shared machine the neighbours'
 * load moves from one minute to the next, and interleaving spreads it over every kind of run.
 *
 * Default claimers: one process, one keep-alive connection per claimer (as agents on different
 * hosts have), HTTP/1.1 written and read by hand (`--client raw`): the cheapest claimers measured
 * (`bench/README.md`), so that as little as possible of the 2 cores goes to them. `--client undici`
 * (a Pool; `--pipelining N --connections C` lets C connections carry N requests in flight each) or
 * `--client http` (node:http with a keep-alive Agent) run the same claimers through a library.
 */
import { execFileSync, fork } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSecureApp, generateToken, serveOnPort } from '@flotilla/kit/http';
import { createSqliteBoardStore } from '../src/board/sqlite-board-store.ts';
import { boardRoutes } from '../src/hub/board-routes.ts';
import { appendEventOn, openHubStore } from '../src/hub/hub-store.ts';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const TASKS = Number(args.find((arg, i) => /^\d+$/.test(arg) && !args[i - 1]?.startsWith('--')) ?? 2000);
const OUTBOX = !args.includes('--no-outbox');
const CLIENT_OPTIONS = {
  client: option('client', 'raw'),
  ...(option('pipelining') ? { pipelining: Number(option('pipelining')) } : {}),
  ...(option('connections') ? { connections: Number(option('connections')) } : {}),
  workers: Number(option('workers', 0)),
  claimOnly: args.includes('--claim-only'),
};
/**
 * `--claim-only`: a claim is the claim request alone (one request, one commit); the claimed tasks
 * stay `doing`. Without it, each claimer also completes what it claimed before claiming again.
 */
const CLAIM_ONLY = CLIENT_OPTIONS.claimOnly;
/** Only the two HTTP baselines: to compare claimer set-ups (`bench/README.md`) without the board. */
const BASELINES_ONLY = args.includes('--baselines-only');
/**
 * `--pin`: this process (the hub and the baselines' servers) on CPU 0, the claimers' process on
 * CPU 1 (`taskset -a`), so that they do not take each other's core; other processes on the
 * machine still run on both.
 */
const PIN = args.includes('--pin');
if (PIN) execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' });
/** Each kind of run this many times, interleaved; the table shows medians. */
const ROUNDS = Number(option('rounds', 3));
const CLAIMERS = option('claimers', '8,64').split(',').map(Number);
const TARGETS = { 8: 2000, 64: 500 };
const LEASE_MS = 600_000;
const CLIENT = fileURLToPath(new URL('./board-http-claim-client.mjs', import.meta.url));

async function freshBoard() {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-board-http-bench-'));
  const hub = OUTBOX ? openHubStore({ path: join(dir, 'hub.db'), hubName: 'bench' }) : null;
  const onWrite = hub ? (sqlite, task) => appendEventOn(sqlite, 'bench', new Date(), { type: 'task.changed', task }) : undefined;
  const store = createSqliteBoardStore({ path: join(dir, 'hub.db'), onWrite });
  for (let i = 0; i < TASKS; i += 1) await store.add({ title: `task ${i}`, tags: [i % 2 ? 'api' : 'ui'] });
  return { store, hub, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

function doubleClaims(ids) {
  if (ids.length !== TASKS) throw new Error(`claimed ${ids.length} of ${TASKS} tasks`);
  return ids.length - new Set(ids).size;
}

/** The raw store, claim then complete, N async claimers in this process: no HTTP at all. */
async function rawStore(claimers) {
  const { store, hub, remove } = await freshBoard();
  const ids = [];
  const claimer = async (n) => {
    const holder = { who: `c${n}`, host: 'bench' };
    for (let task = await store.claim({ holder, leaseMs: LEASE_MS }); task !== null; task = await store.claim({ holder, leaseMs: LEASE_MS })) {
      ids.push(task.id);
      if (!CLAIM_ONLY) await store.complete(task.id, task.token, 'bench');
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: claimers }, (_, n) => claimer(n)));
  const elapsedMs = performance.now() - started;
  await store.close();
  hub?.close();
  remove();
  return { claimsPerSecond: (TASKS / elapsedMs) * 1000, doubles: doubleClaims(ids) };
}

/** Runs the claimers' process against `url`; resolves their report and this process's CPU meanwhile. */
function runClients(url, token, claimers) {
  const child = fork(CLIENT, [JSON.stringify({ url, token, claimers, leaseMs: LEASE_MS, ...CLIENT_OPTIONS })], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (PIN) execFileSync('taskset', ['-a', '-cp', '1', String(child.pid)], { stdio: 'ignore' });
  let cpu;
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`claim clients exited with code ${code} before reporting`)));
    child.on('message', (message) => {
      if (message === 'ready') {
        cpu = process.cpuUsage();
        child.send('go');
        return;
      }
      const used = process.cpuUsage(cpu);
      resolve({ ...message, serverCpuUs: used.user + used.system });
    });
  });
}

/**
 * A task document as the hub answers it, to make the baselines' answers the same size as the
 * board's: a claimed task (claim) and a done one (done), with their history.
 */
function sampleAnswers() {
  const at = new Date().toISOString();
  const task = {
    id: '01KAXD3Q8ZB5V0T3W0M6E2J9RC', key: 'API-1000', title: 'task 1999', body: '', tags: ['api'], priority: 'normal', for: null, after: [],
    status: 'doing', holder: { who: 'claimer-7', host: 'bench' }, leaseExpiresAt: at, token: 1, attempts: 0, branch: null, previousJobId: null,
    history: [{ at, kind: 'added', by: 'user' }, { at, kind: 'claimed', by: 'claimer-7', host: 'bench', token: 1 }], createdAt: at, updatedAt: at,
  };
  const done = { ...task, status: 'done', holder: null, leaseExpiresAt: null, history: [...task.history, { at, kind: 'completed', by: 'claimer-7', token: 1, note: 'bench' }] };
  return { claim: (n) => JSON.stringify({ task: { ...task, id: `fixed-${n}` } }), none: JSON.stringify({ task: null }), done: JSON.stringify(done) };
}

/**
 * A fixed answer per request: claims count down from TASKS (so the claimers stop as on the
 * board), dones get the done document. The same for the raw server and the hub baseline.
 */
function fixedAnswers() {
  const answers = sampleAnswers();
  let next = 0;
  return (path) => {
    if (path !== '/api/board/claim') return answers.done;
    if (next >= TASKS) return answers.none;
    next += 1;
    return answers.claim(next);
  };
}

/** Raw node:http with a fixed body: the ceiling of loopback HTTP with these claimers. */
async function overRawHttp(claimers) {
  const answer = fixedAnswers();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const text = answer(req.url);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return measure(await runClients(`http://127.0.0.1:${server.address().port}`, 'none', claimers), false);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** The hub's HTTP stack with a fixed answer: kit's secure app (Host, Origin, token) and hono. */
async function overHubBaseline(claimers) {
  const answer = fixedAnswers();
  const token = generateToken();
  const app = createSecureApp({ token, requireToken: true });
  const fixed = (c) => c.body(answer(c.req.path), 200, { 'content-type': 'application/json' });
  app.post('/api/board/claim', fixed);
  app.post('/api/board/:ref/done', fixed);
  const server = await serveOnPort(app.fetch);
  try {
    return measure(await runClients(server.url, token, claimers), false);
  } finally {
    await server.close();
  }
}

async function overHub(claimers) {
  const { store, hub, remove } = await freshBoard();
  const token = generateToken();
  const app = createSecureApp({ token, requireToken: true });
  // The rows are already written (onWrite); publishing only wakes readers, of which there are none here.
  const publish = async () => undefined;
  app.route('/api/board', boardRoutes({ store, publish, caller: () => ({ kind: 'user' }), defaultLeaseMs: LEASE_MS }));
  const server = await serveOnPort(app.fetch);
  try {
    const result = measure(await runClients(server.url, token, claimers), true);
    const ended = await store.list({ status: [CLAIM_ONLY ? 'doing' : 'done'] });
    if (ended.length !== TASKS) throw new Error(`${ended.length} of ${TASKS} tasks ${CLAIM_ONLY ? 'doing' : 'done'}`);
    return result;
  } finally {
    await server.close();
    await store.close();
    hub?.close();
    remove();
  }
}

function measure({ claims, latencies, elapsedMs, clientCpuMs, serverCpuUs }, board) {
  latencies.sort((a, b) => a - b);
  return {
    claimsPerSecond: (TASKS / elapsedMs) * 1000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    doubles: board ? doubleClaims(claims) : 0,
    serverCpuUsPerClaim: serverCpuUs / TASKS,
    clientCpuUsPerClaim: (clientCpuMs * 1000) / TASKS,
  };
}

const pct = (a, b) => `${Math.round((a / b) * 100)}%`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
/** The median of each figure over the rounds (the runs of one round follow each other, round after round). */
const medians = (runs) => Object.fromEntries(Object.keys(runs[0]).map((key) => [key, median(runs.map((run) => run[key]))]));
const loadBefore = loadavg().map((n) => n.toFixed(2)).join(' ');
const rows = [];
for (const claimers of CLAIMERS) {
  const runs = { rawHttp: [], baseline: [], raw: [], hub: [] };
  // Interleaved, so that a neighbour's burst on this shared machine falls on every kind of run alike.
  for (let round = 0; round < ROUNDS; round += 1) {
    runs.rawHttp.push(await overRawHttp(claimers));
    runs.baseline.push(await overHubBaseline(claimers));
    if (BASELINES_ONLY) continue;
    runs.raw.push(await rawStore(claimers));
    runs.hub.push(await overHub(claimers));
  }
  const rawHttp = medians(runs.rawHttp);
  const baseline = medians(runs.baseline);
  if (BASELINES_ONLY) {
    rows.push({
      claimers,
      'raw http /s': Math.round(rawHttp.claimsPerSecond),
      'raw http µs': Math.round(rawHttp.serverCpuUsPerClaim),
      'claimers µs (raw)': Math.round(rawHttp.clientCpuUsPerClaim),
      'hub baseline /s': Math.round(baseline.claimsPerSecond),
      'baseline µs': Math.round(baseline.serverCpuUsPerClaim),
      'claimers µs (baseline)': Math.round(baseline.clientCpuUsPerClaim),
    });
    continue;
  }
  const raw = medians(runs.raw);
  const hub = medians(runs.hub);
  const doubles = [...runs.hub, ...runs.raw].reduce((sum, run) => sum + run.doubles, 0);
  rows.push({
    claimers,
    'claims/s': Math.round(hub.claimsPerSecond),
    target: TARGETS[claimers] ? `≥ ${TARGETS[claimers]}` : '–',
    'p50 ms': hub.p50.toFixed(2),
    'p99 ms': hub.p99.toFixed(2),
    'double claims': doubles,
    'hub baseline /s': Math.round(baseline.claimsPerSecond),
    'raw http /s': Math.round(rawHttp.claimsPerSecond),
    'of baseline': pct(hub.claimsPerSecond, baseline.claimsPerSecond),
    'of raw http': pct(hub.claimsPerSecond, rawHttp.claimsPerSecond),
    'raw store /s': Math.round(raw.claimsPerSecond),
    'hub µs': Math.round(hub.serverCpuUsPerClaim),
    'baseline µs': Math.round(baseline.serverCpuUsPerClaim),
    'raw http µs': Math.round(rawHttp.serverCpuUsPerClaim),
    'claimers µs': Math.round(hub.clientCpuUsPerClaim),
    'claimers µs (baseline)': Math.round(baseline.clientCpuUsPerClaim),
  });
}
const client = `${PIN ? 'pinned to CPU 1 (the hub to CPU 0), ' : ''}${CLIENT_OPTIONS.client}${CLIENT_OPTIONS.connections ? `, ${CLIENT_OPTIONS.connections} connections` : ', one connection per claimer'}${CLIENT_OPTIONS.pipelining > 1 ? `, pipelining ${CLIENT_OPTIONS.pipelining}` : ''}${CLIENT_OPTIONS.workers ? `, ${CLIENT_OPTIONS.workers} worker threads` : ', one process'}`;
const what = CLAIM_ONLY ? 'a claim = the claim request alone (1 request, 1 commit; tasks stay doing)' : 'a claim = claim + done (2 requests, 2 commits)';
console.log(`board claims through the hub's HTTP API: ${what}; ${TASKS} tasks per run, medians of ${ROUNDS} interleaved rounds; ${OUTBOX ? 'outbox row in the same transaction' : 'no outbox'}; claimers: ${client}`);
console.log(`${cpus().length} cores, load average before ${loadBefore}, after ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
console.log(`µs columns: CPU time per claim (${CLAIM_ONLY ? 'claim' : 'claim + done'}) of the server process and of the claimers' process`);
console.table(rows);
