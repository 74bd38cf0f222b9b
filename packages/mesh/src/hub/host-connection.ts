/**
 * One fleet host as the hub sees it: its link, its daemon (found or started over the link), the
 * event stream copied into the hub's outbox, a health poll, and the reverse socket through which
 * the host's agents reach the hub. A host where cb cannot run but tmux can is driven bare (mode
 * `tmux`, src/bare): the same transport and event stream, answered by the hub itself over exec.
 * Everything is retried while the hub runs; nothing here throws out to the hub.
 */
import type { Duplex } from 'node:stream';
import createDebug from 'debug';
import { createClient, type DaemonStatus, type FlotillaClient, type Host, type Transport } from '@flotilla/protocol';
import type { HostLink, LinkStatus } from '../link/host-link.js';
import { createBareDriver, followBareHost, forgetBareCursor, type BareDriver } from '../bare/index.js';
import { ensureRemoteDaemon } from './daemon-discovery.js';
import type { HubStore } from './hub-store.js';
import { syncHostEvents } from './host-event-sync.js';

const log = createDebug('flotilla:mesh:host');
/** How long `stop()` waits for the connection's loop to notice. */
const STOP_WAIT_MS = 5_000;

export interface HostEntry {
  name: string;
  spec: string;
  /** `user@hostname:port` after ~/.ssh/config. */
  target: string;
}

export interface HostConnectionDeps {
  store: HubStore;
  /** New hub events were written (wake SSE readers). */
  changed(): void;
  /** Serves one connection an agent on `host` opened to the hub's reverse socket. */
  serveAgent(host: string, stream: Duplex): void;
  healthIntervalMs?: number;
  /** How often a bare host is looked at (default 2 s). */
  barePollMs?: number;
  /** How often a bare host is asked again whether cb runs there now (default 60 s). */
  bareRecheckMs?: number;
  now?: () => Date;
}

interface Attached {
  daemon: DaemonStatus;
  transport: Transport;
  client: FlotillaClient;
  mode: 'daemon' | 'tmux';
  /** For `tmux`: why cb does not run there. */
  reason: string | null;
}

export class HostConnection {
  readonly name: string;
  private readonly deps: HostConnectionDeps;
  private readonly entry: HostEntry;
  private readonly hostLink: HostLink;
  private attached: Attached | null = null;
  /**
   * The daemon's facts as last seen (version, slots, load, mode): kept while the host is down, so
   * `/api/hosts` still says what the host is (its `state` says it is unreachable); dropped when the
   * hub learns there is no daemon there any more.
   */
  private lastKnown: Pick<Attached, 'daemon' | 'mode' | 'reason'> | null = null;
  private daemonError: string | null = null;
  private latencyMs: number | null = null;
  private paused = false;
  private lastSeenAt: string | null = null;
  private lastPublished = '';
  private readonly unsubscribe: () => void;
  private session: AbortController | null = null;
  private readonly lifetime = new AbortController();
  private readonly done: Promise<void>;
  /** Kept across reconnects: its event ids go on, so the hub's cursor resumes instead of resyncing. */
  private bare: BareDriver | null = null;

  constructor(entry: HostEntry, link: HostLink, deps: HostConnectionDeps) {
    this.name = entry.name;
    this.entry = entry;
    this.hostLink = link;
    this.deps = deps;
    this.unsubscribe = link.onStatus((status) => this.onLinkStatus(status));
    this.done = this.run();
  }

  /** The host as `/api/hosts` shows it: while it is down, with its daemon's last known facts. */
  host(): Host {
    const link = this.hostLink.status();
    const known = this.attached ?? this.lastKnown;
    const daemon = known?.daemon;
    // A mode says the hub can drive the host now; on a link that is up again, only once re-attached.
    const mode = this.attached ?? (link.state === 'up' ? null : this.lastKnown);
    const sessions = this.deps.store.listSessions({ host: this.name }).length;
    const running = daemon?.running ?? 0;
    return {
      name: this.name,
      spec: this.entry.spec,
      target: this.entry.target,
      state: link.state,
      since: link.since,
      latencyMs: link.state === 'up' ? this.latencyMs : null,
      error: link.error ?? (link.state === 'up' ? this.daemonError : null),
      hostKey: link.hostKey,
      mode: mode?.mode ?? null,
      modeReason: mode?.reason ?? null,
      cbVersion: daemon?.version ?? null,
      running,
      queued: daemon?.queued ?? 0,
      sessions,
      slots: daemon?.slots ?? 0,
      freeSlots: Math.max(0, (daemon?.slots ?? 0) - running),
      paused: this.paused,
      lastSeenAt: this.lastSeenAt,
    };
  }

