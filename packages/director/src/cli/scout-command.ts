/**
 * `flotilla-director scout [--repo NAME] [--dry-run] [--json]` (also `mesh director scout`): one scout
 * run over the configured repos — evidence in a fresh worktree, an agent's proposals checked against
 * it, the new ones added to the hub's board as `proposed` tasks — printing what it proposed and what
 * it skipped, and why. Exit 0 when every repo ran (proposing nothing is fine), 1 when one failed.
 */
import { join } from 'node:path';
import type { OutputStream } from '@flotilla/kit/cli';
import { createBoardClient, type BoardClient } from '@flotilla/protocol';
import type { DirectorConfig } from '../config/config-schema.js';
import { openFlowLedger, type FlowLedger } from '../flow/flow-ledger.js';
import type { FlowRunJob } from '../flow/flow-runner.js';
import { createFleetRunJob } from '../hub/dispatch.js';
import { createFleet } from '../hub/fleet.js';
import { findLocalDaemon, findServer } from '../hub/server.js';
import { scoutPlanOf } from '../scout/scout-plan.js';
import { openScoutRecord, type ScoutRecord } from '../scout/scout-record.js';
import { startScoutSchedule, type ScoutSchedule } from '../scout/scout-schedule.js';
import { runScout, ScoutError, type ScoutRepoReport, type ScoutReport } from '../scout/scout-run.js';
import { ConfigError, printJson, type DirectorCliContext } from './context.js';
import { directorId, readConfig, type GlobalOptions, type RunningDirector } from './setup.js';

export const SCOUT_EXIT = { ok: 0, failed: 1 } as const;

export interface ScoutCommandOptions extends GlobalOptions {
  repo?: string;
  dryRun: boolean;
  json: boolean;
}

/** What a scout run needs; `scout()` builds it from the CLI's context, tests pass their own. */
export interface ScoutCommandDeps {
  config: DirectorConfig;
  stateDir: string;
  runJob: FlowRunJob;
  /** The hub's board; null behind a lone cb daemon (only `--dry-run` works then). */
  board: BoardClient | null;
  stdout: OutputStream;
  stderr: OutputStream;
  owner?: string;
  /** Open records; by default `<stateDir>/scout.db` and `<stateDir>/flows.db`, closed after the run. */
  record?: ScoutRecord;
  flows?: FlowLedger;
}

/** The CLI's entry: the config, the server (its board and its jobs), then `runScoutCommand`. */
export async function scout(ctx: DirectorCliContext, options: ScoutCommandOptions): Promise<number> {
  const loaded = await readConfig(ctx, options);
  // The config's scout problems are reported before anything is connected to.
  const planned = scoutPlanOf(loaded.config, options.repo === undefined ? {} : { repo: options.repo });
  if (!planned.ok) throw new ConfigError(`the scout cannot run: ${planned.problems.join('; ')}`, 'fix scout: in the config (see the scout section of @flotilla/director\'s README)');
  const server = await findServer({ home: ctx.home, env: ctx.env, server: options.server });
  const localDaemon = server.isHub ? await findLocalDaemon(ctx.home) : null;
  const fleet = createFleet({ server, localDaemon, ...(options.localHost === undefined ? {} : { localHost: options.localHost }) });
  const poll = Number(ctx.env.FLOTILLA_DIRECTOR_POLL_MS);
  return runScoutCommand(options, {
    config: loaded.config,
    stateDir: loaded.stateDir,
    runJob: createFleetRunJob({ fleet, ...(Number.isInteger(poll) && poll > 0 ? { pollMs: poll } : {}), tags: ['scout'] }),
    board: server.isHub ? createBoardClient(server.transport) : null,
    stdout: ctx.streams.stdout,
    stderr: ctx.streams.stderr,
    owner: directorId(ctx, options),
  });
}

/**
 * For `start` (not `--once`): the scout on its schedule (`scout.everyHours`, default daily when
 * `scout:` is set) beside the cycles, dispatching through the director's own fleet, adding to the
 * hub's board, and only while the director has no batch open. Null when it never scouts here (no
 * `scout:`, `everyHours: null`, or a lone cb daemon without a board) — `say` tells why once.
 *
 * @example
 * // in start(), after openDirector:
 * const scout = options.once ? null : startScoutBeside({ loaded, running, owner: directorId(ctx, options), say });
 * // in its finally, before running.close():
 * await scout?.stop();
 */
