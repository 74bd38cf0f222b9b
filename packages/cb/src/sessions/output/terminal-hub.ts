/**
 * Live terminal streams for viewers. One follower per pane log, shared by all its viewers (each
 * chunk is read once and encoded once, whatever the number of viewers); each viewer first gets
 * the pane's current screen, then every byte the pane writes after it. Pushed, never polled: the
 * follower wakes on `fs.watch`; the end of a session or attempt is noticed on the daemon's bus.
 *
 * The pane size is Flotilla's (`window-size manual`): the hub tells viewers the size and never
 * resizes the pane.
 */
import createDebug from 'debug';
import type { PaneGeometry, Tmux } from '@flotilla/kit/tmux';
import type { TerminalErrorCode, TerminalServerMessage } from '@flotilla/protocol';
import { followBytes, type BytesFollower } from './follow-bytes.js';
import { paneLogSize } from './pane-log.js';

const debug = createDebug('cb:terminal');

/** A viewer that has this much unsent output is too slow to follow and is dropped. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** The end is checked on every bus wake-up, at most this often, and at least this often without one. */
const END_CHECK_MIN_MS = 100;
const END_CHECK_MAX_MS = 2_000;

export interface TerminalEnd {
  reason: 'exited' | 'gone';
  state: string | null;
}

/** What a stream shows: one pane and the log its output is piped into. */
export interface TerminalTarget {
  kind: 'session' | 'job';
  id: string;
  name: string;
  tmuxSession: string;
  logPath: string;
  /** Null while it runs; how it ended otherwise. */
  ended(): Promise<TerminalEnd | null>;
}

/** One WebSocket (or any sink of JSON text messages). */
export interface Viewer {
  send(message: string): void;
  close(code: number, reason: string): void;
  /** Bytes queued and not yet sent. */
  bufferedAmount(): number;
}

export interface TerminalConnection {
  /** Writes bytes to the pane's input (only for viewers attached with input). */
  input(bytes: Uint8Array): Promise<void>;
  detach(): void;
}

export interface TerminalHub {
  attach(target: TerminalTarget, viewer: Viewer, options: { readOnly: boolean }): Promise<TerminalConnection>;
  /** Number of panes followed and viewers, for tests and metrics. */
  stats(): { panes: number; viewers: number };
  /** Tells every viewer the daemon is stopping and closes them. */
  close(): Promise<void>;
}

export interface TerminalHubDeps {
  tmux: Tmux;
  bus: { subscribe(listener: () => void): () => void };
}

interface Member {
  viewer: Viewer;
  /** Stream offset from which this viewer wants bytes. */
  from: number;
  /** Messages held back until its screen has been sent. */
  pending: string[] | null;
}

interface Entry {
  target: TerminalTarget;
  follower: BytesFollower;
  /** Bytes delivered by the follower so far (across rotations). */
  offset: number;
  members: Set<Member>;
  unsubscribe: () => void;
  timer: NodeJS.Timeout;
  lastCheck: number;
  checking: boolean;
  ending: boolean;
}

export const message = (m: TerminalServerMessage): string => JSON.stringify(m);
const output = (bytes: Buffer): string => message({ type: 'output', data: bytes.toString('base64') });
export const terminalError = (code: TerminalErrorCode, text: string): string => message({ type: 'error', code, message: text });

/**
 * The first output a viewer gets: reset, clear and home, the screen with its colours, the cursor
 * where the pane has it. A pane showing its alternate screen puts the viewer there too.
 */
export function screenSnapshot(screen: string, geometry: PaneGeometry): Buffer {
  const body = screen.split('\n').join('\r\n');
  const enter = geometry.alternateScreen ? '\x1b[?1049h' : '';
  return Buffer.from(`${enter}\x1b[0m\x1b[H\x1b[2J${body}\x1b[0m\x1b[${geometry.cursorY + 1};${geometry.cursorX + 1}H`, 'utf8');
}

