import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { takePidLock, type PidLock } from '../state/pid-lock.js';

/**
 * One scout per repo and state directory at a time (a nightly cron `scout` and `start`'s schedule
 * could otherwise both list the board, both find a proposal new, and both add it). `heldBy` when a
 * live scout holds it.
 */
export async function takeScoutLock(stateDir: string, repo: string): Promise<PidLock> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  return takePidLock(join(stateDir, `scout-${repo.replace(/[^A-Za-z0-9._-]+/g, '_')}.lock`));
}
