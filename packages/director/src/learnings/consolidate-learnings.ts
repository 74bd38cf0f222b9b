/**
 * The director's periodic consolidation of learnings (issue 8 item 6): codekb's
 * `memory consolidate --json` merges near-duplicate learnings and settles contradicting ones in its
 * memory (every repo's), so recall stays useful as the director keeps recording. codekb is reached
 * through its CLI, like recall and remember (`codekb-learnings.ts`); a missing or failing codekb is
 * a problem in words, never a thrown error.
 */
import { z } from 'zod';
import { CODEKB_PACKAGE, findCodekbBin, runCodekb, type CodekbCommand } from './codekb-learnings.js';

/** What the director keeps of `codekb memory consolidate --json` (extra fields ignored). */
export const ConsolidationAnswerSchema = z.object({
  dryRun: z.boolean(),
  examined: z.number().int().nonnegative(),
  merged: z.array(z.object({ replaced: z.array(z.object({ id: z.string() })) })),
  superseded: z.array(z.unknown()),
  contested: z.array(z.unknown()),
  changed: z.number().int().nonnegative(),
});

/** How one consolidation went, in counts. */
export const ConsolidationSummarySchema = z.object({
  /** Current learnings examined. */
  examined: z.number().int().nonnegative(),
  /** Groups of near-duplicates merged, and the learnings they replaced. */
  mergedGroups: z.number().int().nonnegative(),
  replaced: z.number().int().nonnegative(),
  /** Older learnings overruled by newer contradicting ones. */
  superseded: z.number().int().nonnegative(),
  /** Contradicting pairs left flagged: neither could be preferred. */
  contested: z.number().int().nonnegative(),
  /** Rows codekb wrote (0: nothing to do). */
  changed: z.number().int().nonnegative(),
});
export type ConsolidationSummary = z.infer<typeof ConsolidationSummarySchema>;

export const CODEKB_MISSING_NO_CONSOLIDATION = `codekb was not found (FLOTILLA_CODEKB_BIN, ${CODEKB_PACKAGE} beside the director, or on PATH): learnings not consolidated`;

export type ConsolidationOutcome = { ok: true; summary: ConsolidationSummary } | { ok: false; problem: string };

export interface ConsolidateLearningsOptions {
  /** The environment codekb runs with (its memory is `$FLOTILLA_HOME/codekb/memory.db`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Default: `findCodekbBin(env)`. */
  bin?: CodekbCommand | null;
  /** The whole run (default 5 minutes: 10,000 learnings take seconds). */
  timeoutMs?: number;
}

/**
 * Runs `codekb memory consolidate --json` once. Never throws.
 *
 * @example
 * const outcome = await consolidateLearnings({ env: process.env });
 * if (outcome.ok) console.log(`${outcome.summary.replaced} learnings merged`);
 */
export async function consolidateLearnings(options: ConsolidateLearningsOptions): Promise<ConsolidationOutcome> {
  const bin = options.bin === undefined ? findCodekbBin(options.env) : options.bin;
  if (bin === null) return { ok: false, problem: CODEKB_MISSING_NO_CONSOLIDATION };
  try {
    const parsed = ConsolidationAnswerSchema.safeParse(await runCodekb(bin, ['memory', 'consolidate', '--json'], { env: options.env, timeoutMs: options.timeoutMs ?? 300_000 }));
    if (!parsed.success) return { ok: false, problem: `codekb memory consolidate answered an unexpected shape: ${parsed.error.message}` };
    const answer = parsed.data;
    return {
      ok: true,
      summary: {
        examined: answer.examined,
        mergedGroups: answer.merged.length,
        replaced: answer.merged.reduce((sum, merge) => sum + merge.replaced.length, 0),
        superseded: answer.superseded.length,
        contested: answer.contested.length,
        changed: answer.changed,
      },
    };
  } catch (error) {
    return { ok: false, problem: `codekb memory consolidate failed: ${(error as Error).message}` };
  }
}

/** One line for a person: what the consolidation did. */
export function describeConsolidation(outcome: ConsolidationOutcome): string {
  if (!outcome.ok) return `learnings: ${outcome.problem}`;
  const { examined, mergedGroups, replaced, superseded, contested } = outcome.summary;
  return `learnings consolidated: ${examined} current, ${replaced} merged into ${mergedGroups}, ${superseded} superseded by newer ones, ${contested} contested pairs`;
}
