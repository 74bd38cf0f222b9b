/**
 * The protocol `Transport` to a unix socket on the host, over `direct-streamlocal@openssh.com`
 * channels (what `ssh -L local:/remote.sock` uses). Two pools per link and socket path:
 * - requests: at most `maxRequestChannels` channels (default 4), kept alive and reused (HTTP
 *   keep-alive), closed after 30 s idle; requests beyond it queue in the agent;
 * - streams (SSE, `logs -f`): one channel each, at most `maxStreamChannels` (default 16), so
 *   long-lived streams never take the request channels.
 * OpenSSH's MaxSessions (default 10) counts session channels (exec, sftp) only, not forwarded
 * ones; the request pool is small anyway so one host never holds many idle channels.
 */
import { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import type { Transport, TransportRequest } from '@flotilla/protocol';
import { createAgentTransport, KitError } from '@flotilla/kit/transport';
import { LazyChannel } from './lazy-channel.js';

export const DEFAULT_MAX_REQUEST_CHANNELS = 4;
export const DEFAULT_MAX_STREAM_CHANNELS = 16;
/** Idle request channels are closed after this long. */
const IDLE_CHANNEL_MS = 30_000;

/** What the pools need from the link: its name, and the live ssh2 client or why there is none. */
export interface ChannelSource {
  readonly name: string;
  /** The connected client, or the reason the link is not up (in words). */
  client(): Client | string;
}

export interface ChannelPoolLimits {
  maxRequestChannels: number;
  maxStreamChannels: number;
}

/** The pools of one remote socket; `dropAll` closes every channel (the link went down). */
export interface SocketPools {
  transport(headers?: Record<string, string>): Transport;
  dropAll(): void;
  /** Channels open now, for figures and tests. */
  openChannels(): { requests: number; streams: number };
}

export function createSocketPools(source: ChannelSource, socketPath: string, limits: ChannelPoolLimits): SocketPools {
  const open = { requests: 0, streams: 0 };
  const requestAgent = channelAgent(source, socketPath, { keepAlive: true, maxSockets: limits.maxRequestChannels, timeout: IDLE_CHANNEL_MS }, open, 'requests');
  const streamAgent = channelAgent(source, socketPath, { keepAlive: false, maxSockets: limits.maxStreamChannels }, open, 'streams');
  const label = `${socketPath} on ${source.name}`;
  return {
    transport: (headers = {}) => {
      const requests = createAgentTransport(requestAgent, { label, headers });
      const streams = createAgentTransport(streamAgent, { label, headers });
      return {
        request: (req: TransportRequest) => requests.request(req),
        stream: (req: TransportRequest) => streams.stream(req),
      };
    },
    dropAll: () => {
      requestAgent.destroy();
      streamAgent.destroy();
    },
    openChannels: () => ({ ...open }),
  };
}

type Counter = { requests: number; streams: number };

function channelAgent(source: ChannelSource, socketPath: string, options: ConstructorParameters<typeof Agent>[0], open: Counter, kind: keyof Counter): Agent {
  const agent = new Agent(options);
  // node's http.Agent calls createConnection(options, callback); it is not in @types/node.
  (agent as unknown as { createConnection: () => Duplex }).createConnection = () => {
    const channel = new LazyChannel(openChannel(source, socketPath));
    open[kind] += 1;
    channel.once('close', () => {
      open[kind] -= 1;
    });
    return channel;
  };
  return agent;
}

/** One forwarded channel to `socketPath` on the host: what every pooled connection is, and a raw stream. */
export function openChannel(source: ChannelSource, socketPath: string): Promise<Duplex> {
  const client = source.client();
  if (typeof client === 'string') {
    return Promise.reject(new KitError('DAEMON_UNAVAILABLE', `the SSH link to ${source.name} is down: ${client}`));
  }
  return new Promise((resolve, reject) => {
    try {
      client.openssh_forwardOutStreamLocal(socketPath, (error, channel) => {
        if (error) reject(new KitError('DAEMON_UNAVAILABLE', `nothing is listening on ${socketPath} on ${source.name} (${error.message}); is the daemon running there?`, { cause: error }));
        else resolve(channel);
      });
    } catch (error) {
      // ssh2 throws "Not connected" synchronously when the socket has just closed.
      reject(new KitError('DAEMON_UNAVAILABLE', `the SSH link to ${source.name} is down: ${(error as Error).message}`, { cause: error }));
    }
  });
}
