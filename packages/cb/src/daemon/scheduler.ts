import createDebug from 'debug';
import type { Job } from '@flotilla/protocol';
import { defaultSlots } from '../config.js';
import type { DaemonContext } from './context.js';
import { dispatch } from './dispatch.js';
import { agentEnv, credentialFor } from './readiness.js';
import { watchAttempt, type AttemptWatcher } from './watcher.js';

const debug = createDebug('cb:scheduler');

/** Timed work (backoffs ending, pauses ending) is checked at least this often. */
const TICK_MS = 1_000;
/** Attempts started concurrently in one scheduling pass. */
const DISPATCH_BATCH = 8;

export interface Scheduler {
  /** Runs a scheduling pass soon (coalesced). */
  wake(): void;
  /** Starts following an attempt that is already running (adoption after a restart). */
  adopt(job: Job, attempt: number): void;
  watching(jobId: string): AttemptWatcher | undefined;
  running(): number;
  close(): void;
}

export function createScheduler(ctx: DaemonContext): Scheduler {
  const watchers = new Map<string, AttemptWatcher>();
  let scheduled = false;
  let passing = false;
  let again = false;
  let closed = false;
  const slots = () => ctx.config.slots ?? defaultSlots();

  const follow = (job: Job, attempt: number) => {
    if (watchers.has(job.id)) return;
    watchers.set(job.id, watchAttempt(ctx, job, attempt, () => {
      watchers.delete(job.id);
      wake();
    }));
  };

  async function pass(): Promise<void> {
    if (passing) return void (again = true);
    passing = true;
    try {
      do {
        again = false;
        await releaseWaiting(ctx);
        await endPauses(ctx);
        await startQueued();
      } while (again && !closed);
    } catch (error) {
      debug('scheduling pass failed: %o', error);
    } finally {
      passing = false;
    }
  }

  async function startQueued(): Promise<void> {
    const active = await ctx.store.jobsWithStatus(['starting', 'running']);
    const free = slots() - active.length;
    if (free <= 0) return;
    const paused = await ctx.store.activePauses();
    const runnable: Job[] = [];
    for (const job of await ctx.store.jobsWithStatus(['queued'])) {
      if (runnable.length >= Math.min(free, DISPATCH_BATCH) || closed) break;
      if (paused.length && (await isPaused(ctx, job, paused))) continue;
      runnable.push(job);
    }
    // Starting an attempt waits on git, fsync and tmux: start a batch at once, not one after another.
    const started = await Promise.all(runnable.map((job) => dispatch(ctx, job.id)));
    for (const job of started) if (job?.status === 'starting') follow(job, job.attempts.length);
    if (runnable.length === DISPATCH_BATCH) again = true;
  }

  function wake(): void {
    if (scheduled || closed) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void pass();
    });
  }

  const timer = setInterval(wake, TICK_MS);
  return {
    wake,
    adopt: follow,
    watching: (jobId) => watchers.get(jobId),
    running: () => watchers.size,
    close() {
      closed = true;
      clearInterval(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

/** Whether a rate-limit pause holds this job: same agent and same credential. */
async function isPaused(ctx: DaemonContext, job: Job, paused: { agent: string; credential: string }[]): Promise<boolean> {
  const relevant = paused.filter((p) => p.agent === job.agent);
  if (relevant.length === 0) return false;
  const secrets = (await ctx.store.getSecrets(job.id)) ?? { env: {} };
  const credential = credentialFor(ctx, job.agent, agentEnv(ctx, secrets)).credential;
  return relevant.some((p) => p.credential === credential);
}

/** retry_wait → queued once the backoff or the rate-limit reset has passed. */
async function releaseWaiting(ctx: DaemonContext): Promise<void> {
  const now = ctx.now();
  for (const job of await ctx.store.jobsWithStatus(['retry_wait'])) {
    if (job.retryAt && Date.parse(job.retryAt) > now.getTime()) continue;
    await ctx.store.updateJob(job.id, (current) => {
      if (current.status !== 'retry_wait') return null;
      const next: Job = { ...current, status: 'queued', retryAt: null };
      return { job: next, events: [{ type: 'job.updated', job: next }] };
    });
    ctx.bus.notify();
  }
}

async function endPauses(ctx: DaemonContext): Promise<void> {
  const now = ctx.now();
  for (const pause of await ctx.store.activePauses()) {
    if (Date.parse(pause.resetsAt) > now.getTime()) continue;
    const ended = { ...pause, endedAt: now.toISOString() };
    await ctx.store.savePause(ended);
    await ctx.store.appendEvents([{ type: 'pause.ended', pause: ended }]);
    ctx.bus.notify();
  }
}

