/**
 * One run of the hub's board over HTTP, no baselines: `mesh serve`'s board routes on a kit secure
 * app with a token, over a fresh SQLite file, every change's `task.changed` row written in the
 * board's transaction (as the hub does); N claimers of `board-http-claim-client.mjs` in their own
 * process, claiming then completing until the board is empty. Prints claims/s and the hub's CPU
 * per claim (claim + done). Small and self-contained, so that the same file can be run against an
 * older tree of the package in the same minute (a before/after on a noisy machine):
 *
 *   node --import tsx bench/board-http-hub.mjs [tasks=2000] [claimers=8]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSecureApp, generateToken, serveOnPort } from '@flotilla/kit/http';
import { createSqliteBoardStore } from '../src/board/sqlite-board-store.ts';
import { boardRoutes } from '../src/hub/board-routes.ts';
import { appendEventOn, openHubStore } from '../src/hub/hub-store.ts';

const TASKS = Number(process.argv[2] ?? 2000);
const CLAIMERS = Number(process.argv[3] ?? 8);
const LEASE_MS = 600_000;
const CLIENT = fileURLToPath(new URL('./board-http-claim-client.mjs', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'mesh-board-http-hub-'));
const hub = openHubStore({ path: join(dir, 'hub.db'), hubName: 'bench' });
const onWrite = (sqlite, task) => appendEventOn(sqlite, 'bench', new Date(), { type: 'task.changed', task });
const store = createSqliteBoardStore({ path: join(dir, 'hub.db'), onWrite });
try {
  for (let i = 0; i < TASKS; i += 1) await store.add({ title: `task ${i}`, tags: [i % 2 ? 'api' : 'ui'] });
  const token = generateToken();
  const app = createSecureApp({ token, requireToken: true });
  app.route('/api/board', boardRoutes({ store, publish: async () => undefined, caller: () => ({ kind: 'user' }), defaultLeaseMs: LEASE_MS }));
  const server = await serveOnPort(app.fetch);
  const child = fork(CLIENT, [JSON.stringify({ url: server.url, token, claimers: CLAIMERS, leaseMs: LEASE_MS, client: process.env.BENCH_CLIENT ?? 'raw' })], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const cpu = process.cpuUsage();
  const result = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`claim clients exited with code ${code} before reporting`)));
    child.on('message', (message) => (message === 'ready' ? child.send('go') : resolve(message)));
  });
  const used = process.cpuUsage(cpu);
  await server.close();
  const doubles = result.claims.length - new Set(result.claims).size;
  if (result.claims.length !== TASKS || doubles !== 0) throw new Error(`${result.claims.length} claims of ${TASKS} tasks, ${doubles} double`);
  console.log(`${CLAIMERS} claimers: ${Math.round((TASKS / result.elapsedMs) * 1000)} claims/s, hub CPU ${Math.round((used.user + used.system) / TASKS)} µs/claim, 0 double claims`);
} finally {
  await store.close();
  hub.close();
  rmSync(dir, { recursive: true, force: true });
}
