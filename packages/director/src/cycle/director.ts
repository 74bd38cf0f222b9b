import { hostname } from 'node:os';
import createDebug from 'debug';
import type { DirectorConfig, RepoConfig } from '../config/config-schema.js';
import { routeTicket } from '../config/routing.js';
import type { Learnings } from '../learnings/codekb-learnings.js';
import { loadPauseState, saveLastCycle, savePauseState, type PauseState } from '../ledger/director-state.js';
import type { Ledger } from '../ledger/ledger.js';
import type { JobUsageLookup } from '../metrics/job-usage.js';
import type { GitHubApi } from '../sources/github/github-api.js';
import { isHttpApiError } from '../sources/http-errors.js';
import type { TicketSource } from '../sources/ticket-source.js';
import { ticketKey, type SourceName, type Ticket } from '../tickets/ticket.js';
import { planBatches, type PlannedBatch } from './batches.js';
import { createPauseGate } from './pause.js';
import { processBatch, type BatchContext, type DirectorHooks } from './process-batch.js';
import type { BatchReport, CycleReport, HostReadiness } from './report.js';
import type { RunJob } from './run-job.js';

const debug = createDebug('director:cycle');

/** A batch's ledger lease: renewed every third of it while its job runs, so only a dead director loses it. */
export const DEFAULT_BATCH_LEASE_MS = 15 * 60_000;

/** Where a repo's jobs go: a host of the fleet, or why none can take them. */
export type Placement = { host: string } | { refused: string };

/** What the pre-flight found before a cycle. */
export interface FleetPreflight {
  hosts: HostReadiness[];
  /**
   * Where jobs of a repo whose `hosts` are these run: without `context`, this machine's host only;
   * with it (the cycle's batches, one call each), also another host of the fleet with capacity
   * (`src/hub/remote-placement.ts`, decision 38 as amended).
   */
  placement(repoHosts: readonly string[], context?: { repo: RepoConfig; perHost: number }): Placement | Promise<Placement>;
}

/**
 * The hosts jobs run on, as the director sees them before each cycle (`src/hub/fleet.ts` builds one
 * over a hub or a lone daemon). Without one, every repo's jobs count against one host for
 * `concurrency.perHost` (its first `hosts` entry, else `default`) and nothing is checked.
 */
