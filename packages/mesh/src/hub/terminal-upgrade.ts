/**
 * WebSocket upgrades on the hub's listeners, passed through byte for byte to a host's daemon. An
 * upgrade request first goes through the hub's app like any request (Host, Origin, token, then
 * the terminal route's own checks); a route that accepts it claims it with the daemon path and a
 * way to open a raw stream to the daemon's socket. The hub then repeats the handshake to the
 * daemon with the browser's key, answers the browser with the daemon's `101`, and copies bytes
 * both ways: frames are never parsed here, so the daemon's checks (read-only, input size, the
 * pane's fixed size) hold as they are. A daemon that refuses is answered with its status and its
 * `x-flotilla-error` header.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import createDebug from 'debug';
import { TERMINAL_ERROR_HEADER } from '@flotilla/protocol';
import { readResponseHead, type ResponseHead } from './terminal-response-head.js';

const log = createDebug('flotilla:mesh:terminal');

/** Where a claimed upgrade goes: a path on the daemon and how to reach its socket. */
export interface TerminalPassage {
  path: string;
  open(): Promise<Duplex>;
}

type Claim = (passage: TerminalPassage) => void;

/** The hub app's `fetch`, called with node-server's bindings plus the claim. */
export type UpgradeFetch = (request: Request, env: Record<string, unknown>) => Response | Promise<Response>;

/** The key under which the upgrade listener puts its claim function into hono's `c.env`. */
const CLAIM_KEY = 'flotillaTerminalUpgrade';

/** The claim function of a request that came through `serveTerminalUpgrades`; null otherwise (a plain GET). */
export function upgradeClaim(env: unknown): Claim | null {
  const claim = (env as Record<string, unknown> | undefined)?.[CLAIM_KEY];
  return typeof claim === 'function' ? (claim as Claim) : null;
}

/** Daemon handshake headers the browser must see, as the daemon sent them. */
const PASSED_BACK = new Set(['upgrade', 'connection', 'sec-websocket-accept', 'sec-websocket-extensions', 'sec-websocket-protocol']);
/** Browser handshake headers the daemon needs (its Host and Origin checks see the hub, a local client). */
const PASSED_ON = ['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol'];

/** Handles `upgrade` on `server` through `fetch` (the hub's app). */
export function serveTerminalUpgrades(server: Server, fetch: UpgradeFetch): void {
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) => log('browser socket: %s', error.message));
    void handleUpgrade(fetch, request, socket, head);
  });
}

async function handleUpgrade(fetch: UpgradeFetch, request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  let passage: TerminalPassage | null = null;
  const env = { incoming: request, outgoing: undefined, [CLAIM_KEY]: (claimed: TerminalPassage) => (passage = claimed) };
  let response: Response;
  try {
    response = await fetch(toFetchRequest(request), env);
  } catch (error) {
    log('upgrade of %s failed: %s', request.url, (error as Error).message);
    return refuse(socket, 500);
  }
  const claimed = passage as TerminalPassage | null;
  if (!claimed) return refuse(socket, response.status, response.headers.get(TERMINAL_ERROR_HEADER));
  try {
    await passThrough(claimed, request, socket, head);
  } catch (error) {
    const message = `the host's daemon could not be reached: ${(error as Error).message}`;
    refuse(socket, 502, encodeURIComponent(JSON.stringify({ error: { code: 'HOST_UNREACHABLE', message } })));
  }
}

/** Repeats the handshake to the daemon, then joins the two streams. */
async function passThrough(passage: TerminalPassage, request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const upstream = await passage.open();
  if (socket.destroyed) return void upstream.destroy();
  upstream.on('error', (error) => log('daemon stream: %s', error.message));
  const lines = [`GET ${passage.path} HTTP/1.1`, 'host: localhost', 'connection: Upgrade', 'upgrade: websocket', 'x-flotilla-client: mesh-hub'];
  for (const name of PASSED_ON) {
    const value = request.headers[name];
    if (typeof value === 'string') lines.push(`${name}: ${value}`);
  }
  upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
  let answer: ResponseHead;
  try {
    answer = await readResponseHead(upstream);
  } catch (error) {
    upstream.destroy();
    throw error;
  }
  if (answer.status !== 101) {
    upstream.destroy();
    return refuse(socket, answer.status, answer.headers.find(([name]) => name === TERMINAL_ERROR_HEADER)?.[1] ?? null);
  }
  const back = answer.headers.filter(([name]) => PASSED_BACK.has(name)).map(([name, value]) => `${name}: ${value}`);
  socket.write(`HTTP/1.1 101 Switching Protocols\r\n${back.join('\r\n')}\r\n\r\n`);
  if (answer.rest.length > 0) socket.write(answer.rest);
  if (head.length > 0) upstream.write(head);
  socket.pipe(upstream);
  upstream.pipe(socket);
  socket.once('close', () => upstream.destroy());
  upstream.once('close', () => socket.destroy());
}

function refuse(socket: Duplex, status: number, errorHeader?: string | null): void {
  if (socket.destroyed) return;
  const lines = ['Connection: close', 'Content-Length: 0'];
  if (errorHeader) lines.push(`${TERMINAL_ERROR_HEADER}: ${errorHeader}`);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n`);
}

function toFetchRequest(request: IncomingMessage): Request {
  const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return new Request(url, { headers });
}
