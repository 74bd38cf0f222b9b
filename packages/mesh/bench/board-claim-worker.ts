/**
 * One claiming process for the cross-process claim race and the claims benchmark: opens its own
 * store on the shared file, waits for `go` (so every process starts together), runs N async
 * claimers until nothing is claimable, and reports every claim with its fencing token.
 * Run through `board-claim-processes.mjs` (node --import tsx).
 */
import { createSqliteBoardStore } from '../src/board/sqlite-board-store.js';

interface WorkerConfig {
  path: string;
  claimers: number;
  leaseMs: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const store = createSqliteBoardStore({ path: config.path });
const claims: { id: string; token: number; pid: number; atMs: number }[] = [];

async function claimUntilEmpty(n: number, startedAt: number): Promise<void> {
  const input = { holder: { who: `p${process.pid}-c${n}`, host: 'bench' }, leaseMs: config.leaseMs };
  for (let task = await store.claim(input); task; task = await store.claim(input)) {
    claims.push({ id: task.id, token: task.token, pid: process.pid, atMs: performance.now() - startedAt });
  }
}

process.once('message', (message) => {
  if (message !== 'go') return;
  const startedAt = performance.now();
  void Promise.all(Array.from({ length: config.claimers }, (_, n) => claimUntilEmpty(n, startedAt))).then(async () => {
    const elapsedMs = performance.now() - startedAt;
    await store.close();
    process.send?.({ claims, elapsedMs }, () => process.disconnect());
  });
});
process.send?.('ready');
