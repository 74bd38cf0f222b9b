/**
 * The protocol objects a bare host's records start as: a job as created (queued, one attempt, no
 * usage or cost) and an agent session (state `unknown`: a bare host reads no agent signals).
 */
import { EMPTY_USAGE, newJob, ProtocolError, type CreateJobRequest, type CreateSessionRequest, type Job, type Session } from '@flotilla/protocol';
import { jobTmuxName, sessionTmuxName } from './bare-scripts.js';

/** The fix every "not on a bare host" answer carries. */
export function installFix(host: string): string {
  return `install cb there with: mesh hosts bootstrap ${host}`;
}

/** Refuses what a bare host cannot do for a job (worktrees, environment, budgets, timeouts, schemas). */
export function checkBareJobRequest(request: CreateJobRequest, host: string): void {
  const unsupported: string[] = [];
  if (request.worktree) unsupported.push('--worktree');
  if (request.inJob) unsupported.push('--in-job');
  if (request.base || request.branch) unsupported.push('--base/--branch');
  if (request.env && Object.keys(request.env).length > 0) unsupported.push('--env');
  if (request.timeoutMs || request.idleTimeoutMs) unsupported.push('timeouts');
  if (request.budgetUsd) unsupported.push('--budget');
  if (request.jsonSchema !== undefined) unsupported.push('--json-schema');
  if ((request.attempts ?? 1) > 1 || (request.modelLadder?.length ?? 0) > 0) unsupported.push('retries');
  if (unsupported.length > 0) {
    throw new ProtocolError('VALIDATION_FAILED', `${unsupported.join(', ')}: not available on a bare host (${host} runs no cb daemon)`, { fix: installFix(host) });
  }
}

export function newJobRecord(input: { id: string; host: string; request: CreateJobRequest; idempotencyKey: string; now: string }): Job {
  const { id, host, request, now } = input;
  const agent = request.agent ?? 'claude';
  const model = request.model ?? null;
  return newJob(
    { id, host, agent, model, prompt: request.prompt, cwd: request.cwd ?? '.', permissions: request.permissions ?? 'accept-edits', now },
    {
      tags: request.tags ?? [],
      attempts: [
        {
          n: 1,
          status: 'starting',
          reason: 'new',
          prompt: request.prompt,
          model,
          resumedSessionId: null,
          credential: null,
          agentSessionId: null,
          tmuxSession: jobTmuxName(id),
          startedAt: null,
          endedAt: null,
          exitCode: null,
          failure: null,
          usage: EMPTY_USAGE,
          cost: { usd: 0, source: 'unknown' },
          consumedAttempt: false,
        },
      ],
      idempotencyKey: input.idempotencyKey,
    },
  );
}

export function newSessionRecord(input: { id: string; host: string; request: CreateSessionRequest; now: string }): Session {
  const { id, host, request, now } = input;
  const watcher = request.command !== undefined;
  return {
    id,
    name: request.name,
    host,
    kind: watcher ? 'watcher' : 'agent',
    agent: watcher ? 'command' : (request.agent ?? 'claude'),
    model: request.model ?? null,
    cwd: request.cwd,
    worktree: null,
    command: request.command ?? null,
    alerts: [],
    state: 'unknown',
    since: now,
    source: 'process',
    waitingFor: null,
    tmuxSession: sessionTmuxName(id),
    tmuxSocket: null,
    pid: null,
    agentSessionId: null,
    external: false,
    restarts: 0,
    createdAt: now,
    updatedAt: now,
    endedAt: null,
  };
}
