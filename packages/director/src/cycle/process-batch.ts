import createDebug from 'debug';
import type { DirectorConfig } from '../config/config-schema.js';
import { commitLeftovers, commitMessage, commitsAhead, pushBranch, uncommittedPaths } from '../git/commit-push.js';
import { dropLocalWorktree, fetchPublishedBranch } from '../git/published-branch.js';
import { GitError } from '../git/run-git.js';
import { runSetup } from '../git/setup.js';
import { ensureWorktree, removeWorktree, worktreeOfBranch, type Worktree } from '../git/worktree.js';
import type { Learnings } from '../learnings/codekb-learnings.js';
import { recallForBatch, recordBatchLearning } from '../learnings/batch-learnings.js';
import { modelForAttempt } from '../ledger/attempt-cost.js';
import { recordJobUsage, type JobUsageLookup } from '../metrics/job-usage.js';
import type { Ledger, LedgerBatch, LedgerTicket } from '../ledger/ledger.js';
import type { GitHubApi, GitHubPull } from '../sources/github/github-api.js';
import { isHttpApiError } from '../sources/http-errors.js';
import type { TicketSource } from '../sources/ticket-source.js';
import { whereToWork, type WorkPlace } from '../remote/where-to-work.js';
import { ticketKey, type SourceName, type Ticket } from '../tickets/ticket.js';
import type { PlannedBatch } from './batches.js';
import { buildPrompt } from './prompt.js';
import { ensurePullRequest } from './pull-request.js';
import type { BatchReport } from './report.js';
import { RunJobResultSchema, type RunJob, type RunJobResult } from './run-job.js';

const debug = createDebug('director:batch');

export interface DirectorHooks {
  /** Runs after GitHub created a pull request and before the ledger records it (tests simulate a crash here). */
  afterPullCreated?: (pull: GitHubPull) => Promise<void> | void;
}

export interface BatchContext {
  config: DirectorConfig;
  ledger: Ledger;
  sources: ReadonlyMap<SourceName, TicketSource>;
  runJob: RunJob;
  github: GitHubApi | null;
  /** This director's id in the ledger. */
  owner: string;
  worktreesDir: string;
  batchLeaseMs: number;
  hooks: DirectorHooks;
  /** codekb memory: recalled into each prompt, told how each batch ended; null: none. */
  learnings: Learnings | null;
  /** Finds an ended job's tokens and cost by its id when the runner did not return them (for /metrics). */
  jobUsage: JobUsageLookup | null;
  /** The running cycle's notes for its report (each said once). */
  notes: Set<string>;
}

/** The job this call ran, if any: what its learning is made of (and the host it ran on, for the report). */
interface JobRun {
  ran: { model: string; summary: string | null; failure: { kind: string; message: string; burned: boolean } | null } | null;
  host?: string;
}

/**
 * One batch through the whole pipeline, resuming at the stage the ledger recorded: claim (ledger,
 * then the source) → an existing pull request? → worktree → job → commit → push → pull request or
 * recorded branch → ticket status → cleanup. Never throws: failures come back in the report, and
 * the batch's ledger lease is let go unless the batch was closed. `host`: where the cycle placed the
 * batch's job (another host than this machine's: the job works there and publishes the branch).
 */
