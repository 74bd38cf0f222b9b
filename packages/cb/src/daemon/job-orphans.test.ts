import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulidx';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '@flotilla/kit/process';
import { createSqliteStore } from '../store/sqlite-store.js';
import { sampleJob } from '../store/store-contract.js';
import type { JobStore } from '../store/types.js';
import { killJobOrphans } from './job-orphans.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function stray(jobId: string): number {
  // detached (its own session): it leaves the runner's group, as a dev server started with setsid does.
  const child = spawn('sleep', ['300'], { env: { ...process.env, FLOTILLA_JOB_ID: jobId }, detached: true, stdio: 'ignore' });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('sleep did not start');
  cleanup.push(() => void (isAlive(pid) && process.kill(pid, 'SIGKILL')));
  return pid;
}

function openStore(): JobStore {
  const dir = mkdtempSync(join(tmpdir(), 'cb-orphans-'));
  const store = createSqliteStore({ path: join(dir, 'flotilla.db'), host: 'test' });
  cleanup.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

async function waitGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !isAlive(pid);
}

describe('killJobOrphans (real processes, a real store)', () => {
  it("should kill what an ended job left running, and leave running jobs' and unknown jobs' processes alone", async () => {
    const store = openStore();
    const endedAt = new Date(Date.now() - 60_000).toISOString();
    const ended = sampleJob({ id: ulid(), status: 'cancelled', endedAt });
    const running = sampleJob({ id: ulid(), status: 'running', endedAt: null });
    await store.createJob(ended, { env: {} });
    await store.createJob(running, { env: {} });
    const orphan = stray(ended.id);
    const busy = stray(running.id);
    const foreign = stray(ulid());
    await new Promise((r) => setTimeout(r, 200));

    // The strays are this test's children; the daemon would skip its own.
    const killed = await killJobOrphans({ store, bus: { notify: () => undefined }, now: () => new Date() }, { ownPid: -1 });
    expect(await killJobOrphans({ store, bus: { notify: () => undefined }, now: () => new Date() })).toEqual(new Map());
    expect([...killed.keys()]).toEqual([ended.id]);
    expect(await waitGone(orphan)).toBe(true);
    expect(isAlive(busy)).toBe(true);
    expect(isAlive(foreign)).toBe(true);
    const events = await store.eventsAfter(0, 100);
    expect(events.find((e) => e.type === 'notification')).toMatchObject({ jobId: ended.id, title: 'killed 1 orphaned process', level: 'warning' });
  });

  it('should give a job that just ended its grace period', async () => {
    const store = openStore();
    const job = sampleJob({ id: ulid(), status: 'succeeded', endedAt: new Date().toISOString() });
    await store.createJob(job, { env: {} });
    const pid = stray(job.id);
    await new Promise((r) => setTimeout(r, 200));
    expect((await killJobOrphans({ store, bus: { notify: () => undefined }, now: () => new Date() }, { ownPid: -1 })).size).toBe(0);
    expect(isAlive(pid)).toBe(true);
  });
});
