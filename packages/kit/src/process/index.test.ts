import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, isKitError, killTree, listProcessTree, processStartTime } from './index.js';

const spawned: ChildProcess[] = [];

function spawnShell(script: string, options: { detached?: boolean } = {}): ChildProcess & { pid: number } {
  const child = spawn('sh', ['-c', script], { stdio: 'ignore', detached: options.detached ?? false });
  spawned.push(child);
  if (child.pid === undefined) throw new Error('spawn failed');
  return child as ChildProcess & { pid: number };
}

async function waitForTree(pid: number, atLeast: number): Promise<number[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const tree = await listProcessTree(pid);
    if (tree.length >= atLeast) return tree;
    if (Date.now() > deadline) throw new Error(`tree of ${pid} has ${tree.length} < ${atLeast} processes`);
    await sleep(20);
  }
}

afterEach(async () => {
  for (const child of spawned.splice(0)) {
    if (child.pid !== undefined && isAlive(child.pid)) await killTree(child.pid, { graceMs: 100 });
  }
});

describe('process', () => {
  it('should list every descendant, children before grandchildren', async () => {
    const root = spawnShell('sleep 30 & (sleep 31 & sleep 32 & wait) & wait');
    const tree = await waitForTree(root.pid, 4);
    expect(tree).toHaveLength(4);
    expect(tree).not.toContain(root.pid);
    for (const pid of tree) expect(isAlive(pid)).toBe(true);
  });

  it('should kill a nested tree that is not a process group leader, leaving nothing behind', async () => {
    const root = spawnShell('sleep 30 & (sleep 31 & (sleep 32 & wait) & wait) & wait');
    const tree = await waitForTree(root.pid, 5);
    const survivors = await killTree(root.pid, { graceMs: 2000 });
    expect(survivors).toEqual([]);
    for (const pid of [root.pid, ...tree]) expect(isAlive(pid)).toBe(false);
  });

  it('should kill a whole process group when the pid leads one', async () => {
    const root = spawnShell('sleep 30 & sleep 31 & wait', { detached: true });
    const tree = await waitForTree(root.pid, 2);
    expect(await killTree(root.pid)).toEqual([]);
    for (const pid of [root.pid, ...tree]) expect(isAlive(pid)).toBe(false);
  });

  it('should SIGKILL a tree that ignores SIGTERM once the grace period ends', async () => {
    const root = spawnShell("trap '' TERM; sh -c \"trap '' TERM; sleep 30\" & sleep 31 & wait");
    const tree = await waitForTree(root.pid, 3);
    const started = Date.now();
    const survivors = await killTree(root.pid, { graceMs: 300 });
    const elapsed = Date.now() - started;
    expect(survivors).toEqual([]);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3000);
    for (const pid of [root.pid, ...tree]) expect(isAlive(pid)).toBe(false);
  });

  it('should return quickly when the tree exits on SIGTERM', async () => {
    const root = spawnShell('sleep 30 & wait');
    await waitForTree(root.pid, 1);
    const started = Date.now();
    expect(await killTree(root.pid, { graceMs: 5000 })).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('should refuse to kill the calling process', async () => {
    await expect(killTree(process.pid)).rejects.toSatisfy((error) => isKitError(error, 'PROCESS_KILL_SELF'));
  });

  it('should treat a zombie as dead', async () => {
    // `exec sleep` replaces the shell, so nobody ever reaps the short-lived background sleep.
    const root = spawnShell('sleep 0.05 & exec sleep 30');
    const [zombie] = await waitForTree(root.pid, 1);
    expect(zombie).toBeDefined();
    await sleep(300);
    expect(isAlive(zombie!)).toBe(false);
    expect(isAlive(root.pid)).toBe(true);
  });

  it('should report a stable start time that changes with the process', async () => {
    const a = spawnShell('sleep 30');
    const first = await processStartTime(a.pid);
    expect(first).toEqual(expect.any(Number));
    expect(await processStartTime(a.pid)).toBe(first);
    expect(await processStartTime(process.pid)).toBeLessThanOrEqual(first!);
    expect(await processStartTime(2 ** 22 + 12345)).toBeNull();
    expect(isAlive(2 ** 22 + 12345)).toBe(false);
    expect(isAlive(-1)).toBe(false);
  });
});