  /** The typed client to the host's daemon while it is reachable. */
  client(): FlotillaClient | null {
    return this.hostLink.status().state === 'up' ? (this.attached?.client ?? null) : null;
  }

  /**
   * The socket of the host's cb daemon while the hub is attached to it, to open a stream of one's
   * own to it (a terminal); null while the host is unattached or driven bare (no daemon there).
   */
  daemonSocket(): string | null {
    return this.attached?.mode === 'daemon' ? this.attached.daemon.socket : null;
  }

  /** The raw transport to the host's daemon while it is reachable. */
  transport(): Transport | null {
    return this.hostLink.status().state === 'up' ? (this.attached?.transport ?? null) : null;
  }

  /** Since when the link has been down (null while up or connecting for the first time). */
  unreachableSince(): Date | null {
    const status = this.hostLink.status();
    return status.state === 'down' ? new Date(status.since) : null;
  }

  /** The SSH link itself (SFTP, exec with stdin). */
  link(): HostLink {
    return this.hostLink;
  }

  /** Runs a command on the host through its link. */
  exec(command: string, timeoutMs?: number) {
    return this.hostLink.exec(command, { timeoutMs });
  }

  async stop(): Promise<void> {
    this.lifetime.abort();
    this.unsubscribe();
    this.session?.abort();
    await this.hostLink.close();
    // A command in flight (a daemon being started) is not waited for long: the hub is stopping.
    await Promise.race([this.done.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
  }

  private onLinkStatus(status: LinkStatus): void {
    if (status.state !== 'up') this.session?.abort();
    this.publishIfChanged();
  }

  private async run(): Promise<void> {
    let backoffMs = 1_000;
    while (!this.lifetime.signal.aborted) {
      try {
        await untilAborted(this.hostLink.ready(24 * 3_600_000), this.lifetime.signal);
        if (this.lifetime.signal.aborted) break;
        const attached = await this.attach();
        if (attached) backoffMs = 1_000;
      } catch (error) {
        log('%s: %s', this.name, (error as Error).message);
      }
      this.attached = null;
      this.publishIfChanged();
      if (this.lifetime.signal.aborted) break;
      await sleep(backoffMs, this.lifetime.signal);
      backoffMs = Math.min(backoffMs * 2, 30_000);
    }
  }

  /** Finds the daemon (or drives the host bare), then follows its events until the link or the daemon goes away. */
  private async attach(): Promise<boolean> {
    const found = await ensureRemoteDaemon(this.hostLink);
    if (found.kind === 'missing' || found.kind === 'unrunnable') {
      const bare = this.bare ?? createBareDriver({ name: this.name, link: this.hostLink, now: this.deps.now });
      const tmux = await bare.host.probe();
      if (tmux !== null) {
        this.bare = bare;
        return this.attachBare(bare, found.error);
      }
      this.daemonError = `${found.error}; tmux is not there either, so the hub cannot drive it bare`;
      this.lastKnown = null;
      this.publishIfChanged();
      return false;
    }
    if (found.kind !== 'running') {
      this.daemonError = found.error;
      this.lastKnown = null;
      this.publishIfChanged();
      return false;
    }
    forgetBareCursor(this.deps.store, this.name);
    this.daemonError = null;
    // The agents' door opens before the host counts as attached: a job dispatched at once may call `cb board`.
    const stopReverse = await this.serveReverse(found.status.home);
    const transport = this.hostLink.transport(found.status.socket, { headers: { 'x-flotilla-client': 'mesh-hub' } });
    const client = createClient(transport);
    this.setAttached({ daemon: found.status, transport, client, mode: 'daemon', reason: null });
    const session = new AbortController();
    this.session = session;
    const health = this.pollHealth(session);
    try {
      this.publishIfChanged();
      await syncHostEvents({ host: this.name, transport, client, store: this.deps.store, changed: this.deps.changed, signal: session.signal });
    } finally {
      session.abort();
      await health;
      await stopReverse().catch(() => undefined);
    }
    return true;
  }

  /** Drives a host without cb through tmux (src/bare), until the link drops, the looks fail, or cb runs there now. */
  private async attachBare(driver: BareDriver, reason: string): Promise<boolean> {
    this.daemonError = null;
    const session = new AbortController();
    this.session = session;
    await followBareHost({
      name: this.name,
      driver,
      store: this.deps.store,
      changed: this.deps.changed,
      session,
      pollMs: this.deps.barePollMs ?? 2_000,
      recheckMs: this.deps.bareRecheckMs ?? 60_000,
      daemonRuns: async () => (await ensureRemoteDaemon(this.hostLink)).kind === 'running',
      onAttached: (daemon) => {
        this.setAttached({ daemon, transport: driver.transport, client: driver.client, mode: 'tmux', reason });
        this.publishIfChanged();
      },
      onLook: (ms, daemon) => {
        this.latencyMs = ms;
        this.lastSeenAt = (this.deps.now?.() ?? new Date()).toISOString();
        if (this.attached?.mode === 'tmux') this.setDaemonStatus(daemon);
        this.publishIfChanged();
      },
    });
    return true;
  }

  private setAttached(attached: Attached): void {
    this.attached = attached;
    this.lastKnown = { daemon: attached.daemon, mode: attached.mode, reason: attached.reason };
  }

  /** The daemon's latest status, while attached (a look or a health check answered). */
  private setDaemonStatus(daemon: DaemonStatus): void {
    if (this.attached) this.setAttached({ ...this.attached, daemon });
  }

  private async serveReverse(home: string): Promise<() => Promise<void>> {
    try {
      return await this.hostLink.serveReverse(`${home}/hub.sock`, (stream) => this.deps.serveAgent(this.name, stream));
    } catch (error) {
      log('%s: no reverse socket: %s', this.name, (error as Error).message);
      return async () => undefined;
    }
  }

  /** Every few seconds: the daemon's load and pauses, and the round trip they took. */
  private async pollHealth(session: AbortController): Promise<void> {
    const interval = this.deps.healthIntervalMs ?? 5_000;
    let failures = 0;
    while (!session.signal.aborted) {
      const client = this.attached?.client;
      if (!client) return;
      const started = performance.now();
      try {
        const [status, pauses] = await Promise.all([client.status(), client.pauses()]);
        this.latencyMs = Math.round(performance.now() - started);
        this.paused = pauses.length > 0;
        this.lastSeenAt = (this.deps.now?.() ?? new Date()).toISOString();
        this.setDaemonStatus(status);
        failures = 0;
        this.publishIfChanged();
      } catch (error) {
        failures += 1;
        log('%s: health check failed (%d): %s', this.name, failures, (error as Error).message);
        if (failures >= 2) session.abort();
      }
      await sleep(interval, session.signal);
    }
  }

  /** Writes `host.changed` when something a person would notice changed (not every latency wobble). */
  private publishIfChanged(): void {
    const host = this.host();
    const { latencyMs: _latency, lastSeenAt: _seen, ...material } = host;
    const key = JSON.stringify(material);
    if (key === this.lastPublished) return;
    this.lastPublished = key;
    try {
      this.deps.store.append({ type: 'host.changed', hostInfo: host });
      this.deps.changed();
    } catch (error) {
      log('%s: could not record host.changed: %s', this.name, (error as Error).message);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** `promise`, or nothing once `signal` aborts (the hub is stopping). */
function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = (): void => resolve();
    signal.addEventListener('abort', stop, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}
