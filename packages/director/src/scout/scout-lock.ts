import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One scout per repo and state directory at a time (a nightly cron `scout` and `start`'s schedule
 * could otherwise both list the board, both find a proposal new, and both add it). A pid file taken
 * with O_EXCL; one left by a process that is gone is taken over. Null when a live scout holds it.
 */
export async function takeScoutLock(stateDir: string, repo: string): Promise<{ release(): Promise<void> } | { heldBy: number }> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, `scout-${repo.replace(/[^A-Za-z0-9._-]+/g, '_')}.lock`);
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
  throw new Error(`could not take the scout's lock ${path}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
