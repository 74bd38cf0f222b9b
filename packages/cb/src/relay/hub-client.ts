/**
 * The daemon's way to the mesh hub. The hub connects out to this host over SSH and reverse-forwards
 * a unix socket to `$FLOTILLA_HOME/hub.sock`; a hub on this same machine and home listens on
 * `$FLOTILLA_HOME/mesh.sock` instead. Requests try `hub.sock`, then `mesh.sock`; when neither
 * answers, they fail at once with HUB_UNAVAILABLE (in words), never hang.
 */
import { join } from 'node:path';
import createDebug from 'debug';
import { createSocketTransport, isKitError } from '@flotilla/kit/transport';
import { errorFromEnvelope, ProtocolError, type Transport, type TransportRequest, type TransportResponse } from '@flotilla/protocol';
import type { z } from 'zod';

const debug = createDebug('cb:relay');

/**
 * A hub that takes longer than this to answer counts as gone: a claim is one short transaction on
 * the hub, so even a loaded hub answers within a second or two; an agent should not wait longer.
 */
export const HUB_TIMEOUT_MS = 15_000;

export const HUB_SOCKET = 'hub.sock';
export const MESH_SOCKET = 'mesh.sock';

export interface HubClient {
  /** The hub's answer, whatever its status; throws HUB_UNAVAILABLE when no hub answered. */
  request(req: Omit<TransportRequest, 'signal'>): Promise<TransportResponse>;
  /** `request`, then the body parsed with `schema`; a 4xx/5xx answer is thrown as the hub's own error. */
  call<T extends z.ZodType>(schema: T, req: Omit<TransportRequest, 'signal'>): Promise<z.infer<T>>;
}

export interface HubClientOptions {
  home: string;
  timeoutMs?: number;
  /** Tests: the sockets to try, in order (default hub.sock, then mesh.sock in `home`). */
  sockets?: string[];
}

export function hubUnavailable(detail: string): ProtocolError {
  return new ProtocolError('HUB_UNAVAILABLE', `the hub is not connected to this host; board calls need it (${detail})`, {
    fix: 'start the hub (`mesh serve`) on the machine that runs it and add this host (`mesh hosts add`); messages are queued meanwhile',
  });
}

export function createHubClient(options: HubClientOptions): HubClient {
  const timeoutMs = options.timeoutMs ?? HUB_TIMEOUT_MS;
  const sockets = options.sockets ?? [join(options.home, HUB_SOCKET), join(options.home, MESH_SOCKET)];
  const transports: [string, Transport][] = sockets.map((socket) => [socket, createSocketTransport(socket, { headers: { 'x-flotilla-client': 'cb-relay' } })]);

  async function request(req: Omit<TransportRequest, 'signal'>): Promise<TransportResponse> {
    const missed: string[] = [];
    for (const [socket, transport] of transports) {
      try {
        return await transport.request({ ...req, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        if (isKitError(error, 'DAEMON_UNAVAILABLE')) {
          missed.push(socket);
          continue;
        }
        if (isKitError(error, 'TRANSPORT_ABORTED')) throw hubUnavailable(`${socket} did not answer within ${timeoutMs / 1000} s`);
        debug('hub request %s %s over %s failed: %o', req.method, req.path, socket, error);
        throw hubUnavailable(`the connection through ${socket} failed: ${(error as Error).message}`);
      }
    }
    throw hubUnavailable(`nothing listens on ${missed.join(' or ')}`);
  }

  return {
    request,
    async call(schema, req) {
      const res = await request(req);
      if (res.status >= 400) throw errorFromEnvelope(res.status, res.body);
      const parsed = schema.safeParse(res.body);
      if (!parsed.success) {
        throw new ProtocolError('INTERNAL', `the hub's answer to ${req.method} ${req.path} does not match the protocol: ${parsed.error.issues[0]?.message ?? 'invalid'}`, {
          fix: 'the hub and this daemon may be of different versions; update both',
        });
      }
      return parsed.data;
    },
  };
}
