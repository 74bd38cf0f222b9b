import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '@flotilla/protocol';
import { startHarness, waitFor, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.[Symbol.asyncDispose]();
  h = undefined;
});

const slow = (n: number) => Array.from({ length: n }, () => ({ text: 'done after a while', delayMs: 2500 }));
const pgrep = (pattern: string) => spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout.trim();

describe('chaos', () => {
  it('should lose nothing and run nothing twice when the daemon is killed -9 mid-work', async () => {
    h = await startHarness({ anthropic: slow(4), config: { slots: 2 } });
    const jobs = await Promise.all([1, 2, 3, 4].map((i) => h!.createJob({ prompt: `job ${i}` })));
    await waitFor(async () => (await h!.client.listJobs({ status: ['running'] })).items.length === 2, 20_000);
    await h.killDaemon();
    expect(h.tmux('ls').split('\n').filter(Boolean)).toHaveLength(2); // the agents live on in tmux
    await h.startDaemon();
    const ended: Job[] = await Promise.all(jobs.map((j) => h!.waitEnded(j.id)));
    expect(ended.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(ended.map((j) => j.attempts.length)).toEqual([1, 1, 1, 1]);
    expect(ended.every((j) => j.result === 'done after a while')).toBe(true);
    expect(h.anthropic.requests.filter((r) => r.kind === 'main')).toHaveLength(4);
  });

  it('should mark an attempt whose runner died with the daemon down as interrupted and retry it', async () => {
    h = await startHarness({ anthropic: [{ text: 'first try never finishes', delayMs: 60_000 }, { text: 'second try' }] });
    const job = await h.createJob({ prompt: 'survive' });
    await waitFor(() => h!.anthropic.requests.some((r) => r.kind === 'main'), 20_000);
    await h.killDaemon();
    h.tmux('kill-server'); // the host "rebooted": the session and its agent are gone, no exit record
    await h.startDaemon();
    const ended = await h.waitEnded(job.id);
    expect(ended.status).toBe('succeeded');
    expect(ended.attempts.map((a) => a.failure?.kind ?? null)).toEqual(['interrupted', null]);
    expect(ended.attemptsUsed).toBe(1);
  });

  it('should cancel a running job and leave no process of its tree behind', async () => {
    h = await startHarness({
      config: { agents: { tree: { argv: ['sh', '-c', 'sleep 3001 & sleep 3002 & wait'], promptVia: 'stdin', outputFormat: 'text' } } },
    });
    const job = await h.createJob({ prompt: 'x', agent: 'tree' });
    await waitFor(() => pgrep('^sleep 300[12]').split('\n').filter(Boolean).length === 2, 20_000);
    const cancelled = await h.client.cancelJob(job.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.failure).toBeNull();
    expect(pgrep('sleep 300[12]')).toBe('');
    expect(h.tmux('ls').trim()).toBe('');
    // a queued job cancels at once
    const queued = await h.client.cancelJob((await h.createJob({ prompt: 'y', agent: 'tree' })).id);
    expect(['cancelled']).toContain(queued.status);
    expect(pgrep('sleep 300[12]')).toBe('');
  });
});
