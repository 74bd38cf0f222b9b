/**
 * The tracker of a watcher session: follows the pane's output in `<session dir>/pane.log`
 * (written by tmux `pipe-pane`, see ../output/pane-log.ts; pushed by `fs.watch`, not polled),
 * matches each line against the alert patterns (./matcher.ts) and hands each alert to
 * `onAlert`. Its state is `working` while the command runs; the manager's liveness check marks it
 * `exited` with the exit status.
 *
 * Across a daemon restart it resumes where it left off: the offset it has matched up to is kept
 * in `<session dir>/watcher.json` (replaced atomically after each alert, at most every second
 * otherwise, and when it stops), so output written while the daemon was down is matched once it
 * is back, and output already alerted on is not alerted again.
 */
import { closeSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import createDebug from 'debug';
import { tailFile, type FileFollower } from '@flotilla/kit/fs';
import type { PromptReceipt, SessionAlert, StartTracker, StateChange, StateTracker, TrackerOptions } from '../contract.js';
import { SESSION_FILES } from '../launch.js';
import { AlertMatcher, type AlertRules, type WatchCheckpoint } from './matcher.js';

const debug = createDebug('cb:watcher');

/** In the session's directory: where matching resumes after a restart. */
export const WATCHER_CHECKPOINT_FILE = 'watcher.json';
/** The checkpoint is written at most this often when no alert was raised. */
const CHECKPOINT_EVERY_MS = 1_000;
/** What a stopping watcher reads past the last line it was handed (the rest of the file, bounded). */
const DRAIN_MAX_BYTES = 4 * 1024 * 1024;
/** How often the screen is read while waiting for sent text to show. */
const SCREEN_POLL_MS = 100;
const NEWLINE = 0x0a;

export interface WatcherTrackerOptions extends TrackerOptions {
  /** Overrides of the grouping rules (tests). */
  rules?: Partial<AlertRules>;
}

export function readCheckpoint(dir: string): WatchCheckpoint {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, WATCHER_CHECKPOINT_FILE), 'utf8')) as Partial<WatchCheckpoint>;
    const readFrom = Number(parsed.readFrom);
    const matchFrom = Number(parsed.matchFrom);
    if (Number.isSafeInteger(readFrom) && Number.isSafeInteger(matchFrom) && readFrom >= 0 && matchFrom >= readFrom) return { readFrom, matchFrom };
  } catch {
    // none yet
  }
  return { readFrom: 0, matchFrom: 0 };
}

