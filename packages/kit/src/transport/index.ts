/**
 * `@flotilla/kit/transport` — the `Transport` of `@flotilla/protocol` over node:http, to a daemon's
 * unix socket or to an http(s) URL. Kept dependency-free: the CLI loads it on every start.
 */
import type { Agent } from 'node:http';
import type { Transport } from '@flotilla/protocol';
import { createNodeTransport } from './node-transport.js';

export type { TransportErrorCode } from './node-transport.js';
export { KitError, isKitError } from '../internal/errors.js';

export interface TransportOptions {
  /** Sent with every request (e.g. `x-flotilla-client: cb/0.1.0`). */
  headers?: Record<string, string>;
}

export interface HttpTransportOptions extends TransportOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
}

/**
 * A transport to a daemon's unix socket. Connection failures reject with `DAEMON_UNAVAILABLE`.
 *
 * @example
 * const transport = createSocketTransport(join(home, 'cb.sock'));
 * const res = await transport.request({ method: 'GET', path: '/health' });
 */
export function createSocketTransport(socketPath: string, options: TransportOptions = {}): Transport {
  return createNodeTransport({ kind: 'socket', socketPath }, { host: 'localhost', ...options.headers });
}

/**
 * A transport to an http(s) base URL (`http://127.0.0.1:8123`, optionally with a path prefix).
 *
 * @example
 * const transport = createHttpTransport('http://127.0.0.1:8123', { token });
 */
export function createHttpTransport(baseUrl: string, options: HttpTransportOptions = {}): Transport {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return createNodeTransport({ kind: 'url', url: new URL(baseUrl) }, headers);
}

/**
 * A transport over the connections `agent` makes: for streams that are not a local socket or URL
 * (e.g. SSH-forwarded channels). The agent decides pooling and keep-alive; its `createConnection`
 * may fail with a `KitError` (`DAEMON_UNAVAILABLE`), which requests reject with unchanged.
 *
 * @example
 * const transport = createAgentTransport(agent, { label: 'ssh://box/root/.flotilla/cb.sock' });
 */
export function createAgentTransport(agent: Agent, options: TransportOptions & { label: string }): Transport {
  return createNodeTransport({ kind: 'agent', agent, label: options.label }, { host: 'localhost', ...options.headers });
}
