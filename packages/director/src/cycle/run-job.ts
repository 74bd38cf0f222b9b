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
}

/** A job's outcome; a failure carries its classified kind (from the agent's own output). */
export const RunJobResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), summary: z.string().optional(), jobId: z.string().optional() }),
  z.object({
    ok: z.literal(false),
    failure: z.object({ kind: FailureKindSchema, message: z.string(), resetsAt: z.string().nullable().optional() }),
    jobId: z.string().optional(),
  }),
]);
export type RunJobResult = z.infer<typeof RunJobResultSchema>;

/**
 * Runs one attempt and resolves when it ended. The next slice plugs in the hub's dispatch
 * (`POST /api/jobs?host=…` with the idempotency key, then waiting for the job); tests pass a
 * function that edits the worktree.
 */
export type RunJob = (request: RunJobRequest) => Promise<RunJobResult>;
