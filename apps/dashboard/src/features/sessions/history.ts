import type { SessionLogEntry } from '@flotilla/protocol';

/** Most lines kept on the page; the whole log stays in `cb session log NAME`. */
export const MAX_HISTORY = 1000;

function keyOf(entry: SessionLogEntry): string {
  return `${entry.at}\u0000${entry.kind}\u0000${entry.message}`;
}

/**
 * The state history shown: the fetched log and the live `session.log` events, newest first, each
 * line once (an event that arrives while the log is being fetched is in both).
 * Returns `current` itself when nothing is new, so React skips the render.
 */
export function mergeHistory(current: readonly SessionLogEntry[], incoming: readonly SessionLogEntry[], max = MAX_HISTORY): readonly SessionLogEntry[] {
  const seen = new Set(current.map(keyOf));
  const fresh = incoming.filter((entry) => {
    const key = keyOf(entry);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (fresh.length === 0) return current;
  // Stable sort: lines with the same time keep their arrival order, newest arrival first.
  return [...fresh.reverse(), ...current].sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, max);
}

export interface DescribedEntry {
  /** `working → waiting for input`, or the message itself for lines that are not state changes. */
  text: string;
  /** Where a state change came from (`hook`, `screen`, `watchdog` …), when the line says. */
  source: string | null;
  /** What it waits for or why, after the change. */
  detail: string | null;
}

const STATE_LINE = /^([a-z_]+) → ([a-z_]+) \(([a-z-]+)\)(?:: | — )?(.*)$/s;

/** Splits a state line (`working → waiting_permission (hook): Bash: rm -rf build`) into its parts. */
export function describeEntry(entry: SessionLogEntry): DescribedEntry {
  const match = entry.kind === 'state' ? STATE_LINE.exec(entry.message) : null;
  if (!match) return { text: entry.message, source: null, detail: null };
  const [, from, to, source, detail] = match;
  return { text: `${words(from!)} → ${words(to!)}`, source: source ?? null, detail: detail || null };
}

function words(state: string): string {
  return state.replace(/_/g, ' ');
}