export interface DirectorFleet {
  /** `GET /api/doctor` (or what stands for it) for every host jobs of `agent` may go to. */
  preflight(agent: string): Promise<FleetPreflight>;
  /** An ended job's tokens and cost, for `/metrics` (`GET /api/jobs/:id` on the fleet's server). */
  jobUsage?: JobUsageLookup;
}

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
  /** Pre-flight and placement; see `DirectorFleet`. */
  fleet?: DirectorFleet;
  /** codekb memory (`createCodekbLearnings`): learnings recalled into prompts and recorded per batch. Default none. */
  learnings?: Learnings | null;
  /** An ended job's tokens and cost by its id, for `/metrics` (default: through the fleet's server, when it has one). */
  jobUsage?: JobUsageLookup | null;
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
    learnings: options.learnings ?? null,
    jobUsage: options.jobUsage !== undefined ? options.jobUsage : (options.fleet?.jobUsage ?? null),
    notes: new Set(),
  };
  const now = options.now ?? Date.now;
  let running: Promise<CycleReport> | null = null;
  let followUp: Promise<CycleReport> | null = null;

  function runCycle(): Promise<CycleReport> {
    if (running === null) {
      running = cycle(ctx, options.sources, { now, fleet: options.fleet ?? null }).finally(() => (running = null));
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

interface CycleOptions {
  now: () => number;
  fleet: DirectorFleet | null;
}

async function cycle(ctx: BatchContext, sources: readonly TicketSource[], options: CycleOptions): Promise<CycleReport> {
  const { now } = options;
  const report: CycleReport = { startedAt: new Date().toISOString(), endedAt: '', skipped: [], sourceErrors: [], batches: [], pause: null };
  ctx.notes = new Set();
  // The pause lives in the ledger: a restarted director (or another on this ledger) honours it.
  const gate = createPauseGate(await loadPauseState(ctx.ledger));
  const paused = gate.current(now());
  if (paused !== null) {
    report.pause = { until: new Date(paused.until).toISOString(), reason: paused.reason, started: false };
    report.endedAt = new Date().toISOString();
    return report;
  }
  const preflight = await runPreflight(ctx, options.fleet, report);
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
  const placed = await placeBatches(ctx, plans, preflight, report);
  report.batches = await runScheduled(ctx, placed, report);
  if (ctx.notes.size > 0) report.notes = [...ctx.notes];
  const started = gate.observe(report.batches, now());
  await savePauseState(ctx.ledger, mergePause(gate.state(), await loadPauseState(ctx.ledger), now()));
  if (started !== null) report.pause = { until: new Date(started.until).toISOString(), reason: started.reason, started: true };
  report.endedAt = new Date().toISOString();
  await saveLastCycle(ctx.ledger, {
    startedAt: report.startedAt,
    endedAt: report.endedAt,
    by: ctx.owner,
    routed: Object.fromEntries([...byRepo.values()].map(({ repo, tickets }) => [repo.name, tickets.map((t) => ({ key: ticketKey(t), title: t.title }))])),
    skipped: report.skipped,
    sourceErrors: report.sourceErrors.map(({ source, code, message }) => ({ source, code, message })),
    preflight: report.preflight ?? null,
  });
  debug('cycle: %d batches, %d skipped, %d source errors', report.batches.length, report.skipped.length, report.sourceErrors.length);
  return report;
}

/** Another director on the ledger may have paused meanwhile (while this cycle ran): its later pause wins. */
function mergePause(mine: PauseState, stored: PauseState | null, now: number): PauseState {
  if (stored?.pause && stored.pause.until > now && stored.pause.until > (mine.pause?.until ?? 0)) return stored;
  return mine;
}

/** The fleet's pre-flight, in the report; a fleet that cannot be asked at all makes every host not ready. */
async function runPreflight(ctx: BatchContext, fleet: DirectorFleet | null, report: CycleReport): Promise<FleetPreflight | null> {
  if (fleet === null) return null;
  try {
    const found = await fleet.preflight(ctx.config.models.agent);
    report.preflight = found.hosts;
    return found;
  } catch (error) {
    const detail = `the pre-flight could not ask the server: ${(error as Error).message}`;
    report.preflight = [{ host: '(server)', ok: false, detail }];
    return { hosts: report.preflight, placement: () => ({ refused: detail }) };
  }
}

interface PlacedBatch {
  plan: PlannedBatch;
  /** The host its job goes to (for `concurrency.perHost`). */
  host: string;
  /** Whether the fleet placed it there (then the report names the host). */
  placed: boolean;
}

/**
 * Decides each batch's host before anything is claimed: a repo the fleet refuses (its `hosts` do
 * not include this machine's) or a host that failed the pre-flight gets nothing dispatched; its
 * tickets are skipped with the reason. A batch past its job (worked or pushed) needs no host.
 */
async function placeBatches(ctx: BatchContext, plans: readonly PlannedBatch[], preflight: FleetPreflight | null, report: CycleReport): Promise<PlacedBatch[]> {
  const placed: PlacedBatch[] = [];
  for (const plan of plans) {
    if (preflight === null) {
      placed.push({ plan, host: plan.repo.hosts[0] ?? 'default', placed: false });
      continue;
    }
    const where = await preflight.placement(plan.repo.hosts, { repo: plan.repo, perHost: ctx.config.concurrency.perHost });
    const ready = 'host' in where ? preflight.hosts.find((h) => h.host === where.host) : undefined;
    let refusal: string | null = null;
    if ('refused' in where) refusal = where.refused;
    else if (ready === undefined) refusal = `host ${where.host} was not checked by the pre-flight`;
    else if (!ready.ok) refusal = `host ${where.host} failed the pre-flight, nothing is dispatched to it: ${ready.detail}`;
    if (refusal !== null) {
      const open = await ctx.ledger.openBatchOf(ticketKey(plan.tickets[0]!));
      if (open === null || open.stage === 'claimed') {
        for (const ticket of plan.tickets) report.skipped.push({ ticket: ticketKey(ticket), title: ticket.title, reason: refusal });
        continue;
      }
    }
    placed.push({ plan, host: 'host' in where ? where.host : 'default', placed: 'host' in where });
  }
  return placed;
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

/** Failures that say the host's agent cannot work at all: nothing more is dispatched there this cycle. */
const HOST_STOPPING_KINDS = new Set(['auth_failed', 'billing']);

/**
 * Runs the batches with at most `concurrency` of one repo (`repos[].concurrency`, else
 * `concurrency.perRepo`) and `concurrency.perHost` of one host at once, in plan order: a batch waits
 * while either limit is full, and starts as soon as a running one ends. Once a batch on a host ends
 * in an authentication or billing failure, the batches still waiting for that host are skipped with
 * the reason (their tickets are not claimed) until the next cycle's pre-flight — not dispatched one
 * after another to fail the same way.
 */
async function runScheduled(ctx: BatchContext, placed: readonly PlacedBatch[], report: CycleReport): Promise<BatchReport[]> {
  const reports: BatchReport[] = [];
  const stopped = new Map<string, string>();
  const waiting = [...placed];
  const byRepo = new Map<string, number>();
  const byHost = new Map<string, number>();
  const running = new Set<Promise<void>>();
  const repoLimit = (p: PlacedBatch): number => p.plan.repo.concurrency ?? ctx.config.concurrency.perRepo;
  const fits = (p: PlacedBatch): boolean => (byRepo.get(p.plan.repo.name) ?? 0) < repoLimit(p) && (byHost.get(p.host) ?? 0) < ctx.config.concurrency.perHost;
  const bump = (map: Map<string, number>, key: string, by: number): void => void map.set(key, (map.get(key) ?? 0) + by);
  for (;;) {
    for (let index = 0; index < waiting.length; ) {
      const next = waiting[index]!;
      const stop = stopped.get(next.host);
      if (stop !== undefined && (await skipUnclaimed(ctx, next, stop, report))) {
        waiting.splice(index, 1);
        continue;
      }
      if (!fits(next)) {
        index += 1;
        continue;
      }
      waiting.splice(index, 1);
      bump(byRepo, next.plan.repo.name, 1);
      bump(byHost, next.host, 1);
      const task: Promise<void> = processBatch(ctx, next.plan, next.placed ? next.host : undefined)
        .then((batch) => {
          reports.push(next.placed ? { host: next.host, ...batch } : batch);
          if (batch.failureKind !== undefined && HOST_STOPPING_KINDS.has(batch.failureKind) && !stopped.has(next.host)) {
            stopped.set(next.host, `host ${next.host} failed ${batch.failureKind} earlier this cycle; nothing more is dispatched to it until the next pre-flight`);
          }
        })
        .finally(() => {
          bump(byRepo, next.plan.repo.name, -1);
          bump(byHost, next.host, -1);
          running.delete(task);
        });
      running.add(task);
    }
    if (running.size === 0) return reports;
    await Promise.race(running);
  }
}

/** A waiting batch not yet claimed (or only claimed) is skipped with `reason`; one past its job still runs. */
async function skipUnclaimed(ctx: BatchContext, batch: PlacedBatch, reason: string, report: CycleReport): Promise<boolean> {
  const open = await ctx.ledger.openBatchOf(ticketKey(batch.plan.tickets[0]!));
  if (open !== null && open.stage !== 'claimed') return false;
  for (const ticket of batch.plan.tickets) report.skipped.push({ ticket: ticketKey(ticket), title: ticket.title, reason });
  return true;
}
