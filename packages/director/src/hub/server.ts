/**
 * Finding the server the director dispatches through — the kit's finder (`--server SOCKET|URL`,
 * `--hub URL`, else `$FLOTILLA_HOME/mesh.sock`, else `cb.sock`), as `cb-telegram` finds its own.
 */
import { findFlotillaServer, findLocalDaemon as findLocalDaemonAs, resolveFlotillaHome, type Env, type FlotillaServer } from '@flotilla/kit/client';

export { withTimeout, type Env, type FlotillaServer } from '@flotilla/kit/client';

const CLIENT_NAME = 'flotilla-director';

/** `$FLOTILLA_HOME`, default `~/.flotilla`, as cb and mesh resolve it. */
export function resolveHome(env: Env = process.env): string {
  return resolveFlotillaHome(env);
}

/** The hub or daemon to dispatch through; a `ProtocolError` (`DAEMON_UNAVAILABLE`, with the fix) when none answers. */
export function findServer(options: { home: string; env: Env; server?: string }): Promise<FlotillaServer> {
  return findFlotillaServer({ ...options, clientName: CLIENT_NAME });
}

/** This machine's cb daemon on its socket (for the pre-flight behind a hub); null when none answers. */
export function findLocalDaemon(home: string): Promise<FlotillaServer | null> {
  return findLocalDaemonAs(home, CLIENT_NAME);
}
