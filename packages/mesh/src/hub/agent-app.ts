/**
 * The door agents use: connections that arrive through a host's reverse socket (`hub.sock` on that
 * host), relayed by the host's daemon after it checked the job's capability token. The hub trusts
 * the identity headers only here, and only for the host whose link the connection came through:
 * an agent acts as itself, on its own host, and reaches the board, messages and the channel —
 * nothing else.
 */
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Hono } from 'hono';
import createDebug from 'debug';
import { getRequestListener } from '@hono/node-server';
import { ProtocolError, PROTOCOL_VERSION } from '@flotilla/protocol';
import { boardRoutes } from './board-routes.js';
import { branchFollowsClaim } from './branch-move.js';
import { routeErrorHandler } from './board-routes-http.js';
import type { CallerOf } from './caller.js';
import type { Hub } from './hub.js';
import { createSqliteProfileStore } from './profile-store.js';
import { MESH_VERSION } from '../version.js';

const log = createDebug('flotilla:mesh:agents');

export interface AgentAppOptions {
  defaultLeaseMs: number;
  /** The roles a session declared (the names it may claim tasks for); the door reads the hub's profiles by default. */
  rolesOf?: (session: string) => Promise<readonly string[]>;
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
  app.use('/api/board/claim', branchFollowsClaim(hub, caller));
  app.use('/api/board/:ref/claim', branchFollowsClaim(hub, caller));
  const publish = (event: Parameters<Hub['publish']>[0]) => hub.publish(event);
  app.route('/api/board', boardRoutes({ store: hub.board, publish, caller, defaultLeaseMs: options.defaultLeaseMs, rolesOf: options.rolesOf }));
  options.extend?.(app, caller);
  app.all('*', (c) => {
    throw new ProtocolError('FORBIDDEN', `agents reach only the board, messages and the channel through the hub (not ${c.req.method} ${c.req.path})`);
  });
  return app;
}

/**
 * One HTTP server per host that never listens: each connection from the host's reverse socket
 * (an SSH channel) is handed to it as it arrives, synchronously, so no byte is read before the
 * server's parser is attached.
 */
export function createAgentDoor(hub: Hub, options: AgentAppOptions): { serve(host: string, stream: Duplex): void; close(): Promise<void> } {
  const servers = new Map<string, Server>();
  const profiles = options.rolesOf ? null : createSqliteProfileStore({ path: hub.dbPath });
  const rolesOf = options.rolesOf ?? (async (session: string) => (await profiles?.get(session))?.roles ?? []);
  return {
    serve(host, stream) {
      let server = servers.get(host);
      if (!server) {
        server = createServer(getRequestListener(createAgentApp(hub, host, { ...options, rolesOf }).fetch));
        servers.set(host, server);
      }
      stream.on('error', (error: Error) => log('agent connection from %s failed: %s', host, error.message));
      server.emit('connection', stream);
    },
    async close() {
      for (const server of servers.values()) server.close();
      servers.clear();
      await profiles?.close();
    },
  };
}
