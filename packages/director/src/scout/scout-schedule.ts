import { join } from 'node:path';
import type { BoardClient } from '@flotilla/protocol';
import type { DirectorConfig } from '../config/config-schema.js';
import { openFlowLedger } from '../flow/flow-ledger.js';
import type { FlowRunJob } from '../flow/flow-runner.js';
import { scoutPlanOf } from './scout-plan.js';
import { openScoutRecord, type ScoutRecord } from './scout-record.js';
import { runScout, type ScoutReport } from './scout-run.js';

/** How often the schedule looks whether a repo is due (the runs themselves are `scout.everyHours` apart). */
const CHECK_EVERY_MS = 10 * 60_000;

export interface ScoutScheduleOptions {
  config: DirectorConfig;
  stateDir: string;
  runJob: FlowRunJob;
  board: BoardClient;
  owner?: string;
  /** When given, a due scout waits until this says the fleet is idle (e.g. no batch in flight). */
  idle?: () => boolean | Promise<boolean>;
  onReport?: (report: ScoutReport) => void;
  onError?: (error: Error) => void;
  checkEveryMs?: number;
  now?: () => number;
}

export interface ScoutSchedule {
  /** Why it never scouts (no `scout:` in the config, or `everyHours: null`); null when it does. */
  off: string | null;
  /** Looks once now: scouts every repo that is due (tests call this instead of waiting). */
  check(): Promise<ScoutReport[]>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/** The repos whose last (non-dry) scout run started `everyHours` ago or more, or never ran. */
export function dueRepos(repos: readonly string[], record: Pick<ScoutRecord, 'lastRunStarted'>, everyHours: number, now: number): string[] {
  return repos.filter((repo) => {
    const last = record.lastRunStarted(repo);
    return last === null || now - Date.parse(last) >= everyHours * 3600_000;
  });
}

/**
 * `start`'s scout: every `checkEveryMs` (10 min) it scouts the repos that are due — each at most
 * every `scout.everyHours`, counted from the scout's record, so restarts do not scout again. Only
 * when the config has `scout:` with `everyHours` (default 24); one run at a time; a failure is
 * reported through `onError` and the repo is due again after `everyHours` (a broken scout does not
 * spend an agent every ten minutes).
 *
 * @example
 * const scout = startScoutSchedule({ config, stateDir, runJob, board: createBoardClient(server.transport), onReport: print });
 * // … on shutdown:
 * await scout.stop();
 */
export function startScoutSchedule(options: ScoutScheduleOptions): ScoutSchedule {
  const everyHours = options.config.scout?.everyHours ?? null;
  const off = options.config.scout === undefined ? 'no scout: in the config' : everyHours === null ? 'scout.everyHours is null (scout by hand: flotilla-director scout)' : null;
  let running: Promise<ScoutReport[]> | null = null;
  const now = options.now ?? Date.now;

  const checkOnce = async (): Promise<ScoutReport[]> => {
    if (off !== null || everyHours === null) return [];
    const planned = scoutPlanOf(options.config);
    if (!planned.ok) throw new Error(`the scout cannot run: ${planned.problems.join('; ')}`);
    const record = openScoutRecord(join(options.stateDir, 'scout.db'), { now });
    const flows = openFlowLedger(join(options.stateDir, 'flows.db'));
    try {
      const reports: ScoutReport[] = [];
      for (const repo of dueRepos(planned.plan.repos.map((r) => r.repo.name), record, everyHours, now())) {
        if (options.idle !== undefined && !(await options.idle())) break;
        const report = await runScout({ config: options.config, stateDir: options.stateDir, runJob: options.runJob, board: options.board, record, flows, repo, ...(options.owner === undefined ? {} : { owner: options.owner }) });
        options.onReport?.(report);
        reports.push(report);
      }
      return reports;
    } finally {
      record.close();
      await flows.close();
    }
  };

  const check = (): Promise<ScoutReport[]> => {
    running ??= checkOnce().finally(() => {
      running = null;
    });
    return running;
  };

  const timer = off === null ? setInterval(() => void check().catch((error: unknown) => options.onError?.(error as Error)), options.checkEveryMs ?? CHECK_EVERY_MS) : null;
  timer?.unref();
  if (off === null) void check().catch((error: unknown) => options.onError?.(error as Error));
  return {
    off,
    check,
    stop: async () => {
      if (timer !== null) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
