/**
 * `@flotilla/kit/client` — finding the Flotilla server a client drives (the bot, the director):
 * `--server SOCKET|URL` or `--hub URL` (or FLOTILLA_HUB), else a mesh hub answering on
 * `$FLOTILLA_HOME/mesh.sock`, else the cb daemon's `$FLOTILLA_HOME/cb.sock`. A URL's token comes
 * from FLOTILLA_HUB_TOKEN or FLOTILLA_TOKEN, else from the token files in FLOTILLA_HOME
 * (`hub-token` for a hub, `token` for a daemon). Loads the protocol (zod): not for the CLI fast path.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient, ProtocolError, type Capabilities, type FlotillaClient, type Transport } from '@flotilla/protocol';
import { createHttpTransport, createSocketTransport } from '../transport/index.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** A local socket answers in milliseconds; a few seconds means nothing useful listens there. */
const PROBE_TIMEOUT_MS = 5_000;

export interface FlotillaServer {
  transport: Transport;
  client: FlotillaClient;
  capabilities: Capabilities;
  isHub: boolean;
  /** Where it was found, for the log: a URL or a socket path. */
  where: string;
  /** Reached over a unix socket, so it runs on this machine. */
  local: boolean;
}

export interface FindServerOptions {
  home: string;
  env: Env;
  /** `--server SOCKET|URL` / `--hub URL`. */
  server?: string;
  /** Sent as `x-flotilla-client`. */
  clientName: string;
}

/** `$FLOTILLA_HOME`, default `~/.flotilla`, as cb and mesh resolve it. */
export function resolveFlotillaHome(env: Env = process.env): string {
  return resolve(env.FLOTILLA_HOME || join(homedir(), '.flotilla'));
}

/** The sockets and token files under a FLOTILLA_HOME (cb falls back to /tmp when the home path is too long for a socket). */
export function flotillaServerPaths(home: string): { cbSocket: string; meshSocket: string; cbToken: string; hubToken: string } {
  const cbSocket = join(home, 'cb.sock');
  const hash = createHash('sha256').update(home).digest('hex').slice(0, 12);
  return {
    cbSocket: cbSocket.length < 100 ? cbSocket : join('/tmp', `flotilla-${hash}.sock`),
    meshSocket: join(home, 'mesh.sock'),
    cbToken: join(home, 'token'),
    hubToken: join(home, 'hub-token'),
  };
}

/**
 * Connects to the hub or daemon, probing `/api/capabilities`; throws a `ProtocolError`
 * (`DAEMON_UNAVAILABLE`, with the fix) when nothing answers.
 *
 * @example
 * const server = await findFlotillaServer({ home: resolveFlotillaHome(), env: process.env, server: opts.server, clientName: 'cb-telegram' });
 */
export async function findFlotillaServer(options: FindServerOptions): Promise<FlotillaServer> {
  const headers = { 'x-flotilla-client': options.clientName };
  const given = options.server ?? options.env.FLOTILLA_HUB;
  const paths = flotillaServerPaths(options.home);
  if (given !== undefined && given !== '' && !/^https?:\/\//.test(given)) {
    const found = await probe(createSocketTransport(given, { headers }), given, true);
    if (found) return found;
    throw new ProtocolError('DAEMON_UNAVAILABLE', `no cb daemon or mesh hub answers on ${given}`, {
      fix: 'start it (`cb daemon start` or `mesh serve`), or pass the socket it listens on',
    });
  }
  if (given !== undefined && given !== '') {
    const fromEnv = options.env.FLOTILLA_HUB_TOKEN ?? options.env.FLOTILLA_TOKEN;
    const tokens = fromEnv !== undefined ? [fromEnv] : [await readToken(paths.hubToken), await readToken(paths.cbToken)];
    for (const token of tokens) {
      if (token === null) continue;
      const found = await probe(createHttpTransport(given, { token, headers }), given, false);
      if (found) return found;
    }
    throw new ProtocolError('DAEMON_UNAVAILABLE', `no Flotilla hub or daemon answers at ${given} (with the token ${fromEnv !== undefined ? 'from the environment' : `from ${paths.hubToken} or ${paths.cbToken}`})`, {
      fix: 'check the URL and that `mesh serve --port N` (or `cb serve`) runs there; set FLOTILLA_HUB_TOKEN to its token',
    });
  }
  for (const socket of [paths.meshSocket, paths.cbSocket]) {
    const found = await probe(createSocketTransport(socket, { headers }), socket, true);
    if (found) return found;
  }
  throw new ProtocolError('DAEMON_UNAVAILABLE', `no mesh hub or cb daemon answers in ${options.home} (tried ${paths.meshSocket} and ${paths.cbSocket})`, {
    fix: 'start one (`mesh serve` or `cb daemon start`), set FLOTILLA_HOME to its home, or pass --hub URL / --server SOCKET',
  });
}

/** This machine's cb daemon on its socket (not a hub); null when none answers. */
export async function findLocalDaemon(home: string, clientName: string): Promise<FlotillaServer | null> {
  const socket = flotillaServerPaths(home).cbSocket;
  const found = await probe(createSocketTransport(socket, { headers: { 'x-flotilla-client': clientName } }), socket, true);
  return found !== null && !found.isHub ? found : null;
}

/** Rejects with "<what> did not answer within N s" when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what = 'the server'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${Math.round(ms / 1000)} s`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function readToken(path: string): Promise<string | null> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return text === '' ? null : text;
  } catch {
    return null;
  }
}

async function probe(transport: Transport, where: string, local: boolean): Promise<FlotillaServer | null> {
  const client = createClient(transport);
  try {
    const capabilities = await withTimeout(client.capabilities(), PROBE_TIMEOUT_MS);
    return { transport, client, capabilities, isHub: capabilities.kind === 'hub', where, local };
  } catch {
    return null;
  }
}
