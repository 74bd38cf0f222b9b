import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@flotilla/testkit';
import { describe, expect, it } from 'vitest';
import { acquireDirectorLock } from '../cli/lock.js';
import { takePidLock } from './pid-lock.js';

describe('takePidLock', () => {
  it('should hold the lock for one process, name a live holder, and take over one left by a process that is gone', async () => {
    await using tmp = await makeTempDir('pid-lock-');
    const path = join(tmp.path, 'a.lock');
    const first = await takePidLock(path);
    expect('release' in first && (await readFile(path, 'utf8'))).toBe(`${process.pid}\n`);
    if ('release' in first) await first.release();

    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await writeFile(path, `${holder.pid}\n`);
      expect(await takePidLock(path)).toEqual({ heldBy: holder.pid });
      await expect(acquireDirectorLock(tmp.path, 'a')).resolves.toHaveProperty('release');
      await writeFile(join(tmp.path, 'director-night.lock'), `${holder.pid}\n`);
      await expect(acquireDirectorLock(tmp.path, 'night')).rejects.toThrow(`a director with id night already runs (pid ${holder.pid}`);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    // The holder is gone: its pid file is taken over.
    const taken = await takePidLock(path);
    expect('release' in taken).toBe(true);
    expect(await readFile(path, 'utf8')).toBe(`${process.pid}\n`);
  });
});
