import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import createDebug from 'debug';
import { tailFile } from '@flotilla/kit/fs';
import { isAlive } from '@flotilla/kit/process';
import type { Job } from '@flotilla/protocol';
import type { ExitRecord, LineAccumulator } from '../agents/types.js';
import { ATTEMPT_FILES, ExitRecordSchema, StartedRecordSchema } from '../runner/spec.js';
import type { DaemonContext } from './context.js';
import { finalizeAttempt } from './finalize.js';
import { publishProgress, markRunning } from './progress.js';

const debug = createDebug('cb:watch');

/** How often an attempt's directory is checked for started.json / exit.json. */
const POLL_MS = 100;
/** Before the runner has written started.json, tmux is asked every this many polls (a process spawn each). */
const TMUX_CHECK_EVERY = 20;
/** events.jsonl is followed with fs.watch; polling is only the fallback, so it can be slow. */
const TAIL_POLL_MS = 250;
/** A session gone without exit.json gets this long for a late exit.json before it is called dead. */
const LATE_EXIT_GRACE_MS = 1_500;

export interface AttemptWatcher {
  readonly jobId: string;
  readonly attempt: number;
  close(): void;
}

/**
 * Follows one attempt from the outside: tails events.jsonl into the agent's accumulator,
 * publishes progress, notices the runner start and exit, and hands the end to finalizeAttempt.
 */
export function watchAttempt(ctx: DaemonContext, job: Job, attemptN: number, onDone: () => void): AttemptWatcher {
  const dir = ctx.paths.attemptDir(job.id, attemptN);
  const adapter = ctx.agents.get(job.agent);
  const accumulator: LineAccumulator | null = adapter?.createAccumulator() ?? null;
  const attempt = job.attempts.find((a) => a.n === attemptN);
  let running = attempt?.status === 'running';
  let closed = false;
  let ticks = 0;
  let goneSince: number | null = null;

  const tail = tailFile(join(dir, ATTEMPT_FILES.events), {
    fromOffset: 0,
    pollMs: TAIL_POLL_MS,
    onLines: (lines) => {
      for (const line of lines) accumulator?.push(line);
      if (accumulator) publishProgress(ctx, job.id, attemptN, accumulator.progress());
    },
  });

  const finish = async (exit: ExitRecord | null) => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    await tail.close();
    for (const line of readLinesFrom(join(dir, ATTEMPT_FILES.events), tail.offset())) accumulator?.push(line);
    try {
      await finalizeAttempt(ctx, { jobId: job.id, attempt: attemptN, progress: accumulator?.progress() ?? null, exit, stderrTail: readTail(join(dir, ATTEMPT_FILES.stderr)), runnerError: readTail(join(dir, ATTEMPT_FILES.runnerError)) || undefined });
    } catch (error) {
      debug('finalizing %s/%d failed: %o', job.id, attemptN, error);
    }
    onDone();
  };

  let started = readStarted(dir);
  const tick = async () => {
    if (closed) return;
    ticks += 1;
    started ??= readStarted(dir);
    if (!running && started) {
      running = true;
      await markRunning(ctx, job.id, attemptN, started);
    }
    const exit = readExit(dir);
    if (exit) return finish(exit);
    // The runner's pid answers liveness without a process spawn; tmux only until started.json exists.
    if (!started && ticks % TMUX_CHECK_EVERY !== 0) return;
    const alive = started ? isAlive(started.runnerPid) : await ctx.tmux.hasSession(attempt?.tmuxSession ?? '');
    if (alive) return void (goneSince = null);
    goneSince ??= Date.now();
    if (Date.now() - goneSince >= LATE_EXIT_GRACE_MS) await finish(readExit(dir));
  };
  const timer = setInterval(() => void tick(), POLL_MS);
  void tick();

  return {
    jobId: job.id,
    attempt: attemptN,
    close() {
      closed = true;
      clearInterval(timer);
      void tail.close();
    },
  };
}

export function readExit(dir: string): ExitRecord | null {
  try {
    const parsed = ExitRecordSchema.safeParse(JSON.parse(readFileSync(join(dir, ATTEMPT_FILES.exit), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function readStarted(dir: string): { runnerPid: number; agentPid: number | null; startedAt: string } | null {
  try {
    const first = readFileSync(join(dir, ATTEMPT_FILES.started), 'utf8').split('\n')[0] ?? '';
    const parsed = StartedRecordSchema.safeParse(JSON.parse(first));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Complete lines after `offset` (what the follower had not delivered when it closed). */
function readLinesFrom(path: string, offset: number): string[] {
  try {
    const rest = readFileSync(path).subarray(offset).toString('utf8');
    return rest.split('\n').filter((line) => line.length > 0);
  } catch {
    return [];
  }
}

function readTail(path: string, bytes = 4_000): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}
