import { hostname } from 'node:os';
import createDebug from 'debug';
import type { DirectorConfig, RepoConfig } from '../config/config-schema.js';
import { routeTicket } from '../config/routing.js';
import type { Ledger } from '../ledger/ledger.js';
import type { GitHubApi } from '../sources/github/github-api.js';
import { isHttpApiError } from '../sources/http-errors.js';
import type { TicketSource } from '../sources/ticket-source.js';
import { ticketKey, type SourceName, type Ticket } from '../tickets/ticket.js';
import { planBatches, type PlannedBatch } from './batches.js';
import { createPauseGate, type PauseGate } from './pause.js';
import { processBatch, type BatchContext, type DirectorHooks } from './process-batch.js';
import type { BatchReport, CycleReport } from './report.js';
import type { RunJob } from './run-job.js';

const debug = createDebug('director:cycle');

/** A batch's ledger lease: renewed every third of it while its job runs, so only a dead director loses it. */
export const DEFAULT_BATCH_LEASE_MS = 15 * 60_000;

export interface DirectorOptions {
  config: DirectorConfig;
  ledger: Ledger;
  sources: TicketSource[];
  runJob: RunJob;
  /** For pull requests; null when no repo names a GitHub repository. */
  github: GitHubApi | null;
  /** This director's id in the ledger; keep it stable across restarts to resume its own batches at once. */
  id?: string;
  worktreesDir: string;
  batchLeaseMs?: number;
  hooks?: DirectorHooks;
  /** The clock for pauses (epoch ms); injected so that tests can pass a rate limit's reset. */
  now?: () => number;
}

export interface Director {
  /**
   * One cycle: list every source, route, plan batches, and run them (per-repo concurrency). A
   * call while a cycle runs is coalesced into one follow-up cycle, so any number of triggers
   * (the timer, new board tasks) never run two cycles of one director at once.
   */
  runCycle(): Promise<CycleReport>;
  readonly id: string;
}

/**
 * @example
 * const director = createDirector({ config, ledger, sources, runJob, github, worktreesDir });
 * const report = await director.runCycle();
 */
export function createDirector(options: DirectorOptions): Director {
  const id = options.id ?? `${hostname()}:${process.pid}`;
  const ctx: BatchContext = {
    config: options.config,
    ledger: options.ledger,
    sources: new Map(options.sources.map((s) => [s.name, s] as [SourceName, TicketSource])),
    runJob: options.runJob,
    github: options.github,
    owner: id,
    worktreesDir: options.worktreesDir,
    batchLeaseMs: options.batchLeaseMs ?? DEFAULT_BATCH_LEASE_MS,
    hooks: options.hooks ?? {},
  };
  const gate = createPauseGate();
  const now = options.now ?? Date.now;
  let running: Promise<CycleReport> | null = null;
  let followUp: Promise<CycleReport> | null = null;

  function runCycle(): Promise<CycleReport> {
    if (running === null) {
      running = cycle(ctx, options.sources, gate, now).finally(() => (running = null));
      return running;
    }
    followUp ??= running
      .catch(() => undefined)
      .then(() => {
        followUp = null;
        return runCycle();
      });
    return followUp;
  }
  return { runCycle, id };
}

async function cycle(ctx: BatchContext, sources: readonly TicketSource[], gate: PauseGate, now: () => number): Promise<CycleReport> {
  const report: CycleReport = { startedAt: new Date().toISOString(), endedAt: '', skipped: [], sourceErrors: [], batches: [], pause: null };
  const paused = gate.current(now());
  if (paused !== null) {
    report.pause = { until: new Date(paused.until).toISOString(), reason: paused.reason, started: false };
    report.endedAt = new Date().toISOString();
    return report;
  }
  const byRepo = new Map<string, { repo: RepoConfig; tickets: Ticket[] }>();
  const listedAt = Date.now();
  for (const source of sources) {
    let tickets: Ticket[];
    try {
      tickets = await source.listEligible();
    } catch (error) {
      report.sourceErrors.push({ source: source.name, code: isHttpApiError(error) ? error.code : 'ERROR', message: (error as Error).message, resetsAt: isHttpApiError(error) ? error.resetsAt : null });
      continue;
    }
    for (const ticket of tickets) await routeOne(ctx, source, ticket, byRepo, report);
  }
  const plans: PlannedBatch[] = [];
  for (const { repo, tickets } of byRepo.values()) plans.push(...(await planBatches(repo, tickets, { size: ctx.config.batch.size, listedAt }, ctx.ledger)));
  report.batches = await runPerRepo(ctx, plans);
  const started = gate.observe(report.batches, now());
  if (started !== null) report.pause = { until: new Date(started.until).toISOString(), reason: started.reason, started: true };
  report.endedAt = new Date().toISOString();
  debug('cycle: %d batches, %d skipped, %d source errors', report.batches.length, report.skipped.length, report.sourceErrors.length);
  return report;
}

async function routeOne(ctx: BatchContext, source: TicketSource, ticket: Ticket, byRepo: Map<string, { repo: RepoConfig; tickets: Ticket[] }>, report: CycleReport): Promise<void> {
  const decision = routeTicket(ticket, ctx.config);
  if (!decision.routed) {
    report.skipped.push({ ticket: ticketKey(ticket), title: ticket.title, reason: decision.reason });
    // A board task this director holds but cannot route goes back to the board.
    if (ticket.source === 'board' && ticket.inProgress) await source.release(ticket);
    return;
  }
  if (ticket.inProgress && ticket.source !== 'board' && (await ctx.ledger.ticket(ticketKey(ticket))) === null) {
    report.skipped.push({ ticket: ticketKey(ticket), title: ticket.title, reason: 'in progress, but not by a director: left alone' });
    return;
  }
  const entry = byRepo.get(decision.repo.name) ?? { repo: decision.repo, tickets: [] };
  entry.tickets.push(ticket);
  byRepo.set(decision.repo.name, entry);
}

/** Runs each repo's batches with at most `concurrency` of them at once; repos run side by side. */
async function runPerRepo(ctx: BatchContext, plans: readonly PlannedBatch[]): Promise<BatchReport[]> {
  const reports: BatchReport[] = [];
  const repos = [...new Set(plans.map((p) => p.repo.name))];
  await Promise.all(
    repos.map(async (name) => {
      const queue = plans.filter((p) => p.repo.name === name);
      const limit = queue[0]?.repo.concurrency ?? ctx.config.concurrency.perRepo;
      const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
        for (let plan = queue.shift(); plan !== undefined; plan = queue.shift()) reports.push(await processBatch(ctx, plan));
      });
      await Promise.all(workers);
    }),
  );
  return reports;
}
