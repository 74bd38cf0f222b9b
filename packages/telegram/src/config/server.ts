/**
 * Finding the server the bot drives: `--server SOCKET|URL` / `--hub URL` (or FLOTILLA_HUB; a URL's
 * token from FLOTILLA_HUB_TOKEN or FLOTILLA_TOKEN), else a mesh hub answering on
 * `$FLOTILLA_HOME/mesh.sock`, else the cb daemon's `$FLOTILLA_HOME/cb.sock`.
 */
import { createHttpTransport, createSocketTransport } from '@flotilla/kit/transport';
import { createClient, ProtocolError, type Capabilities, type FlotillaClient, type Transport } from '@flotilla/protocol';
import { telegramPaths, type Env } from './paths.js';

const CLIENT_HEADERS = { 'x-flotilla-client': 'cb-telegram' };
/** A local socket answers in milliseconds; a second means nothing useful listens there. */
const PROBE_TIMEOUT_MS = 3_000;

export interface FlotillaServer {
  transport: Transport;
  client: FlotillaClient;
  capabilities: Capabilities;
  isHub: boolean;
  /** Where it was found, for the log: a URL or a socket path. */
  where: string;
}

/**
 * Connects to the daemon or hub, probing `/api/capabilities`; throws a `ProtocolError`
 * (`DAEMON_UNAVAILABLE`, with the fix) when nothing answers.
 *
 * @example
 * const server = await findServer({ home, env: process.env, server: opts.server });
 */
export async function findServer(options: { home: string; env: Env; server?: string }): Promise<FlotillaServer> {
  const given = options.server ?? options.env.FLOTILLA_HUB;
  if (given && !/^https?:\/\//.test(given)) {
    const found = await probe(createSocketTransport(given, { headers: CLIENT_HEADERS }), given);
    if (found) return found;
    throw new ProtocolError('DAEMON_UNAVAILABLE', `no cb daemon or mesh hub answers on ${given}`, {
      fix: 'start it (`cb daemon start` or `mesh serve`), or pass the socket it listens on',
    });
  }
  const url = given;
  if (url) {
    const token = options.env.FLOTILLA_HUB_TOKEN ?? options.env.FLOTILLA_TOKEN;
    const transport = createHttpTransport(url, { token, headers: CLIENT_HEADERS });
    const found = await probe(transport, url);
    if (found) return found;
    throw new ProtocolError('DAEMON_UNAVAILABLE', `no Flotilla hub answers at ${url}`, {
      fix: 'check the URL and that `mesh serve --port N` runs there; set FLOTILLA_HUB_TOKEN to its token',
    });
  }
  const paths = telegramPaths(options.home);
  for (const socket of [paths.meshSocket, paths.cbSocket]) {
    const found = await probe(createSocketTransport(socket, { headers: CLIENT_HEADERS }), socket);
    if (found) return found;
  }
  throw new ProtocolError('DAEMON_UNAVAILABLE', `no cb daemon or mesh hub answers in ${options.home} (tried ${paths.meshSocket} and ${paths.cbSocket})`, {
    fix: 'start one (`cb daemon start` or `mesh serve`), set FLOTILLA_HOME to its home, or pass --hub URL',
  });
}

async function probe(transport: Transport, where: string): Promise<FlotillaServer | null> {
  const client = createClient(transport);
  try {
    const capabilities = await Promise.race([
      client.capabilities(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS).unref()),
    ]);
    return { transport, client, capabilities, isHub: capabilities.kind === 'hub', where };
  } catch {
    return null;
  }
}
