/**
 * The real `RunJob`: one attempt of one batch as one job of a hub or a lone cb daemon, created with
 * the attempt's idempotency key (`<batch>:<attempt>`) so that a director that crashed and dispatches
 * the same attempt again adopts the job that already runs instead of starting a second one; then
 * waited for (`GET /api/jobs/:id/wait`, the long poll `cb wait` uses) and mapped to a `RunJobResult`.
 *
 * The director owns retries (decision 38): the job is created with `attempts: 1`, so a task failure
 * ends it at once; when the daemon parks it in `retry_wait` after an infrastructure failure (rate
 * limit, overload, crash), the job is cancelled and the failure returned — the director counts it
 * (free), pauses on a storm, and dispatches the next attempt itself.
 *
 * A request with `publish` runs on another host than this machine's (decision 38 as amended): the
 * job is created there in a cb worktree of the host's checkout and publishes its branch on `origin`
 * (cb's `publish`: commit and push in the daemon's own finalize path). A host that refuses it for
 * want of the checkout is remembered and not chosen for that repo again for a while.
 */
import createDebug from 'debug';
import {
  JobSchema,
  errorFromEnvelope,
  isProtocolError,
  isTerminal,
  type CreateJobRequest,
  type Failure,
  type FailureKind,
  type Job,
} from '@flotilla/protocol';
import type { RunJob, RunJobRequest, RunJobResult } from '../cycle/run-job.js';
import type { Fleet } from './fleet.js';

const debug = createDebug('director:dispatch');

/** A dispatch whose answer was lost with the link is sent again (same key: it runs once). */
const CREATE_ATTEMPTS = 4;
const LINK_RETRY_MS = 2_000;
/** Codes that mean "the link or the server dropped": the outcome is unknown, asking again is safe. */
const LINK_CODES = new Set(['DAEMON_UNAVAILABLE', 'HUB_UNAVAILABLE', 'HOST_UNREACHABLE', 'TRANSPORT_FAILED']);

export interface FleetRunJobOptions {
  fleet: Fleet;
  /** How long one long poll waits (default 10 s): a `retry_wait` is noticed within this. */
  pollMs?: number;
  /** Give up on a job after this long, cancelling it (default 5 h: past cb's 4 h wall timeout). */
  maxWaitMs?: number;
  /** Extra tags on every job (`director` and `batch:<id>` are always there). */
  tags?: string[];
}

/**
 * @example
 * const runJob = createFleetRunJob({ fleet: createFleet({ server }) });
 * const director = createDirector({ ...options, fleet, runJob });
 */
export function createFleetRunJob(options: FleetRunJobOptions): RunJob {
  const { fleet } = options;
  const pollMs = options.pollMs ?? 10_000;
  const maxWaitMs = options.maxWaitMs ?? 5 * 3600_000;
  const runJob: RunJob = async (request) => {
    const where = request.host !== undefined ? { host: request.host } : await fleet.placement(request.hosts, request.agent);
    if ('refused' in where) return failed('interrupted', `not dispatched: ${where.refused}`);
    // Flow steps (src/flow) add a verdict schema and want the job id while it runs.
    const extra = request as RunJobRequest & { jsonSchema?: object; onJobId?: (jobId: string) => void };
    const body: CreateJobRequest = {
      prompt: request.prompt,
      agent: request.agent,
      model: request.model,
      modelLadder: [request.model],
      ...placeOfWork(request),
      idempotencyKey: request.idempotencyKey,
      attempts: 1,
      tags: [...new Set(['director', `batch:${request.batchId}`, ...(options.tags ?? [])])].slice(0, 32),
      ...(extra.jsonSchema === undefined ? {} : { jsonSchema: extra.jsonSchema }),
    };
    let job: Job;
    try {
      job = await createJob(fleet, body, where.host);
    } catch (error) {
      return dispatchFailure(error, where.host, request, fleet);
    }
    debug('%s: job %s on %s (%s)', request.idempotencyKey, job.id, job.host, job.status);
    if (request.publish !== undefined && job.publish == null) return unpublished(fleet, job, request.publish.repoPath);
    extra.onJobId?.(job.id);
    return { ...(await waitEnded(fleet, job, { pollMs, deadline: Date.now() + maxWaitMs })), host: job.host };
  };
  runJob.locator = {
    async attemptJob(batchId, idempotencyKey) {
      const job = await fleet.attemptJob(batchId, idempotencyKey);
      // A job elsewhere than this machine's host can only be a published one (a hub too old to mirror `publish` drops it).
      return job === null ? null : { host: job.host, published: job.publish != null || !fleet.isLocalHost(job.host) };
    },
    isLocalHost: (host) => fleet.isLocalHost(host),
  };
  return runJob;
}