export function startScoutBeside(input: { loaded: { config: DirectorConfig; stateDir: string }; running: Pick<RunningDirector, 'server' | 'fleet' | 'ledger'>; owner?: string; say: (line: string) => void }): ScoutSchedule | null {
  const { config, stateDir } = input.loaded;
  if (config.scout === undefined) return null;
  if (!input.running.server.isHub) {
    input.say('flotilla-director: no scout: a lone cb daemon has no board to propose on');
    return null;
  }
  const schedule = startScoutSchedule({
    config,
    stateDir,
    runJob: createFleetRunJob({ fleet: input.running.fleet, tags: ['scout'] }),
    board: createBoardClient(input.running.server.transport),
    ...(input.owner === undefined ? {} : { owner: input.owner }),
    idle: async () => (await input.running.ledger.overview(Date.now())).open.length === 0,
    onReport: (report) => formatScout(report).forEach((line) => input.say(line)),
    onError: (error) => input.say(`flotilla-director: the scout failed: ${error.message}`),
  });
  if (schedule.off !== null) input.say(`flotilla-director: no scout: ${schedule.off}`);
  else input.say(`flotilla-director: scouting every ${config.scout.everyHours} h when idle`);
  return schedule.off === null ? schedule : null;
}

/** Runs the scout and prints its report (one JSON document with `json`); resolves the exit code. */
export async function runScoutCommand(options: Pick<ScoutCommandOptions, 'repo' | 'dryRun' | 'json'>, deps: ScoutCommandDeps): Promise<number> {
  const record = deps.record ?? openScoutRecord(join(deps.stateDir, 'scout.db'));
  const flows = deps.flows ?? openFlowLedger(join(deps.stateDir, 'flows.db'));
  const progress = options.json ? deps.stderr : deps.stdout;
  try {
    const report = await runScout({
      config: deps.config,
      stateDir: deps.stateDir,
      runJob: deps.runJob,
      board: deps.board,
      record,
      flows,
      dryRun: options.dryRun,
      ...(options.repo === undefined ? {} : { repo: options.repo }),
      ...(deps.owner === undefined ? {} : { owner: deps.owner }),
      onProgress: (line) => void progress.write(`  ${line}\n`),
    });
    if (options.json) printJson(deps.stdout, report);
    else deps.stdout.write(`${formatScout(report).join('\n')}\n`);
    return report.repos.some((repo) => repo.outcome === 'failed') ? SCOUT_EXIT.failed : SCOUT_EXIT.ok;
  } catch (error) {
    if (error instanceof ScoutError && error.code === 'SCOUT_CONFIG') throw new ConfigError(`the scout cannot run: ${error.message}`, 'fix scout: in the config (see the scout section of @flotilla/director\'s README)');
    throw error;
  } finally {
    if (deps.record === undefined) record.close();
    if (deps.flows === undefined) await flows.close();
  }
}

/** A scout report in lines a person reads. */
export function formatScout(report: ScoutReport): string[] {
  const time = (iso: string): string => iso.slice(11, 19);
  const lines = [`scout ${time(report.startedAt)}-${time(report.endedAt)}${report.dryRun ? ' (dry run: nothing was added to the board)' : ''}`];
  for (const repo of report.repos) lines.push(...formatRepo(repo, report.dryRun));
  return lines;
}

function formatRepo(repo: ScoutRepoReport, dryRun: boolean): string[] {
  const counts = `${repo.proposed.length} ${dryRun ? 'would be proposed' : 'proposed'}, ${repo.skipped.length} skipped`;
  const evidence = repo.evidence === null ? null : [...repo.evidence.commands.map((c) => `${c.name} ${c.timedOut ? 'timed out' : `exit ${c.exitCode ?? '?'}`}`), `${repo.evidence.markers} marker comments`].join(', ');
  const facts = [evidence === null ? null : `evidence: ${evidence}`, repo.flowId === null ? null : `flow ${repo.flowId}`].filter((f) => f !== null).join('; ');
  const head = repo.outcome === 'failed' || repo.outcome === 'skipped' || repo.outcome === 'nothing_found' ? `${repo.outcome.replace('_', ' ')}: ${repo.reason ?? ''}` : counts;
  const lines = [`${repo.repo}: ${head}${facts === '' ? '' : ` (${facts})`}`];
  for (const p of repo.proposed) {
    const cited = p.evidence.map((e) => `${e.line === null ? e.path : `${e.path}:${e.line}`} ${e.mark}`).join('; ');
    lines.push(`  + ${p.taskKey ?? '(dry run)'} ${p.title} [${p.priority}]`, `      ${cited}`);
  }
  for (const s of repo.skipped) lines.push(`  - skipped "${s.title}": ${s.why.replace('_', ' ')} — ${s.reason}`);
  return lines;
}
