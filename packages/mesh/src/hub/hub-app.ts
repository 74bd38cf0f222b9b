/**
 * The hub's HTTP API for its user (the CLI on `mesh.sock`, a browser or script on 127.0.0.1 with
 * the token): the same protocol as a lone daemon, for the whole fleet, plus the board, hosts and
 * messages. Agents reach the hub through another door (agent-app.ts) with narrower scopes.
 */
import type { Hono } from 'hono';
import { createSecureApp, TOKEN_COOKIE } from '@flotilla/kit/http';
import { dashboardRoutes, tokenToCookie, type SessionTokens, type StaticSite, type TelegramAddon } from '@flotilla/kit/web';
import { PROTOCOL_VERSION, ProtocolError } from '@flotilla/protocol';
import { boardRoutes } from './board-routes.js';
import { routeErrorHandler } from './board-routes-http.js';
import type { CallerOf } from './caller.js';
import { fleetJobRoutes, fleetSessionRoutes } from './fleet-routes.js';
import { hubEventRoutes } from './hub-event-routes.js';
import { hubRoutes } from './hub-routes.js';
import { hostDoctorRoutes } from './host-doctor-route.js';
import { notificationRoutes } from './notification-routes.js';
import { pipelineRoutes } from './pipeline-routes.js';
import { terminalRoutes } from './terminal-routes.js';
import type { Hub } from './hub.js';
import { MESH_VERSION } from '../version.js';

export interface HubAppOptions {
  token: string;
  /** One-time sign-in links and signed-in browsers' cookie tokens. */
  browsers: SessionTokens;
  /** The dashboard's built page, served at `/` when the package is installed. */
  dashboard?: StaticSite | null;
  socket: string;
  /** `hosts.json`, which `POST/DELETE /api/hosts` edit. */
  hostsFile: string;
  httpUrl: () => string | null;
  startedAt: Date;
  addons?: string[];
  /** The Telegram bot the hub runs, reported at `/api/addons/telegram`. */
  telegram?: TelegramAddon | null;
  /** The lease of a claim that names none. */
  defaultLeaseMs: number;
  /** Mounts routes that come with optional parts (messages, dashboard) before the fallbacks. */
  extend?: (app: Hono, caller: CallerOf) => void;
}

const userCaller: CallerOf = () => ({ kind: 'user' });

export function createHubApp(hub: Hub, options: HubAppOptions): Hono {
  const { browsers } = options;
  const app = createSecureApp({ requireToken: true, token: options.token, extraTokens: browsers.all, deniedPage });
  app.use('*', tokenToCookie(browsers, options.token));
  app.onError(routeErrorHandler);
  app.get('/health', (c) => c.json({ pid: process.pid, version: MESH_VERSION, protocol: PROTOCOL_VERSION }));
  app.route('/api/events', hubEventRoutes(hub));
  // Before the fleet routes, which would forward a terminal's GET as a plain request.
  app.route('/api', terminalRoutes(hub, options.token));
  app.route('/api/jobs', fleetJobRoutes(hub));
  app.route('/api/sessions', fleetSessionRoutes(hub));
  hostDoctorRoutes(app, hub);
  // Directors push their pipeline here; any client with the token may raise a notification.
  app.route('/api', pipelineRoutes({ dbPath: hub.dbPath, publish: (event) => hub.publish(event) }));
  app.route('/api', notificationRoutes({ publish: (event) => hub.publish(event) }));
  app.route('/api/board', boardRoutes({ store: hub.board, publish: (event) => hub.publish(event), caller: userCaller, defaultLeaseMs: options.defaultLeaseMs }));
  app.route('/api', hubRoutes(hub, { addons: options.addons ?? [], startedAt: options.startedAt, socket: options.socket, hostsFile: options.hostsFile, httpUrl: options.httpUrl }));
  app.get('/api/addons/telegram', async (c) => c.json(options.telegram ? await options.telegram.status() : { installed: false, process: null, bot: null }));
  app.get('/api/tokens', (c) => c.json(browsers.browsers(cookieToken(c.req.header('cookie')))));
  app.delete('/api/tokens/:id', async (c) => {
    if (!(await browsers.revoke(c.req.param('id')))) throw new ProtocolError('NOT_FOUND', `no signed-in browser ${c.req.param('id')}`);
    return c.json(browsers.browsers(cookieToken(c.req.header('cookie'))));
  });
  options.extend?.(app, userCaller);
  if (options.dashboard) dashboardRoutes(app, options.dashboard);
  return app;
}

function cookieToken(header: string | undefined): string | undefined {
  const match = new RegExp(`(?:^|;\\s*)${TOKEN_COOKIE}=([^;]+)`).exec(header ?? '');
  return match?.[1];
}

function deniedPage(code: string, message: string): string {
  const text = message.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html><meta charset="utf-8"><title>Flotilla hub: ${code}</title><body style="font-family:system-ui;max-width:40rem;margin:4rem auto"><h1>Not signed in</h1><p>${text}</p><p>Run <code>mesh serve --port N</code> (or ask the hub for a new link) and open the link it prints.</p></body>`;
}