/**
 * The host's cb (or the hub in between) predates `publish` and dropped it: the job would work and
 * publish nothing. It is cancelled at once, the host passed over for the repo, no attempt used.
 */
async function unpublished(fleet: Fleet, job: Job, repoPath: string): Promise<RunJobResult> {
  await fleet.server.client.cancelJob(job.id).catch((error: unknown) => debug('cancelling %s: %s', job.id, (error as Error).message));
  const reason = `its cb or the hub does not know the job option publish (upgrade with \`mesh hosts bootstrap ${job.host}\` and mesh)`;
  fleet.passOverForRepo(job.host, repoPath, reason);
  return { ...failed('interrupted', `job ${job.id} on ${job.host} was cancelled: ${reason}`, job.id), host: job.host };
}

/** In the director's worktree here, or in a new cb worktree of the host's checkout that publishes the branch. */
function placeOfWork(request: RunJobRequest): Pick<CreateJobRequest, 'cwd' | 'worktree' | 'base' | 'publish'> {
  const { publish } = request;
  if (publish === undefined) return { cwd: request.worktreePath };
  return { cwd: publish.repoPath, worktree: true, base: publish.base, publish: { branch: request.branch, message: publish.message } };
}

async function createJob(fleet: Fleet, body: CreateJobRequest, host: string): Promise<Job> {
  const { server } = fleet;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const res = await server.transport.request({ method: 'POST', path: '/api/jobs', query: server.isHub ? { host } : undefined, body });
      if (res.status >= 400) throw errorFromEnvelope(res.status, res.body);
      return JobSchema.parse(res.body);
    } catch (error) {
      if (!isLinkFailure(error) || attempt >= CREATE_ATTEMPTS) throw error;
      debug('dispatch of %s: %s; again with the same key', body.idempotencyKey, (error as Error).message);
      await sleep(LINK_RETRY_MS);
    }
  }
}

async function waitEnded(fleet: Fleet, created: Job, options: { pollMs: number; deadline: number }): Promise<RunJobResult> {
  const { client } = fleet.server;
  let job = created;
  let linkErrors = 0;
  for (;;) {
    if (isTerminal(job.status)) return ended(job);
    if (job.status === 'retry_wait') {
      // Infrastructure failed; the director decides what happens next, not the daemon's backoff.
      const failure = failureOf(job);
      await client.cancelJob(job.id).catch((error: unknown) => debug('cancelling %s: %s', job.id, (error as Error).message));
      return failure === null ? failed('crashed', `job ${job.id} on ${job.host} waits for a retry without a recorded failure`, job.id) : fromFailure(failure, job);
    }
    if (Date.now() >= options.deadline) {
      await client.cancelJob(job.id).catch(() => undefined);
      if (job.attempts.length === 0) return neverStarted(fleet, job);
      return failed('timeout', `job ${job.id} on ${job.host} had not ended after the director's wait; cancelled`, job.id);
    }
    try {
      job = await client.waitJob(job.id, { timeoutMs: Math.max(1, Math.min(options.pollMs, options.deadline - Date.now())) });
      linkErrors = 0;
    } catch (error) {
      if (isProtocolError(error) && error.code === 'JOB_NOT_FOUND') return failed('interrupted', `job ${job.id} is gone from ${job.host}`, job.id);
      // The daemon restarts or the link drops: the job is durable there; keep waiting.
      linkErrors += 1;
      debug('waiting for %s: %s', job.id, (error as Error).message);
      await sleep(Math.min(30_000, LINK_RETRY_MS * linkErrors));
    }
  }
}

/**
 * A job the director stopped waiting for before any attempt started: the fleet never ran it, so it
 * is never the ticket's fault — queued behind the host's rate-limit pause of its agent (the pause's
 * reason and reset, so the director's own pause takes over), else waiting for a free slot.
 */