export async function processBatch(ctx: BatchContext, plan: PlannedBatch, host?: string): Promise<BatchReport> {
  const base = { tickets: plan.tickets.map(ticketKey), repo: plan.repo.name, branch: plan.branch };
  const claim = await ctx.ledger.claimBatch({
    repo: plan.repo.name,
    branch: plan.branch,
    owner: ctx.owner,
    leaseMs: ctx.batchLeaseMs,
    tickets: plan.tickets.map((t) => ({ key: ticketKey(t), source: t.source, ticketId: t.id, title: t.title })),
  });
  if (!claim.claimed) {
    if (claim.reason === 'finished') return { ...base, ...(await syncFinished(ctx, plan, claim.ticket)) };
    const detail = claim.reason === 'held' ? `director ${claim.by} is working on it` : `a ticket is in another open batch (${claim.batch.branch})`;
    return { ...base, outcome: 'busy', detail };
  }
  const batch = claim.batch;
  const run: JobRun = { ran: null };
  try {
    if (!(await claimInSources(ctx, plan.tickets))) return { ...base, outcome: 'not_claimed', detail: 'the source gave the ticket to someone else' };
    const done = await existingPullRequest(ctx, plan, batch);
    if (done !== null) return { ...base, ...done };
    if (batch.stage === 'claimed') {
      const worked = await work(ctx, plan, batch, run, host);
      if (worked !== null) return { ...base, ...ranOn(run), ...(await learned(ctx, plan, run, worked)) };
    }
    return { ...base, ...ranOn(run), ...(await learned(ctx, plan, run, await deliver(ctx, plan, batch))) };
  } catch (error) {
    debug('batch %s failed: %o', plan.branch, error);
    const code = isHttpApiError(error) ? error.code : error instanceof GitError ? error.code : 'ERROR';
    return { ...base, outcome: 'error', detail: `${code}: ${(error as Error).message}` };
  } finally {
    const now = await ctx.ledger.batch(batch.id);
    if (now?.status === 'open') await ctx.ledger.releaseBatch(batch.id, ctx.owner);
  }
}

type Outcome = Omit<BatchReport, 'tickets' | 'repo' | 'branch'>;

/** The host the job really ran on (an adopted job may run elsewhere than this cycle's placement). */
function ranOn(run: JobRun): { host?: string } {
  return run.host === undefined ? {} : { host: run.host };
}

async function claimInSources(ctx: BatchContext, tickets: readonly Ticket[]): Promise<boolean> {
  for (const ticket of tickets) {
    if (!(await sourceOf(ctx, ticket).claim(ticket))) return false;
  }
  return true;
}

/** Never twice: the ledger or GitHub already has this branch's pull request → adopt it, run nothing. */
async function existingPullRequest(ctx: BatchContext, plan: PlannedBatch, batch: LedgerBatch): Promise<Outcome | null> {
  const recorded = await ctx.ledger.pullRequest(batch.id);
  if (recorded?.state === 'created') return finish(ctx, plan, batch, { outcome: 'pull_request', link: recorded.url, note: 'the pull request was opened before' });
  if (plan.repo.github === undefined || ctx.github === null || batch.stage !== 'claimed') return null;
  const found = await ctx.github.listPullsByHead(plan.repo.github, plan.branch);
  if (found.length === 0) return null;
  return openPullRequest(ctx, plan, batch, 'a pull request for this branch already existed; adopted it');
}

/**
 * Records how the batch ended as a learning when this call ran its job and the outcome says
 * something about the ticket: delivered, nothing to do, or a failure that used an attempt
 * (infrastructure failures teach nothing about the code).
 */
async function learned(ctx: BatchContext, plan: PlannedBatch, run: JobRun, outcome: Outcome): Promise<Outcome> {
  const ran = run.ran;
  if (ran === null || (ran.failure !== null && !ran.failure.burned)) return outcome;
  if (!['pull_request', 'branch', 'nothing_to_do', 'retry_later', 'gave_up'].includes(outcome.outcome)) return outcome;
  await recordBatchLearning(ctx, {
    repoPath: plan.repo.path,
    tickets: plan.tickets,
    branch: plan.branch,
    result: ran.failure === null ? { ok: true } : { ok: false, kind: ran.failure.kind, message: ran.failure.message },
    link: outcome.link ?? null,
    outcome: outcome.outcome,
    summary: ran.summary,
    model: ran.model,
  });
  return outcome;
}

/**
 * Worktree, job, commit — or, on another host, the job there publishing the branch, fetched back
 * here. Resolves null when the batch goes on to be delivered, else the outcome.
 */
