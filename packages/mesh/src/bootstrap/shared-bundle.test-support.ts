// Tests only: the cb bundle (`packCbBundle`) packed once per test run and shared by every test file
// that bootstraps a host, in whichever worker it runs. The first caller packs it (the others wait on
// a lock directory) and records the bundle exactly as `packCbBundle` returned it, so a file that
// did not pack it checks the same returned manifest against the files on disk.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { packCbBundle, type CbBundle } from './pack-bundle.js';
import '../test-support/shared-scratch.global-setup.js';

const WAIT_STEP_MS = 200;
/** Packing takes ~10 s on a quiet 2-core machine and ~20 s under load; waiting longer means the packer is stuck. */
const WAIT_LIMIT_MS = 300_000;

/** The run's one cb bundle; `fallbackDir` is used (and packed into) when the run has no shared scratch. */
export async function sharedCbBundle(fallbackDir: string): Promise<CbBundle> {
  const root = inject('meshRunScratch');
  if (root === undefined) return packCbBundle({ outDir: fallbackDir });
  const dir = join(root, 'cb-bundle');
  const result = join(root, 'cb-bundle.json');
  const lock = join(root, 'cb-bundle.lock');
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    if (existsSync(result)) return JSON.parse(readFileSync(result, 'utf8')) as CbBundle;
    if (takeLock(lock)) {
      try {
        rmSync(dir, { recursive: true, force: true });
        const bundle = await packCbBundle({ outDir: dir });
        // Written under another name first, so the result appears whole.
        writeFileSync(`${result}.tmp`, JSON.stringify(bundle));
        renameSync(`${result}.tmp`, result);
        return bundle;
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    }
    if (Date.now() > deadline) throw new Error(`the shared cb bundle in ${root} was not packed within ${WAIT_LIMIT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
  }
}

/** mkdir is the atomic claim; a claim whose owner process is gone is taken over. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
  } catch {
    const owner = Number.parseInt(readOr(join(lock, 'owner'), ''), 10);
    if (!Number.isInteger(owner) || alive(owner)) return false;
    // Moved aside first: of two takers, only one rename wins; the next try claims the lock anew.
    const aside = `${lock}.stale-${process.pid}-${Date.now()}`;
    try {
      renameSync(lock, aside);
    } catch {
      return false;
    }
    rmSync(aside, { recursive: true, force: true });
    return false;
  }
  writeFileSync(join(lock, 'owner'), String(process.pid));
  return true;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
