/**
 * One running director per id and state directory: two processes with one id would each think the
 * other's batches are their own (leases are per id).
 */
import { join } from 'node:path';
import { takePidLock } from '../state/pid-lock.js';
import { ConfigError } from './context.js';

export interface DirectorLock {
  release(): Promise<void>;
}

export async function acquireDirectorLock(stateDir: string, id: string): Promise<DirectorLock> {
  const path = join(stateDir, `director-${id.replace(/[^A-Za-z0-9._-]+/g, '_')}.lock`);
  const lock = await takePidLock(path).catch((error: unknown) => {
    throw new ConfigError(`the director's lock: ${(error as Error).message}`);
  });
  if ('heldBy' in lock) throw new ConfigError(`a director with id ${id} already runs (pid ${lock.heldBy}, ${path})`, 'stop it first, or give this one another --id');
  return lock;
}
