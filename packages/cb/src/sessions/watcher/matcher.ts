/**
 * The alert matcher of a watcher session: every line of output is matched against every alert
 * pattern; a match becomes an alert carrying the lines around it; a burst of matches becomes one
 * alert naming how many lines matched. Pure (the clock is passed in), so the rules are tested
 * without timers; the tracker feeds it pane.log and runs the timer.
 *
 * The grouping rule (also in the README):
 * - a match opens an alert with the {@link AlertRules.beforeLines} lines before it and the
 *   {@link AlertRules.afterLines} lines after it;
 * - further matches join the open alert (counted, not repeated) until the output has gone
 *   {@link AlertRules.quietMs} without a match; the alert is raised then, at the latest
 *   {@link AlertRules.maxGroupMs} after its first match;
 * - alerts of one session are at least {@link AlertRules.minGapMs} apart: matches in between wait
 *   and join the next alert.
 * So one FAIL gives one alert about a second later; a run printing 300 FAIL lines gives one alert
 * "(+299 more matching lines)"; a stream of errors gives at most one alert every 10 s.
 */
import type { SessionAlert } from '../contract.js';
import { terminalSegments } from './terminal-text.js';

export interface AlertRules {
  /** Lines of context before the first match. */
  beforeLines: number;
  /** Lines of context after the first match. */
  afterLines: number;
  /** An alert is raised once this long has passed without a further match... */
  quietMs: number;
  /** ...but no later than this after its first match. */
  maxGroupMs: number;
  /** Alerts of one session are at least this far apart. */
  minGapMs: number;
  /** A context line longer than this is cut (with `…`). */
  lineChars: number;
  /** Only this much of a (very long) line is matched. */
  matchChars: number;
}

export const DEFAULT_ALERT_RULES: AlertRules = {
  beforeLines: 5,
  afterLines: 5,
  quietMs: 1_000,
  maxGroupMs: 10_000,
  minGapMs: 5_000,
  lineChars: 300,
  matchChars: 16_384,
};

/** Where a restarted watcher resumes in pane.log (byte offsets, each at a line start). */
export interface WatchCheckpoint {
  /** Read from here: the lines of context before `matchFrom` are read again (not matched). */
  readFrom: number;
  /** Match from here: everything before was matched and its alerts raised. */
  matchFrom: number;
}

interface ContextLine {
  text: string;
  transient: boolean;
  /** Byte offset of the pane.log line it came from. */
  start: number;
}

interface OpenAlert {
  pattern: string;
  line: string;
  before: string[];
  after: ContextLine[];
  count: number;
  patterns: Set<string>;
  firstAt: number;
  lastMatchAt: number;
  checkpoint: WatchCheckpoint;
}

interface CompiledPattern {
  source: string;
  regex: RegExp;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Adds a line to a context list; a transient line (progress) is replaced by the one after it. */
function pushContext(list: ContextLine[], line: ContextLine, max: number, keepNewest: boolean): void {
  if (list.at(-1)?.transient) list.pop();
  if (!keepNewest && list.length >= max) return;
  list.push(line);
  if (list.length > max) list.shift();
}

export class AlertMatcher {
  private readonly patterns: CompiledPattern[];
  private readonly rules: AlertRules;
  /** The last lines read (context for the next match). */
  private readonly recent: ContextLine[] = [];
  private open: OpenAlert | null = null;
  private lastRaisedAt = Number.NEGATIVE_INFINITY;
  /** Lines starting before this were matched before a restart: context only. */
  private matchFrom: number;
  /** End of the last line fed. */
  private end: number;

  constructor(patterns: readonly string[], checkpoint: WatchCheckpoint, rules: Partial<AlertRules> = {}) {
    this.patterns = patterns.map((source) => ({ source, regex: new RegExp(source) }));
    this.rules = { ...DEFAULT_ALERT_RULES, ...rules };
    this.matchFrom = checkpoint.matchFrom;
    this.end = checkpoint.readFrom;
  }

  /** Byte offset just past the last line fed. */
  offset(): number {
    return this.end;
  }

  /**
   * Feeds one line of pane.log (raw, without its `\n`) that spans bytes [start, end). A line
   * starting before the previous end means the file started over (truncated): matching restarts at 0.
   */
  feed(raw: string, start: number, end: number, now: number): void {
    if (start < this.end) this.matchFrom = 0;
    this.end = end;
    const matching = start >= this.matchFrom;
    for (const segment of terminalSegments(raw)) {
      const line: ContextLine = { text: cut(segment.text, this.rules.lineChars), transient: segment.transient, start };
      const pattern = matching ? this.match(segment.text) : null;
      if (pattern !== null) this.matched(pattern, segment.text, start, now);
      else if (this.open) pushContext(this.open.after, line, this.rules.afterLines, false);
      pushContext(this.recent, line, this.rules.beforeLines, true);
    }
  }

  /** When {@link due} next has an alert (epoch ms), or null when none is open. */
  nextDue(): number | null {
    const open = this.open;
    if (!open) return null;
    const settled = Math.min(open.lastMatchAt + this.rules.quietMs, open.firstAt + this.rules.maxGroupMs);
    return Math.max(settled, this.lastRaisedAt + this.rules.minGapMs);
  }

  /** The alert whose time has come, if any. */
  due(now: number): SessionAlert | null {
    const at = this.nextDue();
    return at !== null && now >= at ? this.raise(now) : null;
  }

  /** The open alert now, whatever the time (the command ended or the watcher stops). */
  flush(now: number): SessionAlert | null {
    return this.open ? this.raise(now) : null;
  }

  /** Where to resume after a restart: an open alert is matched again, everything before it is done. */
  checkpoint(): WatchCheckpoint {
    if (this.open) return this.open.checkpoint;
    return { readFrom: this.recent[0]?.start ?? this.end, matchFrom: this.end };
  }

  private match(text: string): string | null {
    const subject = text.length > this.rules.matchChars ? text.slice(0, this.rules.matchChars) : text;
    for (const { source, regex } of this.patterns) if (regex.test(subject)) return source;
    return null;
  }

  private matched(pattern: string, text: string, start: number, now: number): void {
    const open = this.open;
    if (open) {
      open.count += 1;
      open.patterns.add(pattern);
      open.lastMatchAt = now;
      pushContext(open.after, { text: cut(text, this.rules.lineChars), transient: false, start }, this.rules.afterLines, false);
      return;
    }
    const before = [...this.recent];
    if (before.at(-1)?.transient) before.pop();
    this.open = {
      pattern,
      line: cut(text, this.rules.lineChars),
      before: before.map((l) => l.text),
      after: [],
      count: 1,
      patterns: new Set([pattern]),
      firstAt: now,
      lastMatchAt: now,
      checkpoint: { readFrom: before[0]?.start ?? start, matchFrom: start },
    };
  }

  private raise(now: number): SessionAlert {
    const open = this.open as OpenAlert;
    this.open = null;
    this.lastRaisedAt = now;
    const context = [...open.before, open.line, ...open.after.map((l) => l.text)];
    let line = open.line;
    if (open.count > 1) {
      const more = open.count - 1;
      const seconds = Math.max(1, Math.round((open.lastMatchAt - open.firstAt) / 1000));
      line = `${open.line} (+${more} more matching line${more === 1 ? '' : 's'})`;
      const which = [...open.patterns].map((p) => `/${p}/`).join(', ');
      context.push(`… ${open.count} lines matched ${which} within ${seconds} s; the first is shown with its context`);
    }
    return { pattern: open.pattern, line, context, at: new Date(open.firstAt).toISOString(), count: open.count };
  }
}
