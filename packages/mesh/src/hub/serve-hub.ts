/**
 * Starting and stopping the hub process's parts: the hub (database, host links), the CLI socket
 * `mesh.sock`, the optional loopback port with its token, the agents' door on every host's reverse
 * socket, and the lease sweeper.
 */
import { mkdir } from 'node:fs/promises';
import { readOrCreateTokenFile, serveOnPort, serveOnSocket, type PortServer, type SocketServer } from '@flotilla/kit/http';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createSessionTokens, findDashboardAssets, loadStaticSite, type SessionTokens, type TelegramAddon } from '@flotilla/kit/web';
import type { HubPaths } from '../cli/context.js';
import type { HostLink } from '../link/host-link.js';
import { createAgentDoor } from './agent-app.js';
import type { CallerOf } from './caller.js';
import { createHubApp } from './hub-app.js';
import type { HostEntry } from './host-connection.js';
import { Hub } from './hub.js';
import { createHubServices } from './hub-services.js';
import { serveTerminalUpgrades } from './terminal-upgrade.js';

/** The lease of a claim that names none: long enough for a slow step, short enough to recover a dead holder. */
export const DEFAULT_LEASE_MS = 15 * 60_000;
/** Outbox rows live at least this long; a reader resuming from older gets `resync`. */
const OUTBOX_KEEP_MS = 7 * 24 * 3_600_000;

export interface ServeHubOptions {
  paths: HubPaths;
  name: string;
  /** Also listen on 127.0.0.1:port (0: any free port). */
  port?: number;
  readHosts(): Promise<HostEntry[]>;
  openLink(entry: HostEntry): HostLink;
  healthIntervalMs?: number;
  /** How often a bare host (no cb, driven through tmux) is looked at (default 2 s). */
  barePollMs?: number;
  /** How often a bare host is asked again whether cb runs there now, e.g. after a bootstrap (default 60 s). */
  bareRecheckMs?: number;
  defaultLeaseMs?: number;
  /** The dashboard's built assets directory (default: found at run time, see kit/web). */
  dashboardDir?: string | null;
  /** How long an unreachable host's leases stay frozen (default 30 min). */
  unreachableGraceMs?: number;
  sweepIntervalMs?: number;
  messageRetryMs?: number;
  /** The Telegram bot to run while the hub runs (see kit/web's findTelegramAddon); null or absent: none. */
  telegram?: TelegramAddon | null;
}

export interface RunningHub {
  hub: Hub;
  token: string;
  browsers: SessionTokens;
  /** A one-time sign-in link for a browser, when the hub listens on a port. */
  signInUrl(): string | null;
  socket: SocketServer;
  http: PortServer | null;
  close(): Promise<void>;
}

export async function serveHub(options: ServeHubOptions): Promise<RunningHub> {
  await mkdir(options.paths.home, { recursive: true, mode: 0o700 });
  const token = await readOrCreateTokenFile(options.paths.token);
  const defaultLeaseMs = options.defaultLeaseMs ?? DEFAULT_LEASE_MS;
  const startedAt = new Date();
  const browsers = createSessionTokens({ file: join(options.paths.home, 'hub-browser-tokens.json') });
  const dashboardDir = options.dashboardDir === undefined ? await findDashboardAssets(import.meta.url) : options.dashboardDir;
  const dashboard = dashboardDir ? loadStaticSite(dashboardDir) : null;
  let http: PortServer | null = null;
  let door: ReturnType<typeof createAgentDoor> | null = null;
  const hub = new Hub({
    paths: options.paths,
    name: options.name,
    readHosts: options.readHosts,
    openLink: options.openLink,
    healthIntervalMs: options.healthIntervalMs,
    barePollMs: options.barePollMs,
    bareRecheckMs: options.bareRecheckMs,
    serveAgent: (host, stream) => (door ? door.serve(host, stream) : stream.destroy()),
  });
  const services = createHubServices({
    dbPath: options.paths.db,
    defaultLeaseMs,
    unreachableGraceMs: options.unreachableGraceMs ?? 30 * 60_000,
    sweepIntervalMs: options.sweepIntervalMs ?? 5_000,
    messageRetryMs: options.messageRetryMs ?? 2_000,
  });
  await services.start(hub);
  const extend = (app: Hono, caller: CallerOf): void => services.mount(app, caller);
  door = createAgentDoor(hub, { defaultLeaseMs, extend });
  const app = createHubApp(hub, {
    token,
    browsers,
    dashboard,
    addons: [...(dashboard ? ['dashboard'] : []), ...(options.telegram ? ['telegram'] : [])],
    telegram: options.telegram ?? null,
    socket: options.paths.socket,
    hostsFile: options.paths.hosts,
    httpUrl: () => http?.url ?? null,
    startedAt,
    defaultLeaseMs,
    extend,
  });
  const socket = await serveOnSocket(app.fetch, options.paths.socket);
  if (options.port !== undefined) http = await serveOnPort(app.fetch, { port: options.port });
  // Live terminals: WebSocket upgrades go through the app's checks, then on to the host's daemon.
  for (const server of [socket.server, http?.server]) if (server) serveTerminalUpgrades(server, app.fetch);
  await hub.start();
  options.telegram?.ensureRunning();
  const pruning = setInterval(() => hub.store.prune(new Date(Date.now() - OUTBOX_KEEP_MS)), 3_600_000);
  pruning.unref();
  return {
    hub,
    token,
    browsers,
    signInUrl: () => (http ? `${http.url}/?token=${browsers.issue()}` : null),
    socket,
    http,
    close: async () => {
      clearInterval(pruning);
      await options.telegram?.stop();
      await services.stop();
      await http?.close();
      await socket.close();
      await door?.close();
      await hub.close();
    },
  };
}
