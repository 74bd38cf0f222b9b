import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import {
  CreateJobRequestSchema,
  isTerminal,
  JobListQuerySchema,
  JobStatusSchema,
  ProtocolError,
  ResumeJobRequestSchema,
  type Job,
  type LogChunk,
} from '@flotilla/protocol';
import { ATTEMPT_FILES } from '../../runner/spec.js';
import { worktreeDiff } from '../../worktree/index.js';
import { cancelJob, markRead, requireJob, resumeJob, retryJob, waitForJob } from '../actions.js';
import type { DaemonContext } from '../context.js';
import { createJob } from '../create-job.js';
import { redact } from '../env.js';
import type { Scheduler } from '../scheduler.js';
import { jsonBody, query } from './validate.js';

/** A long-poll returns after at most this long; the client asks again. */
const MAX_WAIT_MS = 60_000;
const MAX_LOG_CHUNK = 1024 * 1024;

const ListQuery = JobListQuerySchema.extend({
  status: z.string().optional().transform((s) => (s ? s.split(',').map((x) => JobStatusSchema.parse(x.trim())) : undefined)),
});
const AttemptQuery = z.object({ attempt: z.coerce.number().int().positive().optional() });
const LogQuery = AttemptQuery.extend({
  offset: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().positive().max(MAX_LOG_CHUNK).default(256 * 1024),
});

export function attemptOf(job: Job, n: number | undefined) {
  const attempt = n === undefined ? job.attempts[job.attempts.length - 1] : job.attempts.find((a) => a.n === n);
  if (!attempt && n !== undefined) throw new ProtocolError('NOT_FOUND', `job ${job.id} has no attempt ${n}`);
  return attempt ?? null;
}

export function readLogChunk(ctx: DaemonContext, job: Job, attemptN: number | undefined, offset: number, limit: number): LogChunk {
  const attempt = attemptOf(job, attemptN);
  if (!attempt) return { attempt: 0, offset, nextOffset: offset, data: '', complete: isTerminal(job.status) };
  const path = join(ctx.paths.attemptDir(job.id, attempt.n), ATTEMPT_FILES.events);
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // not written yet
  }
  const end = Math.min(size, offset + limit);
  let data = '';
  if (end > offset) {
    const buffer = Buffer.alloc(end - offset);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    const lastNewline = buffer.lastIndexOf(0x0a);
    const whole = lastNewline >= 0 ? buffer.subarray(0, lastNewline + 1) : Buffer.alloc(0);
    data = whole.toString('utf8');
    return { attempt: attempt.n, offset, nextOffset: offset + whole.length, data, complete: false };
  }
  const attemptDone = attempt.status !== 'running' && attempt.status !== 'starting';
  return { attempt: attempt.n, offset, nextOffset: offset, data, complete: attemptDone && attempt.n === job.attempts.length && isTerminal(job.status) };
}

export function readEventLines(ctx: DaemonContext, job: Job, attemptN: number): string[] {
  try {
    const text = readFileSync(join(ctx.paths.attemptDir(job.id, attemptN), ATTEMPT_FILES.events), 'utf8');
    return text.split('\n').filter((l) => l.length > 0);
  } catch {
    return [];
  }
}

export function jobRoutes(ctx: DaemonContext, scheduler: Scheduler): Hono {
  const app = new Hono();
  app.post('/', async (c) => {
    const request = await jsonBody(c, CreateJobRequestSchema);
    const { job, created } = await createJob(ctx, request);
    if (created) {
      ctx.bus.notify();
      scheduler.wake();
    }
    return c.json(job, created ? 201 : 200);
  });
  app.get('/', async (c) => c.json(await ctx.store.listJobs(query(c, ListQuery))));
  app.get('/:id', async (c) => c.json(await requireJob(ctx, c.req.param('id'))));
  app.post('/:id/cancel', async (c) => c.json(await cancelJob(ctx, scheduler, c.req.param('id'))));
  app.post('/:id/retry', async (c) => {
    const job = await retryJob(ctx, c.req.param('id'));
    scheduler.wake();
    return c.json(job);
  });
  app.post('/:id/resume', async (c) => {
    const { prompt } = await jsonBody(c, ResumeJobRequestSchema);
    const job = await resumeJob(ctx, c.req.param('id'), prompt);
    scheduler.wake();
    return c.json(job);
  });
  app.post('/:id/read', async (c) => c.json(await markRead(ctx, c.req.param('id'))));
  app.get('/:id/wait', async (c) => {
    const { timeoutMs } = query(c, z.object({ timeoutMs: z.coerce.number().int().positive().optional() }));
    return c.json(await waitForJob(ctx, c.req.param('id'), Math.min(timeoutMs ?? 30_000, MAX_WAIT_MS)));
  });
  app.get('/:id/transcript', async (c) => {
    const job = await requireJob(ctx, c.req.param('id'));
    const attempt = attemptOf(job, query(c, AttemptQuery).attempt);
    const adapter = ctx.agents.get(job.agent);
    const secrets = (await ctx.store.getSecrets(job.id))?.env ?? {};
    const lines = attempt ? readEventLines(ctx, job, attempt.n).map((line) => redact(line, secrets)) : [];
    const entries = adapter ? adapter.transcript(lines) : [];
    return c.json({ jobId: job.id, attempt: attempt?.n ?? 0, entries });
  });
  app.get('/:id/log', async (c) => {
    const job = await requireJob(ctx, c.req.param('id'));
    const q = query(c, LogQuery);
    const chunk = readLogChunk(ctx, job, q.attempt, q.offset, q.limit);
    const secrets = (await ctx.store.getSecrets(job.id))?.env ?? {};
    return c.json({ ...chunk, data: redact(chunk.data, secrets) });
  });
  app.get('/:id/diff', async (c) => {
    const job = await requireJob(ctx, c.req.param('id'));
    if (!job.worktree) throw new ProtocolError('BAD_REQUEST', `job ${job.id} has no worktree`);
    const diff = await worktreeDiff({ path: job.worktree.path, baseCommit: job.worktree.baseCommit });
    if (!diff.ok) throw new ProtocolError('BAD_REQUEST', `no diff for job ${job.id}: ${diff.message}`);
    return c.json({ jobId: job.id, base: job.worktree.base, branch: job.worktree.branch, diff: diff.value, changedFiles: job.worktree.changedFiles });
  });
  return app;
}
