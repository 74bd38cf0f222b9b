import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { chmod, lstat, rm } from 'node:fs/promises';
import { isMainThread } from 'node:worker_threads';
import { createAdaptorServer, type WebSocketServerLike } from '@hono/node-server';
import createDebug from 'debug';
import { KitError, errnoCode } from '../internal/errors.js';

const debug = createDebug('kit:http');

/**
 * On close, in-flight requests get this long to finish before their connections are cut;
 * long-lived ones (SSE, followed logs, WebSockets) never finish by themselves.
 */
const DEFAULT_CLOSE_GRACE_MS = 1000;
/** How long to wait for a connection when probing whether a socket file has a live server. */
const PROBE_TIMEOUT_MS = 1000;
/** sun_path is 108 bytes on Linux and 104 on macOS, including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

export type ServeErrorCode = 'HTTP_SOCKET_IN_USE' | 'HTTP_NOT_A_SOCKET' | 'HTTP_SOCKET_PATH_TOO_LONG' | 'HTTP_LISTEN_FAILED';

/** `app.fetch` (or any fetch-style handler). */
export type FetchHandler = Parameters<typeof createAdaptorServer>[0]['fetch'];

export interface ServeOptions {
  /** A `ws` WebSocketServer created with `{ noServer: true }`, for hono's `upgradeWebSocket`. */
  websocket?: { server: WebSocketServerLike };
  /** See DEFAULT_CLOSE_GRACE_MS (default 1000). */
  closeGraceMs?: number;
}

export interface RunningServer extends AsyncDisposable {
  readonly server: Server;
  /** Stops listening, lets in-flight requests finish for `closeGraceMs`, then cuts every connection. */
  close(): Promise<void>;
}

export interface SocketServer extends RunningServer {
  readonly socketPath: string;
}

export interface PortServer extends RunningServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly hostname: string;
  readonly port: number;
}

export interface ServeOnPortOptions extends ServeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default `127.0.0.1`: never listen beyond loopback unless asked to. */
  hostname?: string;
}

/**
 * Serves `fetch` on a unix socket with mode 0600. A leftover socket file from a dead server is
 * removed; one with a live server behind it is an `HTTP_SOCKET_IN_USE` error.
 *
 * @example await using server = await serveOnSocket(app.fetch, join(home, 'cb.sock'));
 */
export async function serveOnSocket(fetch: FetchHandler, socketPath: string, options: ServeOptions = {}): Promise<SocketServer> {
  await prepareSocketPath(socketPath);
  // Requests over the socket may omit Host; node-server then builds the URL with this name.
  const server = createAdaptorServer({ fetch, hostname: 'localhost', websocket: options.websocket, serverOptions: { requireHostHeader: false } }) as Server;
  const close = trackConnections(server, options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS, async () => {
    await rm(socketPath, { force: true });
  });
  await listen(server, () => withUmask(0o177, () => server.listen(socketPath)));
  await chmod(socketPath, 0o600);
  debug('listening on %s', socketPath);
  return { server, socketPath, close, [Symbol.asyncDispose]: close };
}

/**
 * Serves `fetch` on TCP, loopback only by default.
 *
 * @example const server = await serveOnPort(app.fetch, { port: 0 }); console.log(server.url);
 */
export async function serveOnPort(fetch: FetchHandler, options: ServeOnPortOptions = {}): Promise<PortServer> {
  const hostname = options.hostname ?? '127.0.0.1';
  const server = createAdaptorServer({ fetch, websocket: options.websocket }) as Server;
  const close = trackConnections(server, options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS);
  await listen(server, () => server.listen(options.port ?? 0, hostname));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const url = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
  debug('listening on %s', url);
  return { server, url, hostname, port, close, [Symbol.asyncDispose]: close };
}

function listen(server: Server, start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(new KitError<ServeErrorCode>('HTTP_LISTEN_FAILED', `cannot listen: ${error.message}`, { cause: error }));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    start();
  });
}

/** Tracks every socket (upgraded ones too, which the http server forgets) and returns a close function. */
function trackConnections(server: Server, graceMs: number, afterClose?: () => Promise<void>): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (sockets.size > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        server.closeIdleConnections();
      }
      for (const socket of sockets) socket.destroy();
      await closed;
      await afterClose?.();
    })();
    return closing;
  };
}

async function prepareSocketPath(socketPath: string): Promise<void> {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new KitError<ServeErrorCode>(
      'HTTP_SOCKET_PATH_TOO_LONG',
      `socket path is ${Buffer.byteLength(socketPath)} bytes, over the OS limit of ${MAX_SOCKET_PATH_BYTES}: ${socketPath}`,
    );
  }
  let stats;
  try {
    stats = await lstat(socketPath);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw error;
  }
  if (!stats.isSocket()) {
    throw new KitError<ServeErrorCode>('HTTP_NOT_A_SOCKET', `${socketPath} exists and is not a socket; refusing to replace it`);
  }
  if (await hasListener(socketPath)) {
    throw new KitError<ServeErrorCode>('HTTP_SOCKET_IN_USE', `another server is listening on ${socketPath}`);
  }
  debug('removing stale socket %s', socketPath);
  await rm(socketPath, { force: true });
}

function hasListener(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path: socketPath });
    const done = (alive: boolean): void => {
      socket.destroy();
      resolve(alive);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(true));
    socket.once('connect', () => done(true));
    socket.once('error', (error) => done(!['ECONNREFUSED', 'ENOENT'].includes(errnoCode(error) ?? '')));
  });
}

/** Runs `fn` (which binds a socket synchronously) under a umask, so the socket is never briefly open to others. */
function withUmask(mask: number, fn: () => void): void {
  if (!isMainThread) return fn(); // worker threads cannot change the umask; chmod afterwards still applies
  const previous = process.umask(mask);
  try {
    fn();
  } finally {
    process.umask(previous);
  }
}
