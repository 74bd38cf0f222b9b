import { open, readFile, rm } from 'node:fs/promises';

/** A lock taken, or the live process that holds it. */
export type PidLock = { release(): Promise<void> } | { heldBy: number };

/**
 * A pid file taken with O_EXCL: one process at a time holds `path`; a file left by a process that is
 * gone (or unreadable) is taken over. Errors other than "exists" are thrown.
 *
 * @example
 * const lock = await takePidLock(join(stateDir, 'scout-api.lock'));
 * if ('heldBy' in lock) return `pid ${lock.heldBy} is at it`;
 * try { … } finally { await lock.release(); }
 */
export async function takePidLock(path: string): Promise<PidLock> {
  for (let round = 0; round < 2; round += 1) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) return { heldBy: pid };
      await rm(path, { force: true });
    }
  }
  throw new Error(`could not take the lock ${path}: another process keeps recreating it`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
