import { z } from 'zod';

/** The attempt's 0600 spec file: everything the runner needs, so it never depends on tmux's environment. */
export const RunnerSpecSchema = z.object({
  jobId: z.string(),
  attempt: z.number().int().positive(),
  agent: z.string(),
  /** A custom agent's definition from the config (built-ins need none). */
  agentDefinition: z.unknown().optional(),
  argv: z.array(z.string()).min(1),
  cwd: z.string(),
  env: z.record(z.string(), z.string()),
  stdin: z.union([z.object({ kind: z.literal('null') }), z.object({ kind: z.literal('text'), text: z.string() })]),
  idleTimeoutMs: z.number().int().positive().nullable(),
  wallTimeoutMs: z.number().int().positive().nullable(),
  budgetUsd: z.number().positive().nullable(),
  /** Prices for turning tokens into cost when the agent reports none (per million tokens). */
  price: z
    .object({ inputPerMTok: z.number(), outputPerMTok: z.number(), cacheReadPerMTok: z.number(), cacheWritePerMTok: z.number() })
    .nullable(),
});
export type RunnerSpec = z.infer<typeof RunnerSpecSchema>;

export const StartedRecordSchema = z.object({ runnerPid: z.number().int().positive(), agentPid: z.number().int().positive().nullable(), startedAt: z.string() });
export type StartedRecord = z.infer<typeof StartedRecordSchema>;

export const ExitRecordSchema = z.object({
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  durationMs: z.number().int(),
  stoppedBy: z.enum(['idle_timeout', 'wall_timeout', 'budget', 'cancel', 'hangup']).nullable(),
  spawnError: z.string().nullable(),
  endedAt: z.string(),
});

export const ATTEMPT_FILES = {
  spec: 'spec.json',
  started: 'started.json',
  events: 'events.jsonl',
  stderr: 'stderr.log',
  exit: 'exit.json',
  runnerError: 'runner-error.log',
  /** Written by the daemon before it signals the runner: the stop is a user's cancel. */
  cancel: 'cancel-requested',
} as const;
