/**
 * One running director per id and state directory: two processes with one id would each think the
 * other's batches are their own (leases are per id). A pid file taken with O_EXCL; one left by a
 * process that is gone is taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from './context.js';

export interface DirectorLock {
  release(): Promise<void>;
}

export async function acquireDirectorLock(stateDir: string, id: string): Promise<DirectorLock> {
  const path = join(stateDir, `director-${id.replace(/[^A-Za-z0-9._-]+/g, '_')}.lock`);
  for (let round = 0; round < 2; round += 1) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new ConfigError(`a director with id ${id} already runs (pid ${pid}, ${path})`, 'stop it first, or give this one another --id');
      }
      await rm(path, { force: true });
    }
  }
  throw new ConfigError(`could not take the lock ${path}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