async function neverStarted(fleet: Fleet, job: Job): Promise<RunJobResult> {
  const pauses = await fleet.server.client.pauses().catch((error: unknown) => {
    debug('pauses of %s: %s', job.host, (error as Error).message);
    return [];
  });
  const pause = pauses.find((p) => p.agent === job.agent && p.endedAt === null && (p.host === job.host || pauses.every((q) => q.host !== job.host)));
  if (pause !== undefined) {
    const message = `job ${job.id} waited on ${job.host} behind ${pause.agent}'s pause until ${pause.resetsAt} and never started; cancelled (${pause.message})`;
    return { ok: false, failure: { kind: pause.reason, message, resetsAt: pause.resetsAt }, jobId: job.id };
  }
  return failed('interrupted', `job ${job.id} was still queued on ${job.host} after the director's wait (no free slot); cancelled, it never started`, job.id);
}

/** A terminal job as the director's result: its answer, or its classified failure. */
export function ended(job: Job): RunJobResult {
  if (job.status === 'succeeded') return { ok: true, summary: job.result ?? undefined, jobId: job.id };
  const failure = failureOf(job);
  if (failure !== null) return fromFailure(failure, job);
  if (job.status === 'cancelled') return failed('interrupted', `job ${job.id} was cancelled on ${job.host}`, job.id);
  return failed('crashed', `job ${job.id} ended ${job.status} on ${job.host} without a classified failure`, job.id);
}

function failureOf(job: Job): Failure | null {
  return job.failure ?? [...job.attempts].reverse().find((a) => a.failure !== null)?.failure ?? null;
}

function fromFailure(failure: Failure, job: Job): RunJobResult {
  return { ok: false, failure: { kind: failure.kind, message: `${failure.message} (job ${job.id} on ${job.host})`, resetsAt: failure.resetsAt ?? null }, jobId: job.id };
}

function failed(kind: FailureKind, message: string, jobId?: string): RunJobResult {
  return { ok: false, failure: { kind, message, resetsAt: null }, ...(jobId === undefined ? {} : { jobId }) };
}

/**
 * Refusals that mean the host has no usable checkout of the repo (nothing was created): none at the
 * path, not a repository, no origin to publish to. (`WORKTREE_FAILED` — a fetch that failed, a base
 * missing there — may pass: it costs a free retry, not the host.)
 */
const NO_CHECKOUT_CODES = new Set(['CWD_NOT_FOUND', 'NOT_A_GIT_REPO', 'BAD_REQUEST']);

/** A refused dispatch: never the ticket's fault, so always a kind that burns no attempt. */
function dispatchFailure(error: unknown, host: string, request: RunJobRequest, fleet: Fleet): RunJobResult {
  const code = isProtocolError(error) ? error.code : null;
  const message = (error as Error).message;
  const fix = isProtocolError(error) && error.fix ? ` (fix: ${error.fix})` : '';
  if (code === 'AGENT_CANNOT_AUTHENTICATE') return failed('auth_failed', `${host} refused the job: ${message}${fix}`);
  if (request.publish !== undefined && code !== null && NO_CHECKOUT_CODES.has(code)) {
    const reason = `it has no usable checkout at ${request.publish.repoPath} (${code}: ${message})`;
    fleet.passOverForRepo(host, request.publish.repoPath, reason);
    return failed('interrupted', `${host} refused the job: ${reason}; it is not chosen for ${request.repo} for a while`);
  }
  if (code === 'CWD_NOT_FOUND') {
    return failed('crashed', `${host} does not have the worktree ${request.worktreePath}: it does not share this director's filesystem (${message})`);
  }
  if (code === null || LINK_CODES.has(code) || code === 'NO_HOST_AVAILABLE' || code === 'HOST_NOT_FOUND') return failed('interrupted', `the dispatch to ${host} failed: ${message}${fix}`);
  return failed('crashed', `${host} refused the job (${code}): ${message}${fix}`);
}

function isLinkFailure(error: unknown): boolean {
  if (isProtocolError(error)) return LINK_CODES.has(error.code);
  const code = (error as { code?: string } | null)?.code;
  return code !== undefined && (LINK_CODES.has(code) || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
