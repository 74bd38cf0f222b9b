/**
 * `flotilla-director start`: a cycle every `cycle.everySeconds` (default 2 min; `--every`), and at
 * once when a board task becomes todo on the hub, until SIGINT / SIGTERM. `--once`: one cycle,
 * which waits for the jobs it dispatched, then exit — 1 when anything failed (a batch, a source, a
 * host's pre-flight), for cron.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import createDebug from 'debug';
import { createPipelineClient } from '@flotilla/protocol';
import type { CycleReport } from '../cycle/report.js';
import { ledgerMetricsText } from '../metrics/ledger-metrics.js';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-server.js';
import { createLearningsConsolidation, type LearningsConsolidation } from '../learnings/consolidation-schedule.js';
import { createPipelineReporter, type PipelineReporter } from '../pipeline/pipeline-reporter.js';
import { ExitError, printJson, printLine, type DirectorCliContext } from './context.js';
import { cycleFailed, formatCycle } from './format.js';
import { acquireDirectorLock } from './lock.js';
import { startScoutBeside } from './scout-command.js';
import { directorId, ledgerPath, openDirector, readConfig, type GlobalOptions, type LoadedConfig, type RunningDirector } from './setup.js';

const debug = createDebug('director:cli');

export interface StartOptions extends GlobalOptions {
  once: boolean;
  json: boolean;
  /** Seconds between cycles (default the config's `cycle.everySeconds`). */
  every?: number;
  /** Serve `GET /metrics` on 127.0.0.1 at this port while the director runs (0: a free port, printed). */
  metricsPort?: number;
}

export async function start(ctx: DirectorCliContext, options: StartOptions): Promise<void> {
  const loaded = await readConfig(ctx, options);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(loaded.stateDir, { recursive: true, mode: 0o700 });
  const lock = await acquireDirectorLock(loaded.stateDir, directorId(ctx, options));
  let running: RunningDirector | null = null;
  let metrics: MetricsServer | null = null;
  let reporter: PipelineReporter | null = null;
  let scout: { stop(): Promise<void> } | null = null;
  try {
    running = await openDirector(ctx, options, loaded);
    reporter = pipelineReporter(ctx, options, loaded, running);
    const say = (line: string): void => void (options.json ? ctx.streams.stderr : ctx.streams.stdout).write(`${line}\n`);
    for (const note of running.notes) say(`flotilla-director: ${note}`);
    if (options.metricsPort !== undefined) {
      // Rendered from the ledger at each scrape: the counters survive a restart.
      const path = ledgerPath(loaded.stateDir);
      metrics = await startMetricsServer({ port: options.metricsPort, render: () => ledgerMetricsText(path) });
      say(`flotilla-director: metrics at ${metrics.url}`);
    }
    if (options.once) {
      const report = await running.director.runCycle();
      show(ctx, report, options.json);
      await reporter.report();
      if (cycleFailed(report)) throw new ExitError(1);
      return;
    }
    // Beside the cycles: the scout on its schedule (src/scout/) and the consolidation of learnings
    // in codekb memory (src/learnings/), each at most as often as the config says, across restarts.
    scout = startScoutBeside({ loaded, running, owner: directorId(ctx, options), say });
    const consolidation = createLearningsConsolidation({
      stateDir: loaded.stateDir,
      everyHours: loaded.config.learnings?.consolidateEveryHours,
      env: ctx.env,
      say: (line) => say(`flotilla-director: ${line}`),
    });
    await loop(ctx, running, { reporter, consolidation }, options, (options.every ?? loaded.config.cycle.everySeconds) * 1000);
  } finally {
    await scout?.stop();
    await reporter?.close();
    await metrics?.close();
    await running?.close();
    await lock.release();
  }
}

/**
 * The pipeline pushed to the server after every cycle (and while one waits for its jobs), and the
 * storm pause said once as a notification (src/pipeline/). Failing to report never fails a cycle.
 */
function pipelineReporter(ctx: DirectorCliContext, options: StartOptions, loaded: LoadedConfig, running: RunningDirector): PipelineReporter {
  return createPipelineReporter({
    client: createPipelineClient(running.server.transport),
    ledger: running.ledger,
    flowsPath: join(loaded.stateDir, 'flows.db'),
    id: directorId(ctx, options),
    host: hostname(),
    everySeconds: options.every ?? loaded.config.cycle.everySeconds,
    maxAttempts: loaded.config.attempts,
    agent: loaded.config.models.agent,
    log: (line) => void ctx.streams.stderr.write(`flotilla-director: ${line}\n`),
  });
}

function show(ctx: DirectorCliContext, report: CycleReport, json: boolean): void {
  if (json) printJson(ctx.streams.stdout, report);
  else for (const line of [...formatCycle(report), ...(report.notes ?? []).map((note) => `  note: ${note}`)]) printLine(ctx.streams.stdout, line);
}

/** What runs after every cycle of the loop. */
interface AfterCycle {
  reporter: PipelineReporter;
  consolidation: LearningsConsolidation;
}

async function loop(ctx: DirectorCliContext, running: RunningDirector, after: AfterCycle, options: StartOptions, everyMs: number): Promise<void> {
  let stopped = false;
  let wake: (() => void) | null = null;
  const stop = ctx.stopSignal().then((signal) => {
    stopped = true;
    wake?.();
    return signal;
  });
  const trigger = (): void => {
    void running.director.runCycle().then(
      (report) => {
        if (stopped) return;
        show(ctx, report, options.json);
        void after.reporter.report();
        void after.consolidation.maybeConsolidate(Date.now());
      },
      // After a stop the ledger closes under a cycle still waiting for its jobs: that is not news.
      (error: unknown) => void (stopped ? undefined : ctx.streams.stderr.write(`flotilla-director: the cycle failed: ${(error as Error).message}\n`)),
    );
  };
  const unfollow = running.server.isHub ? followBoard(running, trigger) : () => undefined;
  // While a cycle waits for its jobs, the in-flight steps and flows still reach the dashboard.
  const unwatch = after.reporter.follow();
  try {
    while (!stopped) {
      // Cycles coalesce: a trigger while one runs makes one follow-up, never two at once.
      trigger();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, everyMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    // Jobs keep running on their hosts; a restarted director adopts them (same idempotency keys).
    ctx.streams.stderr.write(`flotilla-director: stopping (${await stop}); dispatched jobs keep running and are adopted on restart\n`);
  } finally {
    unwatch();
    unfollow();
  }
}

/** On the hub, a board task that becomes todo starts a cycle at once. */
function followBoard(running: RunningDirector, trigger: () => void): () => void {
  const controller = new AbortController();
  void (async () => {
    while (!controller.signal.aborted) {
      try {
        for await (const event of running.server.client.events({ signal: controller.signal })) {
          if (event.type === 'task.changed' && event.task.status === 'todo') trigger();
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        debug('following the board: %s', (error as Error).message);
      }
      await new Promise((resolve) => setTimeout(resolve, 5_000).unref());
    }
  })();
  return () => controller.abort();
}
