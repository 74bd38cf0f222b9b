/**
 * How the hub finds which host holds a job or a session, and forwards a request to that host's
 * daemon: the answer comes back as the daemon gave it, with objects renamed to the fleet's host name.
 */
import type { Context } from 'hono';
import { ProtocolError, type HttpMethod, type Job, type Session } from '@flotilla/protocol';
import type { HostConnection } from './host-connection.js';
import type { Hub } from './hub.js';
import { withFleetHost } from './mirror-rules.js';

/** The connection of a named host, or a 404 in words. */
export function requireHost(hub: Hub, name: string): HostConnection {
  const connection = hub.connection(name);
  if (!connection) {
    throw new ProtocolError('HOST_NOT_FOUND', `no host named ${name} in this fleet`, { fix: 'see `mesh hosts ls`; add one with `mesh hosts add NAME`' });
  }
  return connection;
}

/** A job by full id or unique prefix, from the fleet mirror. */
export function findJob(hub: Hub, idOrPrefix: string): Job {
  const exact = hub.store.getJob(idOrPrefix.toUpperCase());
  if (exact) return exact;
  const ids = idOrPrefix.length >= 4 ? hub.store.jobIdsByPrefix(idOrPrefix, 2) : [];
  if (ids.length === 1) return hub.store.getJob(ids[0]!)!;
  if (ids.length > 1) throw new ProtocolError('CONFLICT', `${idOrPrefix} is the start of several jobs`, { fix: 'give more of the id' });
  throw new ProtocolError('JOB_NOT_FOUND', `no job ${idOrPrefix} on any host of this fleet`, { fix: 'see `mesh ls`' });
}

/** `name` or `name@host` → the session's host and its name there. */
export function findSession(hub: Hub, ref: string): { host: string; name: string; session: Session | null } {
  const at = ref.lastIndexOf('@');
  if (at > 0) {
    const name = ref.slice(0, at);
    const host = ref.slice(at + 1);
    requireHost(hub, host);
    return { host, name, session: hub.store.listSessions({ host, all: true }).find((s) => s.name === name) ?? null };
  }
  const named = hub.store.sessionsNamed(ref);
  const live = named.filter((session) => session.endedAt === null);
  const candidates = live.length > 0 ? live : named;
  const hosts = new Set(candidates.map((session) => session.host));
  if (hosts.size > 1) {
    throw new ProtocolError('CONFLICT', `a session named ${ref} exists on ${[...hosts].join(' and ')}`, { fix: `name one: ${ref}@${[...hosts][0]}` });
  }
  const session = candidates[0];
  if (!session) throw new ProtocolError('SESSION_NOT_FOUND', `no session ${ref} on any host of this fleet`, { fix: 'see `mesh session ls`' });
  return { host: session.host, name: session.name, session };
}

/** The host's daemon client, or 503 in words when its link is down. */
export function reachable(connection: HostConnection) {
  const transport = connection.transport();
  if (!transport) {
    const host = connection.host();
    throw new ProtocolError('HOST_UNREACHABLE', `${connection.name} is unreachable${host.error ? `: ${host.error}` : ''}`, {
      fix: 'its jobs keep running there; the hub reconnects by itself (see `mesh hosts ls`)',
    });
  }
  return transport;
}

/** Forwards the request to `path` on `connection`'s daemon and answers with its reply. */
export async function forward(c: Context, connection: HostConnection, path: string): Promise<Response> {
  const transport = reachable(connection);
  const method = c.req.method as HttpMethod;
  const text = method === 'GET' || method === 'DELETE' ? '' : await c.req.text();
  const query = Object.fromEntries(new URL(c.req.url).searchParams);
  delete query.host;
  const res = await transport.request({ method, path, query, body: parseBody(text) });
  const body = typeof res.body === 'string' ? res.body : withFleetHost(res.body, connection.name);
  if (typeof body === 'string') return c.text(body, res.status as 200);
  return c.json(body as object, res.status as 200);
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProtocolError('BAD_REQUEST', 'the request body is not valid JSON');
  }
}
