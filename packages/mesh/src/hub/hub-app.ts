/**
 * The hub's HTTP API for its user (the CLI on `mesh.sock`, a browser or script on 127.0.0.1 with
 * the token): the same protocol as a lone daemon, for the whole fleet, plus the board, hosts and
 * messages. Agents reach the hub through another door (agent-app.ts) with narrower scopes.
 */
import type { Hono } from 'hono';
import { createSecureApp } from '@flotilla/kit/http';
import { PROTOCOL_VERSION } from '@flotilla/protocol';
import { boardRoutes } from './board-routes.js';
import { routeErrorHandler } from './board-routes-http.js';
import type { CallerOf } from './caller.js';
import { fleetJobRoutes, fleetSessionRoutes } from './fleet-routes.js';
import { hubEventRoutes } from './hub-event-routes.js';
import { hubRoutes } from './hub-routes.js';
import type { Hub } from './hub.js';
import { MESH_VERSION } from '../version.js';

export interface HubAppOptions {
  token: string;
  /** Further accepted tokens (signed-in browsers). */
  extraTokens?: () => string[];
  socket: string;
  httpUrl: () => string | null;
  startedAt: Date;
  addons?: string[];
  /** The lease of a claim that names none. */
  defaultLeaseMs: number;
  /** Mounts routes that come with optional parts (messages, dashboard) before the fallbacks. */
  extend?: (app: Hono, caller: CallerOf) => void;
}

const userCaller: CallerOf = () => ({ kind: 'user' });

export function createHubApp(hub: Hub, options: HubAppOptions): Hono {
  const app = createSecureApp({ requireToken: true, token: options.token, extraTokens: options.extraTokens });
  app.onError(routeErrorHandler);
  app.get('/health', (c) => c.json({ pid: process.pid, version: MESH_VERSION, protocol: PROTOCOL_VERSION }));
  app.route('/api/events', hubEventRoutes(hub));
  app.route('/api/jobs', fleetJobRoutes(hub));
  app.route('/api/sessions', fleetSessionRoutes(hub));
  app.route('/api/board', boardRoutes({ store: hub.board, publish: (event) => hub.publish(event), caller: userCaller, defaultLeaseMs: options.defaultLeaseMs }));
  app.route('/api', hubRoutes(hub, { addons: options.addons ?? [], startedAt: options.startedAt, socket: options.socket, httpUrl: options.httpUrl }));
  options.extend?.(app, userCaller);
  return app;
}
