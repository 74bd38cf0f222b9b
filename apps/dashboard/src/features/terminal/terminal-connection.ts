import type { TerminalHello } from '@flotilla/protocol';
import { createBackoff, type Backoff } from './backoff';
import { decodeBase64, parseServerFrame, terminalUrl } from './frames';
import { classifyRefusal, type ProbeResult } from './refusal';

/** What the terminal's status line says. */
export type TerminalStatus =
  | { kind: 'connecting' }
  | { kind: 'live'; readOnly: boolean; cols: number; rows: number }
  | { kind: 'reconnecting'; inMs: number; attempt: number; reason: string }
  | { kind: 'ended'; reason: string }
  | { kind: 'unavailable'; reason: string };

export interface TerminalEvents {
  status(status: TerminalStatus): void;
  /** A (re)connected stream: reset the screen to this size before its first output. */
  hello(hello: TerminalHello): void;
  output(bytes: Uint8Array): void;
  /** The server refused a message (`error` frame): shown, never fatal. */
  notice(message: string): void;
  /** Typing was refused (wrong token): the stream went back to read-only. */
  inputRefused(message: string): void;
}

/** The subset of the browser's WebSocket used here, so tests can pass their own. */
export interface SocketLike {
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface TerminalConnectionOptions {
  name: string;
  events: TerminalEvents;
  origin?: { protocol: string; host: string };
  openSocket?: (url: string) => SocketLike;
  /** GETs the stream's URL without upgrading, to learn why it was refused. */
  probe?: (url: string) => Promise<ProbeResult>;
  backoff?: Backoff;
}

const OPEN = 1;

/** A plain GET of the stream URL: the daemon answers with the JSON error it refused the upgrade for. */
export async function probeStream(url: string): Promise<ProbeResult> {
  try {
    const res = await fetch(url.replace(/^ws/, 'http'), { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    const body: unknown = (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : null;
    return { status: res.status, body };
  } catch {
    return { status: null, body: null };
  }
}

/**
 * One session's terminal stream: connects, feeds frames to `events`, reconnects with backoff when
 * the stream drops, and stops for good when the session ended. Input needs `unlock(token)`.
 * Never sends `resize`: the pane's size is Flotilla's, a viewer adapts to it.
 */
export class TerminalConnection {
  private socket: SocketLike | null = null;
  private token: string | undefined;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private helloSeen = false;
  private dropReason = 'the stream dropped';
  private stopped = false;
  private readonly backoff: Backoff;
  private readonly options: Required<Omit<TerminalConnectionOptions, 'backoff'>>;

  constructor(options: TerminalConnectionOptions) {
    this.backoff = options.backoff ?? createBackoff();
    this.options = {
      origin: options.origin ?? window.location,
      openSocket: options.openSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike),
      probe: options.probe ?? probeStream,
      name: options.name,
      events: options.events,
    };
  }

  get canType(): boolean {
    return this.token !== undefined && this.helloSeen && this.socket?.readyState === OPEN;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  /** Reconnects asking for input with the daemon's full token (kept only here, in memory). */
  unlock(token: string): void {
    this.token = token;
    this.reopen();
  }

  /** Back to read-only: forgets the token and reconnects without it. */
  lock(): void {
    this.token = undefined;
    this.reopen();
  }

  /** Sends an `input` frame (made by `inputFrame`); dropped unless unlocked and live. */
  send(frame: string): void {
    if (this.canType) this.socket?.send(frame);
  }

  /** Closes for good (the page left, or the session ended). */
  stop(status?: TerminalStatus): void {
    this.stopped = true;
    this.clearTimer();
    this.closeSocket();
    if (status) this.options.events.status(status);
  }

  private reopen(): void {
    if (this.stopped) return;
    this.clearTimer();
    this.closeSocket();
    this.backoff.reset();
    this.open();
  }

  private open(): void {
    const { events, openSocket, origin, name } = this.options;
    this.helloSeen = false;
    this.dropReason = 'the stream dropped';
    // While retrying, the status line keeps saying "reconnecting…" during each attempt.
    if (this.backoff.attempts === 0) events.status({ kind: 'connecting' });
    const url = terminalUrl(origin, name, this.token);
    const socket = openSocket(url);
    this.socket = socket;
    socket.onmessage = (event) => {
      if (this.socket === socket) this.onFrame(event.data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      void this.onClosed(url);
    };
  }

  private onFrame(data: unknown): void {
    const frame = parseServerFrame(data);
    if (!frame) return;
    const { events } = this.options;
    switch (frame.type) {
      case 'hello':
        this.helloSeen = true;
        this.backoff.reset();
        events.hello(frame);
        events.status({ kind: 'live', readOnly: frame.readOnly, cols: frame.cols, rows: frame.rows });
        return;
      case 'output':
        events.output(decodeBase64(frame.data));
        return;
      case 'exit':
        if (frame.reason === 'exited') this.stop({ kind: 'ended', reason: frame.state ? `session ended (${frame.state})` : 'session ended' });
        // `gone` and `closing`: the socket closes next, and the retry finds out whether it comes back.
        this.dropReason = frame.reason === 'closing' ? 'the daemon is stopping' : 'the pane disappeared';
        return;
      case 'error':
        events.notice(frame.message);
        return;
    }
  }

  private async onClosed(url: string): Promise<void> {
    if (this.stopped) return;
    let reason = this.dropReason;
    if (!this.helloSeen) {
      const refusal = classifyRefusal(await this.options.probe(url), this.token !== undefined);
      if (this.stopped || this.socket) return;
      if (refusal.action === 'stop') return this.stop({ kind: 'unavailable', reason: refusal.message });
      if (refusal.action === 'read-only') {
        this.token = undefined;
        this.options.events.inputRefused(refusal.message);
        this.open();
        return;
      }
      reason = refusal.message;
    }
    this.retry(reason);
  }

  private retry(reason: string): void {
    const attempt = this.backoff.attempts + 1;
    const inMs = this.backoff.next();
    this.options.events.status({ kind: 'reconnecting', inMs, attempt, reason });
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.open();
    }, inMs);
  }

  private closeSocket(): void {
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onmessage = null;
      socket.onclose = null;
      socket.close(1000, 'viewer left');
    }
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