async function work(ctx: BatchContext, plan: PlannedBatch, batch: LedgerBatch, run: JobRun, placedHost: string | undefined): Promise<Outcome | null> {
  for (const ticket of plan.tickets) await sourceOf(ctx, ticket).setStatus(ticket, { status: 'in_progress' });
  const where = await whereToWork({ ledger: ctx.ledger, runJob: ctx.runJob, batch, placedHost });
  let wt: Worktree | null = null;
  let setupMade: string[] = [];
  if (where.mode === 'remote') await dropLocalWorktree(plan.repo.path, plan.branch);
  else {
    wt = await ensureWorktree({ repoPath: plan.repo.path, repoName: plan.repo.name, branch: plan.branch, base: plan.repo.base, worktreesDir: ctx.worktreesDir });
    if (!wt.reused && plan.repo.setup !== undefined) {
      const setup = await runSetup(wt.path, plan.repo.setup);
      if (!setup.ok) {
        await removeWorktree(plan.repo.path, wt.path);
        return { outcome: 'error', detail: `the repo's setup command failed (exit ${String(setup.exitCode)}); no attempt used: ${setup.tail}` };
      }
      setupMade = await uncommittedPaths(wt.path);
    }
  }
  const failedBefore = Math.max(0, ...(await ledgerTickets(ctx, plan)).map((t) => t.failedAttempts));
  const model = modelForAttempt(ctx.config.models.ladder, failedBefore);
  const attempt = await ctx.ledger.startAttempt(batch.id, model, ctx.owner);
  const recalled = await recallForBatch(ctx, plan.repo.path, plan.tickets);
  const { result, raw } = await withRenewal(ctx, plan, batch, async () =>
    runJobSafely(ctx.runJob, {
      batchId: batch.id,
      attempt: attempt.number,
      idempotencyKey: `${batch.id}:${attempt.number}`,
      repo: plan.repo.name,
      hosts: plan.repo.hosts,
      worktreePath: wt?.path ?? plan.repo.path,
      branch: plan.branch,
      tickets: plan.tickets,
      prompt: await buildPrompt(plan.tickets, wt?.path ?? plan.repo.path, recalled),
      agent: ctx.config.models.agent,
      model,
      ...placeOfJob(plan, where),
    }),
  );
  if (result.host !== undefined) run.host = result.host;
  await recordJobUsage(ctx.ledger, { batchId: batch.id, number: attempt.number, repo: plan.repo.name, model }, { raw, jobId: result.jobId ?? null, lookup: ctx.jobUsage });
  if (!result.ok) {
    const end = await ctx.ledger.endAttempt(attempt.id, { outcome: 'failed', kind: result.failure.kind, message: result.failure.message, resetsAt: result.failure.resetsAt ?? null }, ctx.config.attempts);
    run.ran = { model, summary: null, failure: { kind: result.failure.kind, message: result.failure.message, burned: end.attempt.burned } };
    if (wt !== null) await removeWorktree(plan.repo.path, wt.path);
    const failure = { model, failureKind: result.failure.kind, burned: end.attempt.burned, resetsAt: result.failure.resetsAt ?? null };
    if (end.exhausted) {
      const note = `gave up after ${end.failedAttempts} failed attempts; the last: ${result.failure.kind}: ${result.failure.message}`;
      for (const ticket of plan.tickets) await sourceOf(ctx, ticket).setStatus(ticket, { status: 'failed', note });
      return { outcome: 'gave_up', detail: note, ...failure };
    }
    const escalates = modelForAttempt(ctx.config.models.ladder, end.failedAttempts) !== model;
    const cost = end.attempt.burned ? `attempt ${end.failedAttempts} of ${ctx.config.attempts} used` : 'infrastructure: no attempt used';
    return { outcome: 'retry_later', detail: `${result.failure.kind} (${cost}): ${result.failure.message}`, escalates, ...failure };
  }
  await ctx.ledger.endAttempt(attempt.id, { outcome: 'succeeded' }, ctx.config.attempts);
  run.ran = { model, summary: result.summary ?? null, failure: null };
  if (wt === null) return collectPublished(ctx, plan, batch, model);
  return commitWork(ctx, plan, batch, { wt, model, exclude: setupMade });
}

/** The request's host, and for another host what its job publishes (cb's `publish`). */
function placeOfJob(plan: PlannedBatch, where: WorkPlace): { host?: string; publish?: { repoPath: string; base: string; message: string } } {
  if (where.mode === 'local') return where.host === undefined ? {} : { host: where.host };
  return { host: where.host, publish: { repoPath: plan.repo.path, base: `origin/${plan.repo.base}`, message: commitMessage(plan.tickets) } };
}

