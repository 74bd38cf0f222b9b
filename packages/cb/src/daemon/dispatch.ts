import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import createDebug from 'debug';
import { writeFileAtomic } from '@flotilla/kit/fs';
import { EMPTY_USAGE, type Attempt, type Job } from '@flotilla/protocol';
import { ATTEMPT_FILES, type RunnerSpec } from '../runner/spec.js';
import { startPaneLog } from '../sessions/output/pane-log.js';
import type { DaemonContext } from './context.js';
import { agentEnv, credentialFor } from './readiness.js';
import { ensureWorktree } from './worktree-plan.js';
import { scrubbed, withPromptLine, withRelayTools } from '../relay/access.js';

const debug = createDebug('cb:dispatch');

export function tmuxSessionName(jobId: string, attempt: number): string {
  return `job-${jobId.toLowerCase()}-${attempt}`;
}

/** Claims a queued job (queued → starting, with a new attempt record) and starts its runner in tmux. */
export async function dispatch(ctx: DaemonContext, jobId: string): Promise<Job | null> {
  let attempt: Attempt | null = null;
  const job = await ctx.store.updateJob(jobId, (current) => {
    if (current.status !== 'queued' || !current.pending) return null;
    const n = current.attempts.length + 1;
    const { reason, prompt, model, resumeSessionId } = current.pending;
    attempt = {
      n,
      status: 'starting',
      reason,
      prompt,
      model,
      resumedSessionId: resumeSessionId,
      credential: null,
      agentSessionId: null,
      tmuxSession: tmuxSessionName(current.id, n),
      startedAt: null,
      endedAt: null,
      exitCode: null,
      failure: null,
      usage: EMPTY_USAGE,
      cost: { usd: 0, source: 'unknown' },
      consumedAttempt: false,
    };
    const next: Job = { ...current, status: 'starting', model, attempts: [...current.attempts, attempt], pending: null, retryAt: null };
    return { job: next, events: [{ type: 'job.updated', job: next }] };
  });
  if (!job || !attempt) return null;
  ctx.bus.notify();
  const claimed: Attempt = attempt;
  try {
    return await launch(ctx, job, claimed);
  } catch (error) {
    debug('launching job %s attempt %d failed: %o', job.id, claimed.n, error);
    return launchFailed(ctx, job, claimed, `could not start the attempt: ${(error as Error).message}`);
  }
}

/** Writes the attempt's spec and starts `node runner.js <dir>` in a new tmux session. */
async function launch(ctx: DaemonContext, job: Job, attempt: Attempt): Promise<Job | null> {
  const dir = ctx.paths.attemptDir(job.id, attempt.n);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secrets = (await ctx.store.getSecrets(job.id)) ?? { env: {} };
  const prepared = await ensureWorktree(ctx, job);
  if (!prepared.ok) return launchFailed(ctx, job, attempt, prepared.message);
  const adapter = ctx.agents.get(job.agent);
  if (!adapter) return launchFailed(ctx, job, attempt, `agent ${job.agent} is no longer configured`);
  const env = agentEnv(ctx, secrets);
  const credential = credentialFor(ctx, job.agent, env).credential;
  const grant = await ctx.access?.grantJob(job, attempt.n);
  const launchSpec = adapter.launch({
    prompt: withPromptLine(attempt.prompt, grant, job.agent),
    model: attempt.model,
    permissions: job.permissions,
    cwd: job.cwd,
    resumeSessionId: attempt.resumedSessionId,
    jsonSchema: secrets.jsonSchema,
    budgetUsd: job.budgetUsd,
    isRoot: process.getuid?.() === 0,
  });
  const spec: RunnerSpec = {
    jobId: job.id,
    attempt: attempt.n,
    agent: job.agent,
    agentDefinition: ctx.config.agents[job.agent],
    argv: withRelayTools(job.agent, launchSpec.argv, grant),
    cwd: job.cwd,
    env: scrubbed(ctx.access, {
      ...env,
      ...launchSpec.env,
      FLOTILLA_JOB_ID: job.id,
      FLOTILLA_ATTEMPT: String(attempt.n),
      FLOTILLA_HOST_NAME: ctx.host,
      ...grant?.env,
    }),
    stdin: launchSpec.stdin,
    idleTimeoutMs: job.idleTimeoutMs ?? ctx.config.timeouts.idleMs,
    wallTimeoutMs: job.timeoutMs ?? ctx.config.timeouts.wallMs,
    budgetUsd: job.budgetUsd,
    price: priceFor(ctx, attempt.model),
  };
  await writeFileAtomic(join(dir, ATTEMPT_FILES.spec), JSON.stringify(spec, null, 2), { mode: 0o600 });
  try {
    await ctx.tmux.newSession({ name: attempt.tmuxSession, cwd: job.cwd, command: [process.execPath, ctx.runnerPath, dir], remainOnExit: false });
  } catch (error) {
    return launchFailed(ctx, job, attempt, `tmux could not start the session: ${(error as Error).message}`);
  }
  await streamPane(ctx, attempt.tmuxSession, dir);
  debug('job %s attempt %d started in tmux session %s', job.id, attempt.n, attempt.tmuxSession);
  return ctx.store.updateJob(job.id, (current) => ({
    job: { ...current, attempts: current.attempts.map((a) => (a.n === attempt.n ? { ...a, credential } : a)) },
    events: [],
  }));
}

/**
 * Like a session's pane: Flotilla's size whoever attaches (`window-size manual`), and the output
 * piped into `<attempt dir>/pane.log` for `/api/jobs/:id/terminal`. A runner that already exited
 * has no pane left; nothing else here may fail the attempt.
 */
async function streamPane(ctx: DaemonContext, tmuxSession: string, dir: string): Promise<void> {
  try {
    await ctx.tmux.setOption('window-size', 'manual', { target: tmuxSession, scope: 'window' });
    await startPaneLog(ctx.tmux, tmuxSession, dir);
  } catch (error) {
    debug('no output stream for %s: %s', tmuxSession, (error as Error).message);
  }
}

function priceFor(ctx: DaemonContext, model: string | null): RunnerSpec['price'] {
  const price = model ? ctx.config.prices[model] : undefined;
  return price ?? null;
}

/** A launch that cannot work (no worktree, no tmux): the job fails now, with the reason, not later. */
async function launchFailed(ctx: DaemonContext, job: Job, attempt: Attempt, message: string): Promise<Job | null> {
  const at = ctx.now().toISOString();
  const failure = { kind: 'crashed' as const, message };
  const updated = await ctx.store.updateJob(job.id, (current) => {
    const attempts = current.attempts.map((a) => (a.n === attempt.n ? { ...a, status: 'failed' as const, endedAt: at, failure } : a));
    const next: Job = { ...current, status: 'failed', failure, attempts, endedAt: at, unread: true };
    return {
      job: next,
      events: [
        { type: 'attempt.ended', jobId: job.id, attempt: attempt.n, status: 'failed', failure },
        { type: 'job.ended', job: next },
      ],
    };
  });
  ctx.bus.notify();
  return updated;
}
