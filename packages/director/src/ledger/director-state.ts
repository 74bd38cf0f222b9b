import { z } from 'zod';
import type { Ledger } from './ledger.js';

/**
 * The director's small shared facts, kept in the ledger's `director_state` table so that a restarted
 * director (or another one on the same ledger) knows them: the storm pause and the last cycle's
 * summary. Each is one JSON value under a fixed key, validated when read (a value written by a
 * newer director that this one cannot read counts as absent).
 */

const PAUSE_KEY = 'pause';
const LAST_CYCLE_KEY = 'last_cycle';

/** The storm pause and the backoff the next storm without a reset time would use. */
export const PauseStateSchema = z.object({
  /** The pause in force (epoch ms), or null. */
  pause: z.object({ until: z.number(), reason: z.string(), startedAt: z.number() }).nullable(),
  backoffMs: z.number().positive(),
});
export type PauseState = z.infer<typeof PauseStateSchema>;

export const HostReadinessSchema = z.object({
  host: z.string(),
  ok: z.boolean(),
  /** Why not (or what was checked), in words. */
  detail: z.string(),
});

/** What `status` needs from the last cycle: what was listed where, what was skipped, and the pre-flight. */
export const LastCycleSchema = z.object({
  startedAt: z.string(),
  endedAt: z.string(),
  by: z.string(),
  /** Routed tickets per repo, as listed by the sources in that cycle. */
  routed: z.record(z.string(), z.array(z.object({ key: z.string(), title: z.string() }))),
  skipped: z.array(z.object({ ticket: z.string(), title: z.string(), reason: z.string() })),
  sourceErrors: z.array(z.object({ source: z.string(), code: z.string(), message: z.string() })),
  preflight: z.array(HostReadinessSchema).nullable(),
});
export type LastCycle = z.infer<typeof LastCycleSchema>;

export async function loadPauseState(ledger: Ledger): Promise<PauseState | null> {
  const parsed = PauseStateSchema.safeParse(await ledger.getState(PAUSE_KEY));
  return parsed.success ? parsed.data : null;
}

export async function savePauseState(ledger: Ledger, state: PauseState): Promise<void> {
  await ledger.setState(PAUSE_KEY, state);
}

export async function loadLastCycle(ledger: Ledger): Promise<LastCycle | null> {
  const parsed = LastCycleSchema.safeParse(await ledger.getState(LAST_CYCLE_KEY));
  return parsed.success ? parsed.data : null;
}

export async function saveLastCycle(ledger: Ledger, cycle: LastCycle): Promise<void> {
  await ledger.setState(LAST_CYCLE_KEY, cycle);
}
