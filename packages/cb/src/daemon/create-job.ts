import { existsSync, statSync } from 'node:fs';
import { monotonicFactory } from 'ulidx';
import { newJob, ProtocolError, type CreateJobRequest, type Job, type PermissionMode } from '@flotilla/protocol';
import { findRepoRoot } from '../worktree/index.js';
import type { JobSecrets } from '../store/types.js';
import type { DaemonContext } from './context.js';
import { checkAgentReady } from './readiness.js';
import { planWorktree } from './worktree-plan.js';
import { filterAllowed } from './env.js';
import { baseForPublishing } from './job-publish.js';

/** Ids sort in creation order even within one millisecond (jobs are listed newest first by id). */
const ulid = monotonicFactory();

/** Validates a request, refuses what cannot run (with the fix in words), and stores a queued job. */
export async function createJob(ctx: DaemonContext, request: CreateJobRequest): Promise<{ job: Job; created: boolean }> {
  const agent = request.agent ?? ctx.config.defaultAgent;
  if (!ctx.agents.get(agent)) {
    throw new ProtocolError('AGENT_UNKNOWN', `unknown agent "${agent}"`, {
      fix: `use one of: ${ctx.agents.names().join(', ')}, or declare it under "agents" in ${ctx.paths.config}`,
    });
  }
  const permissions: PermissionMode = request.permissions ?? 'accept-edits';
  const wantsWorktree = request.worktree === true || request.branch !== undefined || request.publish !== undefined;
  if (permissions === 'bypass' && !wantsWorktree && !request.inJob) {
    throw new ProtocolError('BYPASS_REQUIRES_WORKTREE', '--permissions bypass is only allowed together with --worktree', {
      fix: 'add --worktree so the agent works in its own checkout, or use --permissions accept-edits',
    });
  }
  const cwd = request.cwd ?? ctx.env.HOME ?? '/';
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
    throw new ProtocolError('CWD_NOT_FOUND', `working directory ${cwd} does not exist`);
  }
  const secrets: JobSecrets = {
    env: request.env ?? {},
    clientEnv: request.clientEnv ? filterAllowed(request.clientEnv, ctx.config.envAllowlist) : undefined,
    jsonSchema: request.jsonSchema,
  };
  await checkAgentReady(ctx, agent, secrets);
  const id = ulid();
  const worktree = await resolveWorktree(ctx, { id, request, cwd, wantsWorktree });
  const model = request.model ?? ctx.config.models[agent] ?? null;
  const ladder = request.modelLadder ?? (request.model ? [] : (ctx.config.modelLadder[agent] ?? []));
  const job = newJob(
    { id, host: ctx.host, agent, model: ladder[0] ?? model, prompt: request.prompt, cwd: worktree?.path ?? cwd, permissions, now: ctx.now().toISOString() },
    {
      tags: request.tags ?? [],
      maxAttempts: request.attempts ?? ctx.config.maxAttempts,
      worktree,
      idempotencyKey: request.idempotencyKey ?? null,
      timeoutMs: request.timeoutMs ?? null,
      idleTimeoutMs: request.idleTimeoutMs ?? null,
      budgetUsd: request.budgetUsd ?? null,
      modelLadder: ladder,
      inJob: request.inJob ?? null,
      envKeys: Object.keys(secrets.env).sort(),
      ...(request.publish ? { publish: request.publish } : {}),
    },
  );
  return ctx.store.createJob(job, secrets);
}

async function resolveWorktree(
  ctx: DaemonContext,
  input: { id: string; request: CreateJobRequest; cwd: string; wantsWorktree: boolean },
): Promise<Job['worktree']> {
  const { request } = input;
  if (request.inJob) {
    const earlier = await ctx.store.getJob(request.inJob);
    if (!earlier) throw new ProtocolError('JOB_NOT_FOUND', `no job ${request.inJob} to work in`);
    if (!earlier.worktree) throw new ProtocolError('BAD_REQUEST', `job ${request.inJob} has no worktree to continue in`);
    if (earlier.worktree.removed) throw new ProtocolError('BAD_REQUEST', `the worktree of job ${request.inJob} was removed`);
    return { ...earlier.worktree, changedFiles: [] };
  }
  if (!input.wantsWorktree) return null;
  const repoRoot = await findRepoRoot(input.cwd);
  if (!repoRoot) {
    throw new ProtocolError('NOT_A_GIT_REPO', `${input.cwd} is not inside a git repository`, {
      fix: 'run cb --worktree from inside a git checkout, or drop --worktree',
    });
  }
  // A published job starts from origin's freshest refs: its branch there (earlier attempts), else the base.
  const base = request.publish ? await baseForPublishing(repoRoot, request.publish, request.base) : request.base;
  return planWorktree(ctx, { jobId: input.id, repoRoot, prompt: request.prompt, base, branch: request.branch });
}