/** Replaces the checkpoint (temp file and rename: a reader sees the old one or the new one). */
function writeCheckpoint(dir: string, checkpoint: WatchCheckpoint): void {
  const path = join(dir, WATCHER_CHECKPOINT_FILE);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

/** Bytes [from, min(size, from + max)) of a file, or an empty buffer. */
function readRange(path: string, from: number, max: number): Buffer {
  const size = fileSize(path);
  if (size <= from) return Buffer.alloc(0);
  const length = Math.min(size - from, max);
  const buffer = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    const read = readSync(fd, buffer, 0, length, from);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

class WatcherTracker {
  private readonly matcher: AlertMatcher;
  private readonly paneLog: string;
  private follower: FileFollower | undefined;
  private timer: NodeJS.Timeout | undefined;
  private state: StateChange;
  private saved: string;
  private savedAt = 0;
  private stopped = false;

  constructor(private readonly options: WatcherTrackerOptions) {
    const checkpoint = readCheckpoint(options.dir);
    this.saved = JSON.stringify(checkpoint);
    this.paneLog = join(options.dir, SESSION_FILES.paneLog);
    this.matcher = new AlertMatcher(options.alerts ?? [], checkpoint, options.rules);
    this.state = options.initial ?? { state: 'working', source: 'process', at: new Date().toISOString(), waitingFor: null };
  }

  start(): void {
    if (!this.options.initial || this.options.initial.state !== 'working') {
      const initial = this.options.initial;
      if (initial) this.state = { state: 'working', source: 'process', at: new Date().toISOString(), waitingFor: null };
      setImmediate(() => !this.stopped && this.options.onChange(this.state));
    }
    if ((this.options.alerts ?? []).length === 0) return; // nothing to match: the output is not followed
    this.follower = tailFile(this.paneLog, {
      fromOffset: this.matcher.offset(),
      onLines: (lines, endOffset) => this.onLines(lines, endOffset),
      onError: (error) => debug('following %s: %O', this.paneLog, error),
    });
  }

  current(): StateChange {
    return this.state;
  }

  /**
   * A batch from the follower. It starts where the follower's committed offset is (it moves only
   * after this returns; 0 when the file started over); each line's range is counted from there.
   */
  private onLines(lines: string[], endOffset: number): void {
    if (this.stopped) return;
    const batchStart = this.follower?.offset() ?? this.matcher.offset();
    if (batchStart < this.matcher.offset()) this.readRotated();
    const now = Date.now();
    let start = batchStart;
    lines.forEach((line, i) => {
      const end = i === lines.length - 1 ? endOffset : Math.min(endOffset, start + Buffer.byteLength(line) + 1);
      this.matcher.feed(line, start, end, now);
      start = end;
    });
    this.raiseDue();
    if (Date.now() - this.savedAt >= CHECKPOINT_EVERY_MS) this.save();
  }

  /**
   * pane.log started over: the pipe rotated it (copied to `pane.log.1`, then truncated). What was
   * not read yet is at the end of the rotated copy: match it before the new file.
   */
  private readRotated(): void {
    const from = this.matcher.offset();
    const rest = readRange(`${this.paneLog}.1`, from, DRAIN_MAX_BYTES);
    debug('%s started over; %d bytes left in the rotated copy', this.paneLog, rest.length);
    this.feedBuffer(rest, from, true);
  }

  /** Feeds raw bytes that start at a line start; the last piece without a newline too when `final`. */
  private feedBuffer(bytes: Buffer, from: number, final: boolean): void {
    const now = Date.now();
    let lineStart = 0;
    for (;;) {
      const newline = bytes.indexOf(NEWLINE, lineStart);
      if (newline < 0) break;
      this.matcher.feed(bytes.subarray(lineStart, newline).toString('utf8'), from + lineStart, from + newline + 1, now);
      lineStart = newline + 1;
    }
    if (final && lineStart < bytes.length) this.matcher.feed(bytes.subarray(lineStart).toString('utf8'), from + lineStart, from + bytes.length, now);
  }

  private raiseDue(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    for (let alert = this.matcher.due(Date.now()); alert; alert = this.matcher.due(Date.now())) {
      this.raise(alert);
      this.save();
    }
    const next = this.matcher.nextDue();
    if (next !== null) {
      this.timer = setTimeout(() => this.raiseDue(), Math.max(0, next - Date.now()));
      this.timer.unref();
    }
  }

  private raise(alert: SessionAlert): void {
    debug('%s: %s', this.options.tmuxSession, alert.line);
    try {
      this.options.onAlert?.(alert);
    } catch (error) {
      debug('onAlert failed: %O', error);
    }
  }

  private save(): void {
    this.savedAt = Date.now();
    const checkpoint = JSON.stringify(this.matcher.checkpoint());
    if (checkpoint === this.saved) return;
    try {
      writeCheckpoint(this.options.dir, this.matcher.checkpoint());
      this.saved = checkpoint;
    } catch (error) {
      debug('could not write the checkpoint of %s: %O', this.options.tmuxSession, error);
    }
  }

  /**
   * The checkpoint is written first (where matching must resume if the daemon is going down: the
   * manager then drops the alerts raised below), then the rest of the file, the last unfinished
   * line included, is matched and every open alert raised — the command may have just ended.
   */
  stop(): void {
    if (this.stopped) return;
    if (!this.follower) {
      this.stopped = true;
      return;
    }
    this.save();
    this.stopped = true;
    clearTimeout(this.timer);
    void this.follower?.close();
    try {
      const from = this.matcher.offset();
      this.feedBuffer(readRange(this.paneLog, from, DRAIN_MAX_BYTES), from, true);
    } catch (error) {
      debug('reading the rest of %s: %O', this.paneLog, error);
    }
    const alert = this.matcher.flush(Date.now());
    if (alert) this.raise(alert);
  }

  /** Whether the last line of `text` is on the screen (a shell or a prompt echoes what is typed). */
  async onScreen(text: string): Promise<boolean> {
    const needle = text.trim().split('\n').pop()?.trim() ?? '';
    if (!needle) return false;
    const screen = await this.options.tmux.capturePane(this.options.tmuxSession, { lines: 200 }).catch(() => '');
    return screen.split('\n').some((line) => line.includes(needle));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts watching a watcher session's output; `onChange` gets `working` at once, `onAlert` each
 * alert. A prompt receipt can only come from the screen (a plain command has no hooks).
 *
 * @example
 * const tracker = startWatcherTracker({ ...options, kind: 'watcher', alerts: ['FAIL|Error'], onAlert: (a) => notify(a) });
 * tracker.stop(); // matches what is left in pane.log and raises the open alert
 */
export const startWatcherTracker: StartTracker = (options) => {
  const tracker = new WatcherTracker(options);
  tracker.start();
  const api: StateTracker = {
    current: () => tracker.current(),
    async waitForPrompt(text, _sinceMs, timeoutMs): Promise<PromptReceipt | null> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (await tracker.onScreen(text)) return { confirmedBy: 'screen', at: new Date().toISOString() };
        if (Date.now() >= deadline) return null;
        await sleep(Math.min(SCREEN_POLL_MS, Math.max(0, deadline - Date.now())));
      }
    },
    promptSeen: (text) => tracker.onScreen(text),
    stop: () => tracker.stop(),
  };
  return api;
};

/** The same, with grouping rules of its own (tests). */
export function startWatcherTrackerWith(rules: Partial<AlertRules>): StartTracker {
  return (options) => startWatcherTracker({ ...options, rules } as WatcherTrackerOptions);
}
