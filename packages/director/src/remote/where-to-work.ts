/**
 * Where a batch's attempt works: in this machine's worktree, or on another host publishing its
 * branch on origin (decision 38 as amended). An attempt that was started and never ended (a director
 * killed mid-job) keeps the job it already has, wherever it runs — found by its key in the fleet —
 * so a restart never dispatches a second one elsewhere; otherwise the cycle's placement decides.
 */
import type { Ledger, LedgerBatch } from '../ledger/ledger.js';
import type { RunJob } from '../cycle/run-job.js';

export type WorkPlace =
  /** The director's worktree here; `host` is where the job goes (absent: the runner's choice of this machine's host). */
  | { mode: 'local'; host?: string }
  | { mode: 'remote'; host: string };

export async function whereToWork(input: { ledger: Ledger; runJob: RunJob; batch: LedgerBatch; placedHost: string | undefined }): Promise<WorkPlace> {
  const { locator } = input.runJob;
  const placed = input.placedHost;
  const local: WorkPlace = placed === undefined ? { mode: 'local' } : { mode: 'local', host: placed };
  if (locator === undefined) return local;
  const unended = (await input.ledger.attempts(input.batch.id)).find((attempt) => attempt.outcome === null);
  if (unended !== undefined) {
    const existing = await locator.attemptJob(input.batch.id, `${input.batch.id}:${unended.number}`);
    if (existing !== null) return existing.published ? { mode: 'remote', host: existing.host } : { mode: 'local', host: existing.host };
  }
  if (placed === undefined || locator.isLocalHost(placed)) return local;
  return { mode: 'remote', host: placed };
}
