/**
 * Finding the server the bot drives — the kit's finder: `--server SOCKET|URL` / `--hub URL` (or
 * FLOTILLA_HUB; a URL's token from FLOTILLA_HUB_TOKEN or FLOTILLA_TOKEN, else the home's token
 * files), else a mesh hub answering on `$FLOTILLA_HOME/mesh.sock`, else the cb daemon's `cb.sock`.
 */
import { findFlotillaServer, type FlotillaServer } from '@flotilla/kit/client';
import type { Env } from './paths.js';

export type { FlotillaServer } from '@flotilla/kit/client';

/** The daemon or hub; a `ProtocolError` (`DAEMON_UNAVAILABLE`, with the fix) when none answers. */
export function findServer(options: { home: string; env: Env; server?: string }): Promise<FlotillaServer> {
  return findFlotillaServer({ ...options, clientName: 'cb-telegram' });
}
