import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { z } from 'zod';

const PriceSchema = z.object({
  inputPerMTok: z.number().nonnegative(),
  outputPerMTok: z.number().nonnegative(),
  cacheReadPerMTok: z.number().nonnegative().default(0),
  cacheWritePerMTok: z.number().nonnegative().default(0),
});
export type Price = z.infer<typeof PriceSchema>;

const WebhookSchema = z.object({
  url: z.string().url(),
  /** Event types to deliver; default: job.ended only. */
  events: z.array(z.string()).default(['job.ended']),
  /** Sent as `x-flotilla-signature: sha256=<hmac of body>` when set. */
  secret: z.string().optional(),
});

/** Each agent CLI process takes hundreds of MB: one slot per 1.5 GB, at most 2 per core. */
export function defaultSlots(): number {
  const byMemory = Math.floor(totalmem() / (1.5 * 1024 ** 3));
  return Math.max(1, Math.min(byMemory, cpus().length * 2));
}

export const ConfigSchema = z.object({
  slots: z.number().int().positive().optional(),
  defaultAgent: z.string().default('claude'),
  /** Default model per agent; Claude defaults to sonnet (the CLI alone would run Opus). */
  models: z.record(z.string(), z.string()).default({ claude: 'sonnet' }),
  /** Models to escalate through as task attempts are used, per agent. */
  modelLadder: z.record(z.string(), z.array(z.string())).default({ claude: ['sonnet', 'sonnet', 'opus'] }),
  /** Custom agents: `{ argv, promptVia, outputFormat, env }`, validated by the agent registry. */
  agents: z.record(z.string(), z.unknown()).default({}),
  maxAttempts: z.number().int().min(1).max(20).default(3),
  maxInfraRetries: z.number().int().min(0).max(100).default(10),
  backoff: z
    .object({ baseMs: z.number().int().positive().default(5_000), maxMs: z.number().int().positive().default(300_000) })
    .default({ baseMs: 5_000, maxMs: 300_000 }),
  timeouts: z
    .object({
      wallMs: z.number().int().positive().default(4 * 3600_000),
      idleMs: z.number().int().positive().default(15 * 60_000),
    })
    .default({ wallMs: 4 * 3600_000, idleMs: 15 * 60_000 }),
  /** Variables every job gets (jobs created by a browser or bot have no invoking shell). */
  env: z.record(z.string(), z.string()).default({}),
  /** Extra variable-name prefixes captured from the invoking shell, beyond ANTHROPIC_, CLAUDE_, OPENAI_, CODEX_. */
  envAllowlist: z.array(z.string()).default([]),
  prices: z.record(z.string(), PriceSchema).default({}),
  webhooks: z.array(WebhookSchema).default([]),
  /** Shell commands run on events: `onJobEnd` (the job as JSON on stdin), `onSessionNotice` (a session needs you, is stuck, alerted, or the watchdog acted). */
  hooks: z.object({ onJobEnd: z.string().optional(), onSessionNotice: z.string().optional() }).default({}),
  notifySend: z.boolean().default(true),
  retention: z
    .object({
      jobsDays: z.number().positive().default(30),
      logsDays: z.number().positive().default(14),
      worktreesDays: z.number().positive().default(7),
    })
    .default({ jobsDays: 30, logsDays: 14, worktreesDays: 7 }),
  /** The session watchdog (see packages/cb/src/sessions/watchdog/policy.ts); every field optional. */
  watchdog: z
    .object({
      restart: z.boolean(),
      restartOnCleanExit: z.boolean(),
      maxRestarts: z.number().int().min(0).max(100),
      stuckAfterMs: z.number().int().min(0),
      compactAtPercent: z.number().min(0).max(100),
      contextWindow: z.number().int().positive(),
      rateLimitWaitMs: z.number().int().positive(),
      exitGraceMs: z.number().int().positive(),
      tickMs: z.number().int().min(100),
      contextCheckMs: z.number().int().min(100),
      processSweepMs: z.number().int().min(100),
      compactCooldownMs: z.number().int().min(0),
    })
    .strict()
    .partial()
    .default({}),
  /** Setup command run once in each new worktree, by repository root (also read from `git config flotilla.setup`). */
  worktreeSetup: z.record(z.string(), z.string()).default({}),
});
export type Config = z.infer<typeof ConfigSchema>;

export type ConfigResult = { ok: true; value: Config } | { ok: false; issues: string[] };

export function parseConfig(raw: unknown): ConfigResult {
  const parsed = ConfigSchema.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
}

/** Reads `config.json`; a missing file is the default config, a broken one is reported, never guessed at. */
export function loadConfig(path: string): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return parseConfig({});
    return { ok: false, issues: [`${path}: ${(error as Error).message}`] };
  }
  try {
    return parseConfig(JSON.parse(text));
  } catch (error) {
    return { ok: false, issues: [`${path}: not valid JSON (${(error as Error).message})`] };
  }
}
