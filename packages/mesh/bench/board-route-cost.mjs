/**
 * What the claim path costs beyond the hub's cheapest authenticated route, without sockets: the
 * same kit secure app (Host, Origin, token) and hono, called in-process through `app.fetch`, 8
 * concurrent claimers (claim, then done) against (a) fixed answers of the same size and (b) the
 * board routes over a fresh SQLite file with the outbox row in the board's transaction. Prints
 * CPU µs per claim (claim + done) for both, and the difference: the board's own cost, free of
 * loopback TCP and of the claimers' process (which `board-http-claims.mjs` measures).
 *
 *   node --import tsx bench/board-route-cost.mjs [tasks=4000] [rounds=3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureApp, generateToken } from '@flotilla/kit/http';
import { createSqliteBoardStore } from '../src/board/sqlite-board-store.ts';
import { boardRoutes } from '../src/hub/board-routes.ts';
import { appendEventOn, openHubStore } from '../src/hub/hub-store.ts';

const TASKS = Number(process.argv[2] ?? 4000);
const ROUNDS = Number(process.argv[3] ?? 3);
const CLAIMERS = 8;
const LEASE_MS = 600_000;

function sampleAnswers() {
  const at = new Date().toISOString();
  const task = {
    id: '01KAXD3Q8ZB5V0T3W0M6E2J9RC', key: 'API-1000', title: 'task 1999', body: '', tags: ['api'], priority: 'normal', for: null, after: [],
    status: 'doing', holder: { who: 'claimer-7', host: 'bench' }, leaseExpiresAt: at, token: 1, attempts: 0, branch: null, previousJobId: null,
    history: [{ at, kind: 'added', by: 'user' }, { at, kind: 'claimed', by: 'claimer-7', host: 'bench', token: 1 }], createdAt: at, updatedAt: at,
  };
  const done = { ...task, status: 'done', holder: null, history: [...task.history, { at, kind: 'completed', by: 'claimer-7', token: 1, note: 'bench' }] };
  let next = 0;
  return (path) => {
    if (path !== '/api/board/claim') return JSON.stringify(done);
    if (next >= TASKS) return JSON.stringify({ task: null });
    next += 1;
    return JSON.stringify({ task: { ...task, id: `fixed-${next}` } });
  };
}

async function drive(app, token) {
  const headers = { host: '127.0.0.1:1', authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const post = async (path, body) => (await app.fetch(new Request(`http://127.0.0.1:1${path}`, { method: 'POST', headers, body }))).json();
  const claimer = async (n) => {
    const claim = JSON.stringify({ holder: { who: `claimer-${n}`, host: 'bench' }, leaseMs: LEASE_MS });
    for (let { task } = await post('/api/board/claim', claim); task !== null; { task } = await post('/api/board/claim', claim)) {
      await post(`/api/board/${task.id}/done`, JSON.stringify({ token: task.token, note: 'bench' }));
    }
  };
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: CLAIMERS }, (_, n) => claimer(n)));
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / TASKS;
}

async function baseline() {
  const token = generateToken();
  const app = createSecureApp({ token, requireToken: true });
  const answer = sampleAnswers();
  const fixed = (c) => c.body(answer(c.req.path), 200, { 'content-type': 'application/json' });
  app.post('/api/board/claim', fixed);
  app.post('/api/board/:ref/done', fixed);
  return drive(app, token);
}

async function board() {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-board-route-cost-'));
  const hub = openHubStore({ path: join(dir, 'hub.db'), hubName: 'bench' });
  const store = createSqliteBoardStore({ path: join(dir, 'hub.db'), onWrite: (sqlite, task) => appendEventOn(sqlite, 'bench', new Date(), { type: 'task.changed', task }) });
  for (let i = 0; i < TASKS; i += 1) await store.add({ title: `task ${i}`, tags: [i % 2 ? 'api' : 'ui'] });
  const token = generateToken();
  const app = createSecureApp({ token, requireToken: true });
  app.route('/api/board', boardRoutes({ store, publish: async () => undefined, caller: () => ({ kind: 'user' }), defaultLeaseMs: LEASE_MS }));
  try {
    const cost = await drive(app, token);
    const done = await store.list({ status: ['done'] });
    if (done.length !== TASKS) throw new Error(`${done.length} of ${TASKS} tasks done`);
    return cost;
  } finally {
    await store.close();
    hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows = [];
for (let round = 0; round < ROUNDS; round += 1) {
  const fixed = await baseline();
  const routes = await board();
  rows.push({ round, 'baseline µs/claim': Math.round(fixed), 'board µs/claim': Math.round(routes), 'board beyond baseline µs': Math.round(routes - fixed) });
}
console.log(`in-process (app.fetch, no sockets), ${CLAIMERS} claimers, ${TASKS} tasks; CPU per claim (claim + done)`);
console.table(rows);
