/**
 * Starting and stopping the hub process's parts: the hub (database, host links), the CLI socket
 * `mesh.sock`, the optional loopback port with its token, the agents' door on every host's reverse
 * socket, and the lease sweeper.
 */
import { mkdir } from 'node:fs/promises';
import { readOrCreateTokenFile, serveOnPort, serveOnSocket, type PortServer, type SocketServer } from '@flotilla/kit/http';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createSessionTokens, findDashboardAssets, loadStaticSite, type SessionTokens } from '@flotilla/kit/web';
import type { HubPaths } from '../cli/context.js';
import type { HostLink } from '../link/host-link.js';
import { createAgentDoor } from './agent-app.js';
import type { CallerOf } from './caller.js';
import { createHubApp } from './hub-app.js';
import type { HostEntry } from './host-connection.js';
import { Hub } from './hub.js';

/** The lease of a claim that names none: long enough for a slow step, short enough to recover a dead holder. */
export const DEFAULT_LEASE_MS = 15 * 60_000;

export interface ServeHubOptions {
  paths: HubPaths;
  name: string;
  /** Also listen on 127.0.0.1:port (0: any free port). */
  port?: number;
  readHosts(): Promise<HostEntry[]>;
  openLink(entry: HostEntry): HostLink;
  healthIntervalMs?: number;
  defaultLeaseMs?: number;
  /** Mounts optional routes on both the user's app and the agents' apps. */
  extend?: (app: Hono, caller: CallerOf, hub: Hub) => void;
  /** The dashboard's built assets directory (default: found at run time, see kit/web). */
  dashboardDir?: string | null;
  /** Started once the hub runs (sweepers, deliveries); each returns its stop function. */
  services?: ((hub: Hub) => () => Promise<void> | void)[];
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
  const dashboardDir = options.dashboardDir === undefined ? await findDashboardAssets() : options.dashboardDir;
  const dashboard = dashboardDir ? loadStaticSite(dashboardDir) : null;
  let http: PortServer | null = null;
  let door: ReturnType<typeof createAgentDoor> | null = null;
  const hub = new Hub({
    paths: options.paths,
    name: options.name,
    readHosts: options.readHosts,
    openLink: options.openLink,
    healthIntervalMs: options.healthIntervalMs,
    serveAgent: (host, stream) => (door ? door.serve(host, stream) : stream.destroy()),
  });
  const extend = options.extend;
  door = createAgentDoor(hub, { defaultLeaseMs, extend: extend && ((app, caller) => extend(app, caller, hub)) });
  const app = createHubApp(hub, {
    token,
    browsers,
    dashboard,
    addons: dashboard ? ['dashboard'] : [],
    socket: options.paths.socket,
    httpUrl: () => http?.url ?? null,
    startedAt,
    defaultLeaseMs,
    extend: extend && ((target, caller) => extend(target, caller, hub)),
  });
  const socket = await serveOnSocket(app.fetch, options.paths.socket);
  if (options.port !== undefined) http = await serveOnPort(app.fetch, { port: options.port });
  await hub.start();
  const stops = (options.services ?? []).map((start) => start(hub));
  return {
    hub,
    token,
    browsers,
    signInUrl: () => (http ? `${http.url}/?token=${browsers.issue()}` : null),
    socket,
    http,
    close: async () => {
      for (const stop of stops) await stop();
      await http?.close();
      await socket.close();
      door?.close();
      await hub.close();
    },
  };
}
