/**
 * Pushes the director's pipeline to its server (`PUT /api/pipeline/:id` on the hub) after every
 * cycle, and in between (`follow`, while a long cycle waits for its jobs) whenever the ledger or a
 * flow moved, and at least once per cycle interval so that the hub does not call it stale; then
 * raises the pause alert (pause-alert.ts). Reporting is never the cycle's problem: a failure is
 * logged once (and once more when it works again) and retried at the next report.
 */
import { existsSync } from 'node:fs';
import { isProtocolError, type DirectorReport, type NotificationRequest, type PipelineClient } from '@flotilla/protocol';
import { openFlowLedger, type FlowLedger } from '../flow/flow-ledger.js';
import type { Ledger } from '../ledger/ledger.js';
import { announcePause } from './pause-alert.js';
import { buildDirectorReport } from './pipeline-report.js';

/** How often `follow` looks for a change while cycles run. */
export const FOLLOW_EVERY_MS = 10_000;

export interface PipelineReporterOptions {
  client: PipelineClient;
  ledger: Ledger;
  /** `<stateDir>/flows.db`: read when it exists (a repo with `flow:`, or `flow run`). */
  flowsPath: string;
  id: string;
  host: string;
  everySeconds: number;
  maxAttempts: number;
  /** `models.agent`, named in the pause alert. */
  agent: string;
  /** One line for the director's output: a problem (once), or that it is solved. */
  log(line: string): void;
  now?: () => number;
  /** The pause alert's time format (tests pin it). */
  formatTime?: (epochMs: number) => string;
}

export interface ReportOutcome {
  /** The hub stored the report. */
  pushed: boolean;
  /** The pause alert sent with this report, if one was due. */
  notification: NotificationRequest | null;
}

export interface PipelineReporter {
  /** Builds and pushes the report, then says what is due about the pause; never throws. */
  report(): Promise<ReportOutcome>;
  /** Looks every `everyMs` and pushes when something changed or a cycle interval passed; returns the stop. */
  follow(everyMs?: number): () => void;
  close(): Promise<void>;
}

/**
 * @example
 * const reporter = createPipelineReporter({ client: createPipelineClient(server.transport), ledger, flowsPath, id, host: hostname(), everySeconds: 120, maxAttempts: 3, agent: 'claude', log });
 * const report = await director.runCycle();
 * await reporter.report();
 */
export function createPipelineReporter(options: PipelineReporterOptions): PipelineReporter {
  const now = options.now ?? Date.now;
  let flows: FlowLedger | null = null;
  /** The last report sent (stored or not): follow-ups send again only when it changed or a cycle interval passed. */
  let lastTried: { content: string; at: number } | null = null;
  const problems = new Map<'pipeline' | 'alert', string>();
  let queue: Promise<unknown> = Promise.resolve();

  const say = (topic: 'pipeline' | 'alert', problem: string | null): void => {
    const before = problems.get(topic);
    if (problem === null) {
      if (before !== undefined) options.log(`${topic === 'pipeline' ? 'reporting the pipeline' : 'the pause alert'} works again`);
      problems.delete(topic);
    } else if (before !== problem) {
      options.log(problem);
      problems.set(topic, problem);
    }
  };

  const flowLedger = (): FlowLedger | null => {
    if (flows === null && existsSync(options.flowsPath)) flows = openFlowLedger(options.flowsPath);
    return flows;
  };

  const build = (): Promise<DirectorReport> =>
    buildDirectorReport({ ledger: options.ledger, flows: flowLedger(), id: options.id, host: options.host, everySeconds: options.everySeconds, maxAttempts: options.maxAttempts, now: now() });

  async function push(report: DirectorReport): Promise<boolean> {
    lastTried = { content: contentOf(report), at: Date.parse(report.updatedAt) };
    try {
      await options.client.report(report);
      say('pipeline', null);
      return true;
    } catch (error) {
      say('pipeline', `the pipeline was not reported: ${describe(error)}`);
      return false;
    }
  }

  async function alert(): Promise<NotificationRequest | null> {
    try {
      const sent = await announcePause({ ledger: options.ledger, directorId: options.id, agent: options.agent, notify: (n) => options.client.notify(n), formatTime: options.formatTime }, now());
      say('alert', null);
      return sent;
    } catch (error) {
      say('alert', `the pause alert was not sent (tried again at the next report): ${describe(error)}`);
      return null;
    }
  }

  /** Reports run one at a time, in order: a later report never reaches the hub before an earlier one. */
  const serial = <T>(run: () => Promise<T>): Promise<T> => {
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  };

  const report = (): Promise<ReportOutcome> =>
    serial(async () => {
      let pushed = false;
      try {
        pushed = await push(await build());
      } catch (error) {
        say('pipeline', `the pipeline report could not be built: ${describe(error)}`);
      }
      return { pushed, notification: await alert() };
    });

  const reportIfChanged = (): Promise<unknown> =>
    serial(async () => {
      const built = await build();
      const due = lastTried === null || lastTried.content !== contentOf(built) || now() - lastTried.at >= options.everySeconds * 1000;
      if (due) await push(built);
    }).catch((error: unknown) => say('pipeline', `the pipeline report could not be built: ${describe(error)}`));

  return {
    report,
    follow(everyMs = FOLLOW_EVERY_MS) {
      const timer = setInterval(() => void reportIfChanged(), everyMs);
      timer.unref();
      return () => clearInterval(timer);
    },
    async close() {
      await queue;
      await flows?.close();
      flows = null;
    },
  };
}

/** The report without its date: two reports with the same content need not both be pushed. */
function contentOf(report: DirectorReport): string {
  return JSON.stringify({ ...report, updatedAt: null });
}

function describe(error: unknown): string {
  if (isProtocolError(error)) {
    if (error.code === 'NOT_FOUND') return `the server has no such route (${error.message}): a lone cb daemon or an older hub; \`flotilla-director status\` still shows it`;
    return error.fix ? `${error.message} — ${error.fix}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
