/**
 * Serves hub route factories the way the hub does — a kit secure app with a token, on 127.0.0.1
 * port 0 — so route tests go through real HTTP and the protocol clients. The caller of each
 * request comes from a test header (the hub's auth sets it from the request's credentials).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, Hono } from 'hono';
import { createSecureApp, serveOnPort } from '@flotilla/kit/http';
import { createHttpTransport } from '@flotilla/kit/transport';
import type { Transport } from '@flotilla/protocol';
import type { Caller } from '../hub/caller.js';

const TOKEN = 'hub-routes-test-token-0123456789';
const CALLER_HEADER = 'x-test-caller';

/** The test's stand-in for the hub's auth: the caller named in a header, else the user. */
export function callerFromTestHeader(c: Context): Caller {
  const header = c.req.header(CALLER_HEADER);
  return header === undefined ? { kind: 'user' } : (JSON.parse(header) as Caller);
}

export interface ServedRoutes extends AsyncDisposable {
  url: string;
  token: string;
  /** A keep-alive HTTP transport with the token, speaking as `caller` (default: the user). */
  transport(caller?: Caller): Transport;
  close(): Promise<void>;
}

export async function serveRoutes(mount: (app: Hono) => void): Promise<ServedRoutes> {
  const app = createSecureApp({ token: TOKEN, requireToken: true });
  mount(app);
  const server = await serveOnPort(app.fetch);
  const close = () => server.close();
  return {
    url: server.url,
    token: TOKEN,
    transport: (caller) =>
      createHttpTransport(server.url, { token: TOKEN, headers: caller === undefined ? {} : { [CALLER_HEADER]: JSON.stringify(caller) } }),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A temp directory holding `hub.db`, removed on dispose. */
export function tempHubDb(): { path: string; dir: string } & Disposable {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-hub-'));
  return { dir, path: join(dir, 'hub.db'), [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}
