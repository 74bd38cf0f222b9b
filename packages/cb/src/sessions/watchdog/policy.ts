/** What the session watchdog does and when; from the `watchdog` section of config.json, shortened by tests. */
export interface WatchdogPolicy {
  /** Restart an agent that crashed (non-zero exit, signal, pane gone), resuming its conversation. */
  restart: boolean;
  /** Restart after a clean exit (status 0, e.g. `/exit`) too. */
  restartOnCleanExit: boolean;
  /** Restarts allowed within ten minutes before a crash loop is left exited. */
  maxRestarts: number;
  /** A session waiting for permission or input longer than this is announced once (0: never). */
  stuckAfterMs: number;
  /** A session waiting for input whose context is at least this full gets `/compact` (0: never). */
  compactAtPercent: number;
  /** Overrides the model's context window (tokens). */
  contextWindow?: number;
  /** After a rate limit with no reset time, wait this long before resuming (doubled per repeat, at most an hour). */
  rateLimitWaitMs: number;
  /** After the agent said it ended (SessionEnd), how long its process may take to exit before it is killed. */
  exitGraceMs: number;
  /** How often the watchdog looks at every session. */
  tickMs: number;
  /** How often a session's context usage is read (a transcript tail). */
  contextCheckMs: number;
  /** How often the process table is swept for orphans and zombies. */
  processSweepMs: number;
  /** After a compaction was sent, no other for this long. */
  compactCooldownMs: number;
}

export const DEFAULT_WATCHDOG_POLICY: WatchdogPolicy = {
  restart: true,
  restartOnCleanExit: false,
  maxRestarts: 3,
  stuckAfterMs: 30 * 60_000,
  compactAtPercent: 85,
  rateLimitWaitMs: 5 * 60_000,
  exitGraceMs: 10_000,
  tickMs: 2_000,
  contextCheckMs: 30_000,
  processSweepMs: 30_000,
  compactCooldownMs: 10 * 60_000,
};

/** At most an hour between a rate limit and the next try. */
export const MAX_RATE_LIMIT_WAIT_MS = 3600_000;
