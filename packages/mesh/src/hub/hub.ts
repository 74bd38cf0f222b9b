/**
 * The hub: its database (outbox, host cursors, fleet mirror, board), one connection per host in
 * `hosts.json` (re-read when the file changes), and the bus that wakes `/api/events` readers.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import createDebug from 'debug';
import type { Host } from '@flotilla/protocol';
import { createSqliteBoardStore } from '../board/sqlite-board-store.js';
import type { BoardStore } from '../board/board-store.js';
import type { HostLink } from '../link/host-link.js';
import type { HubPaths } from '../cli/context.js';
import { HostConnection, type HostEntry } from './host-connection.js';
import { appendEventOn, openHubStore, type HubStore } from './hub-store.js';
import type { HubEventInput } from './hub-events.js';

const log = createDebug('flotilla:mesh:hub');

export interface HubOptions {
  paths: HubPaths;
  /** The hub's own name (events it writes carry it); default the machine's hostname. */
  name: string;
  /** The fleet's hosts: read from `hosts.json` by default. */
  readHosts(): Promise<HostEntry[]>;
  /** Opens the link to a host (ssh2 by default; tests may pass local links). */
  openLink(entry: HostEntry): HostLink;
  /** Serves a connection an agent on `host` opened through the host's reverse socket. */
  serveAgent?(host: string, stream: Duplex): void;
  healthIntervalMs?: number;
  /** How often a bare host (no cb, driven through tmux) is looked at (default 2 s). */
  barePollMs?: number;
  /** How often a bare host is asked again whether cb runs there now (default 60 s). */
  bareRecheckMs?: number;
  now?: () => Date;
}

export class Hub {
  readonly name: string;
  readonly store: HubStore;
  readonly board: BoardStore;
  /** The hub's database file (board, outbox, profiles, messages): other stores open their own connection to it. */
  readonly dbPath: string;
  private readonly options: HubOptions;
  private readonly connections = new Map<string, HostConnection>();
  private readonly listeners = new Set<() => void>();
  private watcher: FSWatcher | null = null;
  private reloading: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(options: HubOptions) {
    this.options = options;
    this.name = options.name;
    this.dbPath = options.paths.db;
    this.store = openHubStore({ path: options.paths.db, hubName: options.name, now: options.now });
    const now = options.now ?? (() => new Date());
    // Opened after the hub store, whose migration creates hub_events.
    this.board = createSqliteBoardStore({
      path: options.paths.db,
      now: options.now,
      onWrite: (sqlite, task) => appendEventOn(sqlite, options.name, now(), { type: 'task.changed', task }),
    });
  }

  /** Connects to every host and follows `hosts.json`. */
  async start(): Promise<void> {
    await this.reloadHosts();
    try {
      this.watcher = watch(dirname(this.options.paths.hosts), (_kind, file) => {
        if (file === null || file === basename(this.options.paths.hosts)) void this.reloadHosts();
      });
    } catch (error) {
      log('not watching %s: %s', this.options.paths.hosts, (error as Error).message);
    }
  }

  /** Opens links to new hosts and closes those removed from `hosts.json`; calls are serialized. */
  reloadHosts(): Promise<void> {
    this.reloading = this.reloading.then(() => this.syncHosts()).catch((error: unknown) => {
      log('hosts.json not applied: %s', (error as Error).message);
    });
    return this.reloading;
  }

  hosts(): Host[] {
    return [...this.connections.values()].map((connection) => connection.host()).sort((a, b) => a.name.localeCompare(b.name));
  }

  connection(name: string): HostConnection | undefined {
    return this.connections.get(name);
  }

  /** Hosts whose link is down but within `graceMs` of going down: their leases are frozen. */
  frozenHosts(graceMs: number): Set<string> {
    const now = (this.options.now?.() ?? new Date()).getTime();
    const frozen = new Set<string>();
    for (const [name, connection] of this.connections) {
      const since = connection.unreachableSince();
      if (since && now - since.getTime() < graceMs) frozen.add(name);
    }
    return frozen;
  }

  /**
   * Appends a hub event and wakes its readers. A `task.changed` was already written in the board's
   * own transaction (see the board's `onWrite`): publishing it only wakes the readers.
   */
  async publish(event: HubEventInput): Promise<void> {
    if (event.type !== 'task.changed') this.store.append(event);
    this.changed();
  }

  /** Calls `listener` whenever new events may be in the outbox; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watcher?.close();
    await this.reloading;
    await Promise.all([...this.connections.values()].map((connection) => connection.stop()));
    this.connections.clear();
    await this.board.close();
    this.store.close();
  }

  private async syncHosts(): Promise<void> {
    if (this.closed) return;
    const entries = await this.options.readHosts();
    const wanted = new Map(entries.map((entry) => [entry.name, entry]));
    for (const [name, connection] of this.connections) {
      if (wanted.has(name)) continue;
      this.connections.delete(name);
      await connection.stop();
      this.store.forgetHost(name);
      await this.publish({ type: 'host.removed', name });
    }
    for (const entry of entries) {
      const known = this.connections.get(entry.name);
      // `mesh hosts trust` rewrites hosts.json: a refused link tries again now, not in 5 minutes.
      if (known) {
        if (known.host().state === 'refused') known.link().reconnectNow?.();
        continue;
      }
      const connection = new HostConnection(entry, this.options.openLink(entry), {
        store: this.store,
        changed: () => this.changed(),
        serveAgent: (host, stream) => {
          if (this.options.serveAgent) this.options.serveAgent(host, stream);
          else stream.destroy();
        },
        healthIntervalMs: this.options.healthIntervalMs,
        barePollMs: this.options.barePollMs,
        bareRecheckMs: this.options.bareRecheckMs,
        now: this.options.now,
      });
      this.connections.set(entry.name, connection);
    }
  }
}
