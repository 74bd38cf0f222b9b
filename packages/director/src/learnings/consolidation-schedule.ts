/**
 * When the director consolidates learnings: at most every `learnings.consolidateEveryHours`
 * (default 24). The last attempt is kept in `<stateDir>/learnings-consolidation.json`, so a
 * restarted director waits out the rest of the interval instead of consolidating at every start.
 * A failed attempt counts too: a missing codekb is said once per interval, not once per cycle.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import createDebug from 'debug';
import { z } from 'zod';
import { consolidateLearnings, ConsolidationSummarySchema, describeConsolidation, type ConsolidationOutcome } from './consolidate-learnings.js';

const debug = createDebug('director:learnings');

export const DEFAULT_CONSOLIDATE_EVERY_HOURS = 24;
const HOUR_MS = 3_600_000;

/** The state file: the last attempt and how it went. */
export const ConsolidationStateSchema = z.object({
  lastAttemptAt: z.iso.datetime(),
  ok: z.boolean(),
  problem: z.string().nullable(),
  summary: ConsolidationSummarySchema.nullable(),
});
export type ConsolidationState = z.infer<typeof ConsolidationStateSchema>;

export type ScheduleResult =
  | { ran: false; reason: 'not_due' | 'running'; nextAt: string | null }
  | { ran: true; outcome: ConsolidationOutcome; nextAt: string };

export interface LearningsConsolidation {
  /** Consolidates when the interval has passed since the last attempt (kept across restarts). Never throws. */
  maybeConsolidate(now: number): Promise<ScheduleResult>;
  /** The last attempt, as the state file has it; null before the first. */
  lastAttempt(): Promise<ConsolidationState | null>;
}

export interface LearningsConsolidationOptions {
  /** The director's state dir (`stateDir` in flotilla.yaml, default `$FLOTILLA_HOME/director`). */
  stateDir: string;
  /** `learnings.consolidateEveryHours` from the config (default 24). */
  everyHours?: number;
  /** The environment codekb runs with; used by the default `consolidate`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Default: `consolidateLearnings({ env })` — codekb's CLI. */
  consolidate?: () => Promise<ConsolidationOutcome>;
  /** Told one line after each attempt (what was merged, or the problem). */
  say?: (line: string) => void;
}

export function consolidationStatePath(stateDir: string): string {
  return join(stateDir, 'learnings-consolidation.json');
}

async function readState(path: string): Promise<ConsolidationState | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    return ConsolidationStateSchema.parse(JSON.parse(text));
  } catch (error) {
    // A torn or hand-edited file: treated as no attempt yet, and rewritten by the next one.
    debug('ignoring %s: %s', path, (error as Error).message);
    return null;
  }
}

/** Written beside, then renamed over: a crash leaves the old file or the new one, never half of one. */
async function writeState(path: string, state: ConsolidationState): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}

/**
 * @example
 * const consolidation = createLearningsConsolidation({ stateDir, everyHours: config.learnings?.consolidateEveryHours, env: process.env, say });
 * await consolidation.maybeConsolidate(Date.now()); // consolidates once a day, whatever the restarts
 */
export function createLearningsConsolidation(options: LearningsConsolidationOptions): LearningsConsolidation {
  const intervalMs = (options.everyHours ?? DEFAULT_CONSOLIDATE_EVERY_HOURS) * HOUR_MS;
  const path = consolidationStatePath(options.stateDir);
  const consolidate = options.consolidate ?? (() => consolidateLearnings({ env: options.env ?? process.env }));
  let running = false;
  const nextAfter = (state: ConsolidationState | null): number | null => (state === null ? null : Date.parse(state.lastAttemptAt) + intervalMs);
  return {
    lastAttempt: () => readState(path),
    async maybeConsolidate(now) {
      if (running) return { ran: false, reason: 'running', nextAt: null };
      running = true;
      try {
        const last = await readState(path);
        const next = nextAfter(last);
        // A last attempt more than an interval in the future means the clock was set back: run.
        const due = next === null || now >= next || next - now > intervalMs;
        if (!due) return { ran: false, reason: 'not_due', nextAt: new Date(next).toISOString() };
        const outcome = await consolidate();
        await writeState(path, { lastAttemptAt: new Date(now).toISOString(), ok: outcome.ok, problem: outcome.ok ? null : outcome.problem, summary: outcome.ok ? outcome.summary : null });
        options.say?.(describeConsolidation(outcome));
        return { ran: true, outcome, nextAt: new Date(now + intervalMs).toISOString() };
      } catch (error) {
        // The state dir could not be read or written: say so, and try again at the next call.
        const problem = `learnings: consolidation state ${path}: ${(error as Error).message}`;
        options.say?.(problem);
        return { ran: true, outcome: { ok: false, problem }, nextAt: new Date(now).toISOString() };
      } finally {
        running = false;
      }
    },
  };
}
