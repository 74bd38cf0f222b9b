/**
 * `openHostLink`: the HostLink over ssh2 (see host-link.ts). One connection (through ProxyJump
 * hosts when configured), keepalives every 2 s, reconnects with backoff (1 s doubling to 30 s,
 * reset once up). States: `connecting` until the first attempt ends; `up`; `down` while it
 * retries (`since` stays the moment it went down; `error` says what the last attempt met);
 * `refused` when a host key is unknown, changed or revoked — then no retry loop: it tries again
 * on `reconnectNow()` or once per `refusedRetryMs` (5 min), and never connects to that key.
 */
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import type { Transport } from '@flotilla/protocol';
import { isSshConfigError, resolveSshTarget, type SshTarget } from '../ssh/ssh-config.js';
import { createSocketPools, openChannel, type SocketPools } from './channel-transport.js';
import { ConnectError, targetLabel } from './connect.js';
import type { ExecOptions, ExecResult, HostLink, LinkStatus } from './host-link.js';
import { isLinkError, LinkError } from './link-errors.js';
import { linkSettings, type LinkSettings, type OpenHostLinkOptions } from './link-options.js';
import { StatusCell } from './link-status.js';
import { connectChain } from './proxy-jump.js';
import { execOn, getFileFrom, putFileOn } from './remote-ops.js';
import { createReverseForwards, type ReverseForwards } from './reverse.js';
import { Semaphore } from './semaphore.js';

const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** How often one task may meet a full sshd (MaxSessions) before its refusal is reported. */
const SESSION_RETRIES = 10;
/** sshd counts a session until it has handled its close, a little after the client saw it end. */
const SESSION_CLOSE_LAG_MS = 1_000;

/**
 * Opens the link and starts connecting at once; it keeps itself up until `close()`.
 * @example
 * const link = openHostLink({ name: 'box', target: 'box' });
 * await link.ready();
 * const res = await link.transport('/root/.flotilla/cb.sock').request({ method: 'GET', path: '/health' });
 */
export function openHostLink(options: OpenHostLinkOptions): Required<HostLink> {
  return new SshHostLink(options);
}

class SshHostLink implements HostLink {
  readonly name: string;
  private readonly settings: LinkSettings;
  private readonly statusCell = new StatusCell(() => new Date());
  private readonly sessions: Semaphore;
  /** When the last session channel that had opened ended (epoch ms). */
  private lastSessionEnd = 0;
  private readonly pools = new Map<string, SocketPools>();
  private readonly reverse: ReverseForwards;
  private client: Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private attempt = 0;
  private closed = false;
  private target: string | null = null;

  constructor(private readonly options: OpenHostLinkOptions) {
    this.name = options.name;
    this.settings = linkSettings(options);
    this.backoffMs = this.settings.backoffInitialMs;
    this.sessions = new Semaphore(this.settings.maxSessionChannels);
    this.reverse = createReverseForwards(this.name, (client, command) => this.runExec(client, command, {}), (message) => options.onLog?.(message));
    void this.connect();
  }

  status(): LinkStatus {
    return this.statusCell.get();
  }

  onStatus(listener: (status: LinkStatus) => void): () => void {
    return this.statusCell.subscribe(listener);
  }

