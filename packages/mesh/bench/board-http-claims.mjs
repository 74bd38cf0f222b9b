/**
 * Board claims through the hub's HTTP API (`/api/board`, the routes `mesh serve` mounts) on a
 * kit secure app with a token, over a fresh SQLite file, every change also written to the hub's
 * outbox: 8 and 64 concurrent claimers in a separate process, each claiming then completing
 * until the board is empty. Prints claims/s,
 * p50/p99 claim latency and double claims (must be 0), beside the raw store's claims/s measured
 * in the same run, a bare node:http server's rate with the same claimers (the machine's floor at
 * that moment), and the hub's CPU time per claim (with what one core would sustain at that
 * cost: on a shared, loaded machine the wall-clock rate says as much about the neighbours).
 * Targets (issue 6): ≥ 2,000 claims/s at 8, ≥ 500/s at 64.
 *
 *   node --import tsx bench/board-http-claims.mjs [tasks=2000] [--no-outbox]
 *
 * `--no-outbox` publishes nowhere, to see what the outbox row per change costs.
 */
import { fork } from 'node:child_process';
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
const TASKS = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 2000);
const OUTBOX = !args.includes('--no-outbox');
const LEASE_MS = 600_000;
const CLIENT = fileURLToPath(new URL('./board-http-claim-client.mjs', import.meta.url));

async function freshBoard() {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-board-http-bench-'));
  // As in `mesh serve`: each board change writes its task.changed row in its own transaction.
  const hub = OUTBOX ? openHubStore({ path: join(dir, 'hub.db'), hubName: 'bench' }) : null;
  const onWrite = hub ? (sqlite, task) => appendEventOn(sqlite, 'bench', new Date(), { type: 'task.changed', task }) : undefined;
  const store = createSqliteBoardStore({ path: join(dir, 'hub.db'), onWrite });
  for (let i = 0; i < TASKS; i += 1) await store.add({ title: `task ${i}`, tags: [i % 2 ? 'api' : 'ui'] });
  return { store, hub, path: join(dir, 'hub.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

function doubleClaims(ids) {
  if (ids.length !== TASKS) throw new Error(`claimed ${ids.length} of ${TASKS} tasks`);
  return ids.length - new Set(ids).size;
}

/** The raw store, claim then complete, N async claimers in this process: the ceiling for HTTP. */
async function rawStore(claimers) {
  const { store, remove } = await freshBoard();
  const ids = [];
  const claimer = async (n) => {
    const holder = { who: `c${n}`, host: 'bench' };
    for (let task = await store.claim({ holder, leaseMs: LEASE_MS }); task !== null; task = await store.claim({ holder, leaseMs: LEASE_MS })) {
      ids.push(task.id);
      await store.complete(task.id, task.token, 'bench');
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: claimers }, (_, n) => claimer(n)));
  const elapsedMs = performance.now() - started;
  await store.close();
  remove();
  return { claimsPerSecond: (TASKS / elapsedMs) * 1000, doubles: doubleClaims(ids) };
}

function runClients(url, token, claimers) {
  const child = fork(CLIENT, [JSON.stringify({ url, token, claimers, leaseMs: LEASE_MS })], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`claim clients exited with code ${code} before reporting`)));
    child.on('message', (message) => (message === 'ready' ? child.send('go') : resolve(message)));
  });
}

/**
 * The floor: a bare node:http server that hands out made-up tasks (no hono, no token, no SQLite)
 * to the same claimers. What this machine's loopback HTTP alone allows at that moment.
 */
async function overBareHttp(claimers) {
  let next = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const task = next < TASKS ? { id: `bare-${next}`, token: 1 } : null;
      if (task) next += 1;
      const text = JSON.stringify(req.url === '/api/board/claim' ? { task } : { ok: true });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { elapsedMs } = await runClients(`http://127.0.0.1:${server.address().port}`, 'none', claimers);
    return { claimsPerSecond: (TASKS / elapsedMs) * 1000 };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function overHttp(claimers) {
  const { store, hub, remove } = await freshBoard();
  const token = generateToken();
  const app = createSecureApp({ token, requireToken: true });
  // The rows are already written (onWrite); publishing only wakes readers, of which there are none here.
  const publish = async () => undefined;
  app.route('/api/board', boardRoutes({ store, publish, caller: () => ({ kind: 'user' }), defaultLeaseMs: LEASE_MS }));
  const server = await serveOnPort(app.fetch);
  try {
    const cpu = process.cpuUsage();
    const { claims, latencies, elapsedMs, clientCpuMs } = await runClients(server.url, token, claimers);
    const used = process.cpuUsage(cpu);
    const done = await store.list({ status: ['done'] });
    if (done.length !== TASKS) throw new Error(`${done.length} of ${TASKS} tasks done`);
    latencies.sort((a, b) => a - b);
    return {
      claimsPerSecond: (TASKS / elapsedMs) * 1000,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      doubles: doubleClaims(claims),
      hubCpuUsPerClaim: (used.user + used.system) / TASKS,
      clientCpuUsPerClaim: (clientCpuMs * 1000) / TASKS,
    };
  } finally {
    await server.close();
    await store.close();
    hub?.close();
    remove();
  }
}

const loadBefore = loadavg().map((n) => n.toFixed(2)).join(' ');
const rows = [];
for (const [claimers, target] of [[8, 2000], [64, 500]]) {
  const raw = await rawStore(claimers);
  const http = await overHttp(claimers);
  const bare = await overBareHttp(claimers);
  rows.push({
    claimers,
    'HTTP claims/s': Math.round(http.claimsPerSecond),
    target: `≥ ${target}`,
    'p50 ms': http.p50.toFixed(2),
    'p99 ms': http.p99.toFixed(2),
    'double claims': http.doubles + raw.doubles,
    'raw store claims/s': Math.round(raw.claimsPerSecond),
    'HTTP / raw': `${((http.claimsPerSecond / raw.claimsPerSecond) * 100).toFixed(0)}%`,
    'bare node:http claims/s': Math.round(bare.claimsPerSecond),
    'hub CPU µs/claim': Math.round(http.hubCpuUsPerClaim),
    // What one core given wholly to the hub would sustain: the figure that does not depend on the machine's load.
    'claims per hub CPU-s': Math.round(1e6 / http.hubCpuUsPerClaim),
    'clients CPU µs/claim': Math.round(http.clientCpuUsPerClaim),
  });
}
console.log(`board claims through the hub's HTTP API (claim, then done), ${TASKS} tasks per run, one SQLite file (WAL), ${OUTBOX ? 'every change written to the outbox in the same transaction as the change' : 'no outbox'}`);
console.log(`${cpus().length} cores, load average before ${loadBefore}, after ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
console.table(rows);
