import { spawn } from 'node:child_process';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { distModuleUrl } from '../test-helpers/dist.js';
import { createTestDir } from '../test-helpers/test-dir.js';
import { acquireLock, isKitError } from './index.js';

const CONTENDER = `
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
const { acquireLock } = await import(process.env.KIT_FS_URL);
const [lockPath, logPath, rounds] = process.argv.slice(1);
for (let i = 0; i < Number(rounds); i++) {
  const lock = await acquireLock(lockPath, { timeoutMs: 20000 });
  appendFileSync(logPath, 'start ' + process.pid + '\\n');
  await sleep(2);
  appendFileSync(logPath, 'end ' + process.pid + '\\n');
  await lock.release();
}
`;

const HOLDER = `
const { acquireLock } = await import(process.env.KIT_FS_URL);
await acquireLock(process.argv[1], { timeoutMs: 5000 });
process.stdout.write('locked\\n');
setInterval(() => {}, 1000);
`;

function runNode(script: string, args: string[]) {
  return spawn(process.execPath, ['--input-type=module', '-e', script, '--', ...args], {
    env: { ...process.env, KIT_FS_URL: distModuleUrl('fs/index.js') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

describe('acquireLock', () => {
  it('should give mutual exclusion to real processes racing for it', async () => {
    using dir = createTestDir('kit-lock-');
    const lockPath = dir.join('race.lock');
    const logPath = dir.join('log');
    writeFileSync(logPath, '');
    const children = [0, 1, 2, 3].map(() => runNode(CONTENDER, [lockPath, logPath, '15']));
    const codes = await Promise.all(children.map((child) => new Promise((resolve) => child.on('exit', resolve))));
    expect(codes).toEqual([0, 0, 0, 0]);
    const lines = readFileSync(logPath, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4 * 15 * 2);
    for (let i = 0; i < lines.length; i += 2) {
      const [start, end] = [lines[i]!.split(' '), lines[i + 1]!.split(' ')];
      expect(start[0]).toBe('start');
      expect(end).toEqual(['end', start[1]]);
    }
  });

  it('should take over a lock whose holder was killed', async () => {
    using dir = createTestDir('kit-lock-');
    const lockPath = dir.join('dead.lock');
    const holder = runNode(HOLDER, [lockPath]);
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    await expect(acquireLock(lockPath, { timeoutMs: 0 })).rejects.toSatisfy((error) => isKitError(error, 'LOCK_TIMEOUT'));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('exit', resolve));
    const started = Date.now();
    await using lock = await acquireLock(lockPath, { timeoutMs: 2000 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: process.pid, nonce: lock.owner.nonce });
  });

  it('should treat a reused pid (same pid, other start time) as a dead holder', async () => {
    using dir = createTestDir('kit-lock-');
    const lockPath = dir.join('reused.lock');
    writeFileSync(lockPath, JSON.stringify({ pid: process.pid, startTime: 1, at: new Date(0).toISOString(), nonce: 'x' }));
    const lock = await acquireLock(lockPath, { timeoutMs: 500 });
    await lock.release();
  });

  it('should wait for a live holder, then succeed once it releases', async () => {
    using dir = createTestDir('kit-lock-');
    const lockPath = dir.join('wait.lock');
    const first = await acquireLock(lockPath);
    setTimeout(() => void first.release(), 100);
    const started = Date.now();
    await using second = await acquireLock(lockPath, { timeoutMs: 3000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
    expect(second.owner.pid).toBe(process.pid);
  });

  it('should respect an unreadable lock until it is older than staleMs', async () => {
    using dir = createTestDir('kit-lock-');
    const lockPath = dir.join('garbage.lock');
    writeFileSync(lockPath, '');
    await expect(acquireLock(lockPath, { timeoutMs: 100 })).rejects.toSatisfy((error) => isKitError(error, 'LOCK_TIMEOUT'));
    const old = (statSync(lockPath).mtimeMs - 60_000) / 1000;
    utimesSync(lockPath, old, old);
    const lock = await acquireLock(lockPath, { timeoutMs: 100, staleMs: 30_000 });
    await lock.release();
  });

  it('should release only its own lock, and release twice safely', async () => {
    using dir = createTestDir('kit-lock-');
    const lockPath = dir.join('own.lock');
    const lock = await acquireLock(lockPath);
    writeFileSync(lockPath, JSON.stringify({ pid: process.pid, startTime: null, at: 'later', nonce: 'someone-else' }));
    await lock.release();
    await lock.release();
    expect(JSON.parse(readFileSync(lockPath, 'utf8')).nonce).toBe('someone-else');
  });
});
