/**
 * Raw board-store claims per second on one SQLite file, the baseline under the hub's HTTP target
 * (≥ 2,000/s at 8 and ≥ 500/s at 64 concurrent claimers). Two shapes:
 * - one process, N async claimers on one store (the hub: one process, one connection);
 * - several processes sharing the file (the worst case for SQLite's write lock).
 * Every run checks that no task was claimed twice.
 *
 *   node --import tsx bench/board-claims.mjs [tasks=2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteBoardStore } from '../src/board/sqlite-board-store.ts';
import { runClaimers } from './board-claim-processes.mjs';

const TASKS = Number(process.argv[2] ?? 2000);
const LEASE_MS = 600_000;

async function freshBoard() {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-board-bench-'));
  const path = join(dir, 'hub.db');
  const store = createSqliteBoardStore({ path });
  for (let i = 0; i < TASKS; i += 1) await store.add({ title: `task ${i}`, tags: [i % 2 ? 'api' : 'ui'] });
  return { path, store, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

function assertNoDoubleClaims(ids) {
  const unique = new Set(ids).size;
  if (unique !== ids.length || ids.length !== TASKS) throw new Error(`claims: ${ids.length}, distinct: ${unique}, tasks: ${TASKS}`);
}

async function inProcess(claimers) {
  const { store, remove } = await freshBoard();
  const ids = [];
  const latencies = [];
  const claimer = async (n) => {
    const input = { holder: { who: `c${n}`, host: 'bench' }, leaseMs: LEASE_MS };
    for (;;) {
      const started = performance.now();
      const task = await store.claim(input);
      latencies.push(performance.now() - started);
      if (task === null) return;
      ids.push(task.id);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: claimers }, (_, n) => claimer(n)));
  const elapsedMs = performance.now() - started;
  await store.close();
  remove();
  assertNoDoubleClaims(ids);
  latencies.sort((a, b) => a - b);
  return { elapsedMs, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function acrossProcesses(processes, claimers) {
  const { path, store, remove } = await freshBoard();
  await store.close();
  const result = await runClaimers({ path, processes, claimersPerProcess: claimers / processes, leaseMs: LEASE_MS });
  remove();
  assertNoDoubleClaims(result.claims.map((claim) => claim.id));
  return { elapsedMs: result.elapsedMs };
}

const rows = [];
for (const claimers of [8, 64]) {
  const one = await inProcess(claimers);
  rows.push({ shape: '1 process', claimers, 'claims/s': Math.round((TASKS / one.elapsedMs) * 1000), 'p50 ms': one.p50.toFixed(3), 'p99 ms': one.p99.toFixed(3), 'double claims': 0 });
  const processes = claimers === 8 ? 2 : 4;
  const many = await acrossProcesses(processes, claimers);
  rows.push({ shape: `${processes} processes`, claimers, 'claims/s': Math.round((TASKS / many.elapsedMs) * 1000), 'p50 ms': '-', 'p99 ms': '-', 'double claims': 0 });
}
console.log(`board store claims, ${TASKS} tasks per run, one SQLite file (WAL)`);
console.table(rows);