/** A job on another host published the branch on origin (or nothing, when the agent changed nothing): bring it here. */
async function collectPublished(ctx: BatchContext, plan: PlannedBatch, batch: LedgerBatch, model: string): Promise<Outcome | null> {
  const { ahead } = await fetchPublishedBranch(plan.repo.path, plan.branch, plan.repo.base);
  if (ahead === 0) return nothingToDo(ctx, plan, batch, model);
  await ctx.ledger.setStage(batch.id, 'worked');
  return null;
}

async function nothingToDo(ctx: BatchContext, plan: PlannedBatch, batch: LedgerBatch, model: string): Promise<Outcome> {
  const note = 'the agent finished without changing anything: nothing to review';
  await ctx.ledger.closeBatch(batch.id, 'nothing_to_do', null, note);
  for (const ticket of plan.tickets) await sourceOf(ctx, ticket).setStatus(ticket, { status: 'failed', note });
  return { outcome: 'nothing_to_do', detail: note, model };
}

async function commitWork(ctx: BatchContext, plan: PlannedBatch, batch: LedgerBatch, run: { wt: Worktree; model: string; exclude: string[] }): Promise<Outcome | null> {
  const { wt, model } = run;
  const commit = await commitLeftovers(wt.path, commitMessage(plan.tickets), { exclude: run.exclude });
  if ((await commitsAhead(wt.path, wt.baseCommit)) === 0) {
    const outcome = await nothingToDo(ctx, plan, batch, model);
    await removeWorktree(plan.repo.path, wt.path);
    return outcome;
  }
  if (!commit.committed) debug('%s: %s', plan.branch, commit.reason);
  await ctx.ledger.setStage(batch.id, 'worked');
  return null;
}

/** Push, then a pull request (GitHub repos) or the branch recorded for review. */
async function deliver(ctx: BatchContext, plan: PlannedBatch, batch: LedgerBatch): Promise<Outcome> {
  const push = await pushBranch(plan.repo.path, plan.branch);
  await ctx.ledger.setStage(batch.id, 'pushed');
  if (plan.repo.github !== undefined) {
    if (ctx.github === null) throw new Error(`repo ${plan.repo.name} opens pull requests on ${plan.repo.github}, but no GitHub token is set (${ctx.config.github.tokenEnv})`);
    if (!push.pushed) throw new Error(`repo ${plan.repo.name} opens pull requests, but ${push.reason}`);
    return openPullRequest(ctx, plan, batch, 'opened the pull request');
  }
  const note = push.pushed ? `pushed to ${push.remote}` : push.reason;
  return finish(ctx, plan, batch, { outcome: 'branch', link: null, note: `branch ${plan.branch}: ${note}` });
}

async function openPullRequest(ctx: BatchContext, plan: PlannedBatch, batch: LedgerBatch, note: string): Promise<Outcome> {
  const pr = await ensurePullRequest({
    ledger: ctx.ledger,
    github: ctx.github!,
    batchId: batch.id,
    repo: plan.repo.github!,
    head: plan.branch,
    base: plan.repo.base,
    title: commitMessage(plan.tickets).split('\n')[0]!,
    body: pullRequestBody(plan.tickets),
    owner: ctx.owner,
    leaseMs: ctx.batchLeaseMs,
    afterCreate: ctx.hooks.afterPullCreated,
  });
  if (pr.state === 'busy') return { outcome: 'busy', detail: `director ${pr.by} is opening its pull request` };
  return finish(ctx, plan, batch, { outcome: 'pull_request', link: pr.record.url, note: pr.state === 'adopted' && note === 'opened the pull request' ? 'adopted the existing pull request' : note });
}

/** Closes the batch in the ledger first, then tells the sources, then removes the worktree. */
async function finish(ctx: BatchContext, plan: PlannedBatch, batch: LedgerBatch, result: { outcome: 'pull_request' | 'branch'; link: string | null; note: string }): Promise<Outcome> {
  await ctx.ledger.closeBatch(batch.id, result.outcome, result.link, result.note);
  for (const ticket of plan.tickets) {
    await sourceOf(ctx, ticket).setStatus(ticket, { status: 'in_review', link: result.link, branch: plan.branch, note: result.note });
  }
  const wt = await worktreeOfBranch(plan.repo.path, plan.branch);
  if (wt !== null) await removeWorktree(plan.repo.path, wt);
  return { outcome: result.outcome, detail: result.note, link: result.link };
}

