import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquirePollerLock, PollerLockedError } from './lock.js';
import { telegramPaths } from './paths.js';

const TOKEN = '123456:AAH-secret_part';
let home: string;
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('acquirePollerLock', () => {
  it('should let one poller per token hold it and name the holder to the second', async () => {
    home = mkdtempSync(join(tmpdir(), 'tg-lock-'));
    const lock = await acquirePollerLock(home, TOKEN);
    const second = await acquirePollerLock(home, TOKEN).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(PollerLockedError);
    expect((second as PollerLockedError).holderPid).toBe(process.pid);
    expect((second as Error).message).toContain(`pid ${process.pid}`);
    const other = await acquirePollerLock(home, '999:another');
    await other.release();
    await lock.release();
    await (await acquirePollerLock(home, TOKEN)).release();
  });

  it('should name the lock file by a hash of the token, never the token', async () => {
    home = mkdtempSync(join(tmpdir(), 'tg-lock-'));
    const lock = await acquirePollerLock(home, TOKEN);
    expect(readdirSync(home).join(' ')).not.toContain('AAH-secret_part');
    expect(existsSync(telegramPaths(home).lock(TOKEN))).toBe(true);
    await lock.release();
  });

  it('should take over the lock of a dead process', async () => {
    home = mkdtempSync(join(tmpdir(), 'tg-lock-'));
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid as number;
    await new Promise((resolve) => child.once('exit', resolve));
    writeFileSync(telegramPaths(home).lock(TOKEN), JSON.stringify({ pid, startTime: 1, at: new Date().toISOString(), nonce: 'x' }));
    const lock = await acquirePollerLock(home, TOKEN);
    expect(lock.owner.pid).toBe(process.pid);
    await lock.release();
  });
});
