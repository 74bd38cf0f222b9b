/**
 * Forks processes that each open the board store on the same SQLite file and race to claim every
 * task, as agents on several hosts do through their hubs' store. Shared by the store's
 * cross-process race test and by `board-claims.mjs`.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const WORKER = fileURLToPath(new URL('./board-claim-worker.ts', import.meta.url));
/** The worker is TypeScript; tsx (a devDependency of mesh) loads it without a build. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function startProcess(path, claimers, leaseMs) {
  const child = fork(WORKER, [JSON.stringify({ path, claimers, leaseMs })], {
    execArgv: ['--import', TSX_LOADER],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`claim worker exited early with code ${code}`)));
  });
  const result = ready.then(
    () =>
      new Promise((resolve, reject) => {
        child.once('message', resolve);
        child.once('exit', (code) => reject(new Error(`claim worker exited with code ${code} before reporting`)));
      }),
  );
  return { child, ready, result };
}

/**
 * @param {{ path: string, processes: number, claimersPerProcess: number, leaseMs: number }} options
 * @returns {Promise<{ claims: { id: string, token: number, pid: number, atMs: number }[], elapsedMs: number }>}
 */
export async function runClaimers({ path, processes, claimersPerProcess, leaseMs }) {
  const workers = Array.from({ length: processes }, () => startProcess(path, claimersPerProcess, leaseMs));
  try {
    await Promise.all(workers.map((worker) => worker.ready));
    for (const worker of workers) worker.child.send('go');
    const results = await Promise.all(workers.map((worker) => worker.result));
    return { claims: results.flatMap((result) => result.claims), elapsedMs: Math.max(...results.map((result) => result.elapsedMs)) };
  } finally {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill();
  }
}