/** A ticket the ledger finished whose source still lists it: the status update was lost; redo it. */
async function syncFinished(ctx: BatchContext, plan: PlannedBatch, ledgerTicket: LedgerTicket): Promise<Outcome> {
  const ticket = plan.tickets.find((t) => ticketKey(t) === ledgerTicket.key)!;
  if (Date.parse(ledgerTicket.updatedAt) >= plan.listedAt) {
    return { outcome: 'already_done', detail: 'finished by another director while this cycle ran' };
  }
  if (ledgerTicket.status === 'in_review') {
    // A board task whose lease ran out meanwhile must be held again before it can be handed on.
    if (!(await sourceOf(ctx, ticket).claim(ticket))) return { outcome: 'already_done', detail: 'finished before; the source gave the ticket to someone else' };
    await sourceOf(ctx, ticket).setStatus(ticket, { status: 'in_review', link: ledgerTicket.link, branch: plan.branch, note: ledgerTicket.note ?? '' });
    return { outcome: 'already_done', detail: `finished before (${ledgerTicket.link ?? 'branch'}); its status was brought up to date` };
  }
  if (ticket.inProgress) await sourceOf(ctx, ticket).setStatus(ticket, { status: 'failed', note: ledgerTicket.note ?? 'given up' });
  return { outcome: 'already_done', detail: `given up before: ${ledgerTicket.note ?? ''}` };
}

/** Keeps the ledger's batch lease (and the board's) alive while a long job runs. */
async function withRenewal<T>(ctx: BatchContext, plan: PlannedBatch, batch: LedgerBatch, fn: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => {
    void ctx.ledger.renewBatch(batch.id, ctx.owner, ctx.batchLeaseMs).catch((error: unknown) => debug('renewing %s: %o', batch.id, error));
    for (const ticket of plan.tickets.filter((t) => t.source === 'board')) {
      void sourceOf(ctx, ticket).setStatus(ticket, { status: 'in_progress' }).catch((error: unknown) => debug('renewing %s: %o', ticket.id, error));
    }
  }, Math.max(1000, Math.floor(ctx.batchLeaseMs / 3)));
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

/**
 * A runner that throws or answers nonsense is an infrastructure failure (`crashed`), not the ticket's.
 * `raw` is the answer as given (it may carry the job's usage and cost beside the result).
 */
async function runJobSafely(runJob: RunJob, request: Parameters<RunJob>[0]): Promise<{ result: RunJobResult; raw: unknown }> {
  try {
    const raw: unknown = await runJob(request);
    const parsed = RunJobResultSchema.safeParse(raw);
    return { raw, result: parsed.success ? parsed.data : { ok: false, failure: { kind: 'crashed', message: `the job runner answered an unexpected result: ${parsed.error.message}` } } };
  } catch (error) {
    return { raw: null, result: { ok: false, failure: { kind: 'crashed', message: `the job runner failed: ${(error as Error).message}` } } };
  }
}

async function ledgerTickets(ctx: BatchContext, plan: PlannedBatch): Promise<LedgerTicket[]> {
  const found = await Promise.all(plan.tickets.map((t) => ctx.ledger.ticket(ticketKey(t))));
  return found.filter((t): t is LedgerTicket => t !== null);
}

function sourceOf(ctx: BatchContext, ticket: Ticket): TicketSource {
  const source = ctx.sources.get(ticket.source);
  if (source === undefined) throw new Error(`no ${ticket.source} source is configured`);
  return source;
}

function pullRequestBody(tickets: readonly Ticket[]): string {
  const lines = tickets.map((t) => `- ${t.id}: ${t.title}${t.url === null ? '' : ` (${t.url})`}`);
  return `Opened by the Flotilla director for:\n\n${lines.join('\n')}`;
}
