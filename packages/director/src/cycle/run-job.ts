import { FailureKindSchema } from '@flotilla/protocol';
import { z } from 'zod';
import type { Ticket } from '../tickets/ticket.js';

/** What the director asks a job runner to do: one attempt of one batch, in its worktree. */
export interface RunJobRequest {
  batchId: string;
  /** The attempt's number within the batch (1, 2, …), infrastructure failures included. */
  attempt: number;
  /** `<batchId>:<attempt>`: the same attempt is never dispatched twice under one key. */
  idempotencyKey: string;
  repo: string;
  /** Preferred hosts, in order, from the repo's config. */
  hosts: string[];
  worktreePath: string;
  branch: string;
  tickets: Ticket[];
  prompt: string;
  agent: string;
  /** Always set: a job without a model flag runs on the most expensive model. */
  model: string;
  /** The host the cycle placed the batch on (absent: the runner's own choice of this machine's host). */
  host?: string;
  /**
   * Set when the job runs on another host than this machine's: it is created there in a cb worktree
   * of the host's checkout at `repoPath`, from `origin/<base>` (or the branch on origin), and
   * publishes its work on `origin` as `branch` with `message` (cb's `publish`); `worktreePath` is
   * then unused.
   */
  publish?: { repoPath: string; base: string; message: string };
}

/** A job's outcome; a failure carries its classified kind (from the agent's own output). */
export const RunJobResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), summary: z.string().optional(), jobId: z.string().optional(), host: z.string().optional() }),
  z.object({
    ok: z.literal(false),
    failure: z.object({ kind: FailureKindSchema, message: z.string(), resetsAt: z.string().nullable().optional() }),
    jobId: z.string().optional(),
    host: z.string().optional(),
  }),
]);
export type RunJobResult = z.infer<typeof RunJobResultSchema>;

/** What a fleet's runner knows beyond running jobs: where a resumed attempt's job already runs, and which host is this machine's. */
export interface JobLocator {
  /** The job the fleet already holds for this attempt, wherever it runs (null: none yet). */
  attemptJob(batchId: string, idempotencyKey: string): Promise<{ host: string; published: boolean } | null>;
  /** Whether a job on `host` runs in this machine's worktrees. */
  isLocalHost(host: string): boolean;
}

/**
 * Runs one attempt and resolves when it ended: the hub's or a daemon's dispatch (`src/hub/dispatch.ts`,
 * which also carries a `locator`); tests pass a function that edits the worktree. A runner without a
 * locator runs every job in this machine's worktrees.
 */
export interface RunJob {
  (request: RunJobRequest): Promise<RunJobResult>;
  locator?: JobLocator;
}
