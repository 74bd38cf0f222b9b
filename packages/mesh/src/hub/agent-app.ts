/**
 * The door agents use: connections that arrive through a host's reverse socket (`hub.sock` on that
 * host), relayed by the host's daemon after it checked the job's capability token. The hub trusts
 * the identity headers only here, and only for the host whose link the connection came through:
 * an agent acts as itself, on its own host, and reaches the board, messages and the channel —
 * nothing else.
 */
import type { Duplex } from 'node:stream';
import type { Server } from 'node:http';
import { Hono } from 'hono';
import { createAdaptorServer } from '@hono/node-server';
import { ProtocolError, PROTOCOL_VERSION } from '@flotilla/protocol';
import { boardRoutes } from './board-routes.js';
import { routeErrorHandler } from './board-routes-http.js';
import type { CallerOf } from './caller.js';
import type { Hub } from './hub.js';
import { MESH_VERSION } from '../version.js';

export interface AgentAppOptions {
  defaultLeaseMs: number;
  /** Mounts the routes that come with optional parts (messages, channel, profiles). */
  extend?: (app: Hono, caller: CallerOf) => void;
}

/** The agents' app for connections from `host`. */
export function createAgentApp(hub: Hub, host: string, options: AgentAppOptions): Hono {
  const app = new Hono();
  app.onError(routeErrorHandler);
  const caller: CallerOf = (c) => ({
    kind: 'agent',
    host,
    jobId: c.req.header('x-flotilla-agent-job') || undefined,
    session: c.req.header('x-flotilla-agent-session') || undefined,
  });
  app.get('/health', (c) => c.json({ pid: process.pid, version: MESH_VERSION, protocol: PROTOCOL_VERSION }));
  app.route('/api/board', boardRoutes({ store: hub.board, publish: (event) => hub.publish(event), caller, defaultLeaseMs: options.defaultLeaseMs }));
  options.extend?.(app, caller);
  app.all('*', (c) => {
    throw new ProtocolError('FORBIDDEN', `agents reach only the board, messages and the channel through the hub (not ${c.req.method} ${c.req.path})`);
  });
  return app;
}

/** One HTTP server per host, fed the reverse socket's connections (it never listens itself). */
export function createAgentDoor(hub: Hub, options: AgentAppOptions): { serve(host: string, stream: Duplex): void; close(): void } {
  const servers = new Map<string, Server>();
  return {
    serve(host, stream) {
      let server = servers.get(host);
      if (!server) {
        const app = createAgentApp(hub, host, options);
        server = createAdaptorServer({ fetch: app.fetch, hostname: 'localhost', serverOptions: { requireHostHeader: false } }) as Server;
        servers.set(host, server);
      }
      server.emit('connection', stream);
    },
    close() {
      for (const server of servers.values()) server.close();
      servers.clear();
    },
  };
}