export function createTerminalHub(deps: TerminalHubDeps): TerminalHub {
  const entries = new Map<string, Entry>();

  function deliver(entry: Entry, member: Member, text: string): void {
    if (member.pending) {
      member.pending.push(text);
      return;
    }
    if (member.viewer.bufferedAmount() > MAX_BUFFERED_BYTES) {
      debug('dropping a viewer of %s: %d bytes unsent', entry.target.name, member.viewer.bufferedAmount());
      entry.members.delete(member);
      member.viewer.close(1013, 'viewer too slow to follow the output');
      return;
    }
    member.viewer.send(text);
  }

  function onChunk(entry: Entry, chunk: Buffer): void {
    const start = entry.offset;
    entry.offset += chunk.length;
    let whole: string | undefined;
    for (const member of entry.members) {
      if (member.from >= entry.offset) continue;
      if (member.from <= start) deliver(entry, member, (whole ??= output(chunk)));
      else deliver(entry, member, output(chunk.subarray(member.from - start)));
    }
  }

  function open(target: TerminalTarget): Entry {
    const existing = entries.get(target.logPath);
    if (existing && !existing.ending) return existing;
    const entry: Entry = {
      target,
      offset: 0,
      members: new Set(),
      follower: undefined as unknown as BytesFollower,
      unsubscribe: () => undefined,
      timer: undefined as unknown as NodeJS.Timeout,
      lastCheck: 0,
      checking: false,
      ending: false,
    };
    entry.follower = followBytes(target.logPath, { fromOffset: paneLogSize(target.logPath), onData: (chunk) => onChunk(entry, chunk) });
    entry.unsubscribe = deps.bus.subscribe(() => scheduleCheck(entry));
    entry.timer = setInterval(() => void checkEnd(entry), END_CHECK_MAX_MS);
    entry.timer.unref();
    entries.set(target.logPath, entry);
    debug('following %s for %s %s', target.logPath, target.kind, target.name);
    return entry;
  }

  function scheduleCheck(entry: Entry): void {
    const wait = entry.lastCheck + END_CHECK_MIN_MS - Date.now();
    if (wait <= 0) void checkEnd(entry);
    else setTimeout(() => void checkEnd(entry), wait).unref();
  }

  async function checkEnd(entry: Entry): Promise<void> {
    if (entry.checking || entry.ending) return;
    entry.checking = true;
    entry.lastCheck = Date.now();
    try {
      const end = await entry.target.ended();
      if (end) await finish(entry, end);
    } catch (error) {
      debug('checking the end of %s failed: %O', entry.target.name, error);
    } finally {
      entry.checking = false;
    }
  }

  async function dispose(entry: Entry): Promise<void> {
    entry.ending = true;
    clearInterval(entry.timer);
    entry.unsubscribe();
    if (entries.get(entry.target.logPath) === entry) entries.delete(entry.target.logPath);
    await entry.follower.close();
  }

  /** The last output first, then `exit`, then the close. */
  async function finish(entry: Entry, end: TerminalEnd | { reason: 'closing'; state: null }): Promise<void> {
    if (entry.ending) return;
    entry.ending = true;
    await entry.follower.drain().catch(() => undefined);
    const exit = message({ type: 'exit', reason: end.reason, state: end.state });
    for (const member of entry.members) {
      if (member.pending) member.pending.push(exit);
      else member.viewer.send(exit);
      if (!member.pending) member.viewer.close(1000, end.reason);
    }
    if ([...entry.members].every((m) => !m.pending)) entry.members.clear();
    await dispose(entry);
  }

  return {
    async attach(target, viewer, { readOnly }) {
      const entry = open(target);
      // A member from the start, taking no bytes yet: a viewer that leaves while this one waits
      // (a browser reconnecting to unlock typing closes its old stream now) must not end the
      // follower this one is about to use.
      const member: Member = { viewer, from: Number.POSITIVE_INFINITY, pending: [] };
      entry.members.add(member);
      // Everything in the log up to here is on the screen about to be captured; what comes after
      // is sent after it. (Output tmux takes between these two steps may show twice, never not at all.)
      await entry.follower.drain();
      member.from = entry.offset;
      const connection: TerminalConnection = {
        async input(bytes) {
          if (readOnly) throw new Error('read-only');
          await deps.tmux.sendBytes(target.tmuxSession, bytes);
        },
        detach() {
          entry.members.delete(member);
          if (entry.members.size === 0 && !entry.ending) void dispose(entry);
        },
      };
      const geometry = await deps.tmux.paneGeometry(target.tmuxSession).catch(() => null);
      const screen = geometry ? await deps.tmux.capturePane(target.tmuxSession, { ansi: true }).catch(() => null) : null;
      if (!geometry || screen === null) {
        entry.members.delete(member);
        if (entry.members.size === 0 && !entry.ending) void dispose(entry);
        const end = await target.ended().catch(() => null);
        viewer.send(message({ type: 'exit', reason: end?.reason ?? 'gone', state: end?.state ?? null }));
        viewer.close(1000, 'no pane');
        return { input: () => Promise.reject(new Error('no pane')), detach: () => undefined };
      }
      viewer.send(message({ type: 'hello', target: { kind: target.kind, id: target.id, name: target.name }, cols: geometry.cols, rows: geometry.rows, readOnly, encoding: 'base64' }));
      viewer.send(output(screenSnapshot(screen, geometry)));
      const held = member.pending ?? [];
      member.pending = null;
      for (const text of held) viewer.send(text);
      if (entry.ending && held.some((t) => t.startsWith('{"type":"exit"'))) {
        entry.members.delete(member);
        viewer.close(1000, 'exited');
      }
      return connection;
    },
    stats() {
      let viewers = 0;
      for (const entry of entries.values()) viewers += entry.members.size;
      return { panes: entries.size, viewers };
    },
    async close() {
      await Promise.all([...entries.values()].map((entry) => finish(entry, { reason: 'closing', state: null })));
    },
  };
}
