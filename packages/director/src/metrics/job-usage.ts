/**
 * Tokens and cost of each attempt's job, kept in the ledger (`director_state`, one row per attempt
 * under `usage:<batch>:<attempt>`) so that `/metrics` counts them after a restart too. A job runner
 * may return them beside its result (`usage`, `cost`: the job's own fields, see `@flotilla/protocol`);
 * otherwise the director asks the server for the ended job by its id (`DirectorOptions.jobUsage`).
 */
import { CostSchema, UsageSchema } from '@flotilla/protocol';
import { z } from 'zod';
import type { Ledger } from '../ledger/ledger.js';

export const JobUsageSchema = z.object({ usage: UsageSchema, cost: CostSchema });
export type JobUsage = z.infer<typeof JobUsageSchema>;

/** One attempt's usage as stored. */
export const UsageRecordSchema = JobUsageSchema.extend({
  repo: z.string(),
  model: z.string(),
  jobId: z.string().nullable(),
});
export type UsageRecord = z.infer<typeof UsageRecordSchema>;

export const USAGE_KEY_PREFIX = 'usage:';

export function usageKey(batchId: string, attempt: number): string {
  return `${USAGE_KEY_PREFIX}${batchId}:${attempt}`;
}

/** Looks up an ended job's usage and cost by its id (null when the server does not know it). */
export type JobUsageLookup = (jobId: string) => Promise<JobUsage | null>;

/** The usage a job runner returned beside its result, when it did (the result schema strips it). */
export function usageOfResult(raw: unknown): JobUsage | null {
  const parsed = JobUsageSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/**
 * Records one attempt's usage: from the runner's answer, else the lookup by job id. Never throws —
 * usage is for metrics, and a batch never fails for want of it. Resolves what was recorded.
 */
export async function recordJobUsage(
  ledger: Ledger,
  attempt: { batchId: string; number: number; repo: string; model: string },
  found: { raw: unknown; jobId: string | null; lookup: JobUsageLookup | null },
): Promise<UsageRecord | null> {
  try {
    let usage = usageOfResult(found.raw);
    if (usage === null && found.jobId !== null && found.lookup !== null) usage = await found.lookup(found.jobId);
    if (usage === null) return null;
    const record: UsageRecord = { ...usage, repo: attempt.repo, model: attempt.model, jobId: found.jobId };
    await ledger.setState(usageKey(attempt.batchId, attempt.number), record);
    return record;
  } catch {
    return null;
  }
}