  async ready(timeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<void> {
    const status = await this.statusCell.waitFor(
      (s) => s.state === 'up' || s.state === 'refused' || this.closed,
      timeoutMs,
      (s) => new LinkError('LINK_DOWN', `${this.name} is not up after ${timeoutMs} ms${s.error === null ? '' : `: ${s.error}`}`),
    );
    if (status.state === 'up') return;
    const code = this.closed ? 'LINK_CLOSED' : status.state === 'refused' ? 'LINK_REFUSED' : 'LINK_DOWN';
    throw new LinkError(code, status.error ?? `${this.name} is ${status.state}`);
  }

  /** `user@host:port` of the last resolved target (`via` its jump hosts); null before the first attempt. */
  describeTarget(): string | null {
    return this.target;
  }

  /** Tries again now: after `mesh hosts trust`, or when the caller knows the host is back. */
  reconnectNow(): void {
    if (this.closed || this.client !== null) return;
    this.backoffMs = this.settings.backoffInitialMs;
    // The user acted on a refusal (trusted the key): `ready()` now waits for this attempt.
    if (this.statusCell.get().state === 'refused') this.statusCell.set('connecting', { error: null });
    void this.connect();
  }

  transport(remoteSocketPath: string, options: { headers?: Record<string, string> } = {}): Transport {
    let pools = this.pools.get(remoteSocketPath);
    if (pools === undefined) {
      const source = { name: this.name, client: () => this.client ?? this.downReason() };
      pools = createSocketPools(source, remoteSocketPath, this.settings);
      this.pools.set(remoteSocketPath, pools);
    }
    return pools.transport(options.headers);
  }

  openStream(remoteSocketPath: string): Promise<Duplex> {
    return openChannel({ name: this.name, client: () => this.client ?? this.downReason() }, remoteSocketPath);
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.runExec(this.liveClient(), command, options);
  }

  async serveReverse(remoteSocketPath: string, onConnection: (stream: Duplex) => void): Promise<() => Promise<void>> {
    await this.reverse.add(remoteSocketPath, onConnection, this.client);
    return () => this.reverse.remove(remoteSocketPath, this.client);
  }

  putFile(localPath: string, remotePath: string): Promise<void> {
    const client = this.liveClient();
    return this.inSession(() => putFileOn(client, this.name, localPath, remotePath));
  }

  getFile(remotePath: string, localPath: string): Promise<void> {
    const client = this.liveClient();
    return this.inSession(() => getFileFrom(client, this.name, remotePath, localPath));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    for (const pools of this.pools.values()) pools.dropAll();
    const client = this.client;
    this.client = null;
    this.statusCell.set('down', { error: 'the link was closed' });
    if (client !== null) await endClient(client);
  }

  private runExec(client: Client, command: string, options: ExecOptions): Promise<ExecResult> {
    return this.inSession(() => execOn(client, this.name, command, options));
  }

  /**
   * Runs `task` in an SSH session channel. sshd refuses a session beyond its MaxSessions with a
   * bare "open failed"; when other sessions are in flight that is the likely reason, so the link
   * lowers its own limit to what sshd took and queues the task again (the channel never opened:
   * nothing ran twice). With none in flight but one that ended just now, sshd may not have handled
   * its close yet: the task waits a moment and tries again. The limit returns to its default on
   * the next connection.
   */
  private async inSession<T>(task: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.sessions.run(() => this.timedSession(task));
      } catch (error) {
        const others = this.sessions.inUse;
        const closing = Date.now() - this.lastSessionEnd < SESSION_CLOSE_LAG_MS;
        if (!isLinkError(error, 'CHANNEL_FAILED') || (others === 0 && !closing) || attempt >= SESSION_RETRIES) throw error;
        if (others === 0) {
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        } else if (others < this.sessions.currentLimit) {
          this.options.onLog?.(`${this.name}: sshd refused a session with ${others} open; using at most ${others} at once (its MaxSessions)`);
          this.sessions.setLimit(others);
        }
      }
    }
  }

  /** Runs a session's task, noting when a session that opened has ended. */
  private async timedSession<T>(task: () => Promise<T>): Promise<T> {
    try {
      const result = await task();
      this.lastSessionEnd = Date.now();
      return result;
    } catch (error) {
      if (!isLinkError(error, 'CHANNEL_FAILED')) this.lastSessionEnd = Date.now();
      throw error;
    }
  }

  private liveClient(): Client {
    if (this.closed) throw new LinkError('LINK_CLOSED', `the link to ${this.name} was closed`);
    if (this.client === null) throw new LinkError('LINK_DOWN', `the SSH link to ${this.name} is ${this.downReason()}`);
    return this.client;
  }

  private downReason(): string {
    const { state, error } = this.statusCell.get();
    return error === null ? state : `${state}: ${error}`;
  }

  private async connect(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const attempt = ++this.attempt;
    const stale = (): boolean => this.closed || attempt !== this.attempt;
    try {
      const target = await this.resolveTarget();
      const chain = await connectChain(target, { ...this.settings, home: this.settings.sshConfig.home, hostName: this.name }, this.settings.sshConfig);
      if (stale()) {
        chain.client.on('error', () => undefined);
        return void chain.client.end();
      }
      await this.goUp(chain.client, chain.hostKey);
    } catch (error) {
      if (!stale()) this.failed(error);
    }
  }

  private async resolveTarget(): Promise<SshTarget> {
    const { target } = this.options;
    const resolved = typeof target === 'string' ? await resolveSshTarget(target, this.settings.sshConfig) : target;
    const via = resolved.proxyJump === null ? '' : ` via ${resolved.proxyJump.map((hop) => hop.hostname).join(',')}`;
    this.target = `${targetLabel(resolved)}${via}`;
    return resolved;
  }

  private async goUp(client: Client, hostKey: LinkStatus['hostKey']): Promise<void> {
    this.client = client;
    let lastError: Error | null = null;
    client.on('error', (error: Error) => {
      lastError = error;
    });
    client.once('close', () => this.wentDown(client, lastError));
    await this.reverse.establishAll(client);
    if (this.client !== client) return;
    this.backoffMs = this.settings.backoffInitialMs;
    this.sessions.setLimit(this.settings.maxSessionChannels);
    this.statusCell.set('up', { error: null, hostKey });
  }

  private wentDown(client: Client, error: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    for (const pools of this.pools.values()) pools.dropAll();
    if (this.closed) return;
    const why = error === null ? 'the connection closed' : error.message === 'Keepalive timeout' ? 'the host stopped answering keepalives' : error.message;
    this.statusCell.set('down', { error: why });
    this.schedule(this.nextBackoff());
  }

  private failed(error: unknown): void {
    if (error instanceof ConnectError && error.refused) {
      this.statusCell.set('refused', { error: error.message, hostKey: error.hostKey });
      this.schedule(this.settings.refusedRetryMs);
      return;
    }
    const message = error instanceof ConnectError || isSshConfigError(error) ? (error as Error).message : `unexpected: ${String(error)}`;
    const hostKey = error instanceof ConnectError && error.hostKey !== null ? error.hostKey : undefined;
    this.statusCell.set('down', { error: message, ...(hostKey === undefined ? {} : { hostKey }) });
    this.schedule(this.nextBackoff());
  }

  private nextBackoff(): number {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.settings.backoffMaxMs);
    return delay;
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(), delayMs);
    this.timer.unref();
  }
}

function endClient(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 2_000);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}
