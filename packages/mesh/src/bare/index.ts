/**
 * Driving a host where `cb` cannot run through tmux over SSH exec (issue 6, item 2): the hub keeps
 * one `BareDriver` per such host, whose transport answers like a daemon for the part of the API
 * the hub forwards, and whose poller turns what it sees on the host into events.
 */
import { createClient, type FlotillaClient, type Transport } from '@flotilla/protocol';
import type { HostLink } from '../link/host-link.js';
import { BareHost } from './bare-host.js';
import { BareSessions } from './bare-sessions.js';
import { createBareTransport } from './bare-transport.js';

export { followBareHost, forgetBareCursor } from './follow-bare-host.js';
export { BARE_SLOTS, BARE_VERSION } from './bare-transport.js';

export interface BareDriver {
  host: BareHost;
  transport: Transport;
  client: FlotillaClient;
}

export function createBareDriver(options: { name: string; link: HostLink; now?: () => Date }): BareDriver {
  const host = new BareHost(options);
  const transport = createBareTransport(host, new BareSessions(host), host.now());
  return { host, transport, client: createClient(transport) };
}
