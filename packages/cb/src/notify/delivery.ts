/** The outcome of announcing one job's end on one channel, as recorded for `cb show` and the dashboard. */
export interface Delivery {
  channel: 'webhook' | 'hook' | 'desktop';
  /** The webhook URL without credentials or query string, the hook command's first word, or `notify-send`. */
  target: string;
  ok: boolean;
  attempts: number;
  /** The last HTTP status for webhooks, the exit code for hooks and notify-send; null when there was none. */
  status: number | null;
  error: string | null;
  /** When the final attempt ended. */
  at: string;
}

/** Everything a channel needs besides its own settings. */
export interface ChannelContext {
  /** Aborted by `dispose()`: in-flight tries and backoff waits stop, hooks are killed. */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
}

export function endDelivery(fields: Omit<Delivery, 'at'>): Delivery {
  return { ...fields, at: new Date().toISOString() };
}

/** The last `max` characters of a process's stderr, on one line, for a delivery's `error`. */
export function stderrTail(stderr: string, max = 200): string {
  const flat = stderr.trim().replace(/\s*\n\s*/g, ' | ');
  return flat.length <= max ? flat : `…${flat.slice(flat.length - max)}`;
}
