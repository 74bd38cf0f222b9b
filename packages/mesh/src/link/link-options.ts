/** `openHostLink`'s options and their defaults. */
import { homedir, userInfo } from 'node:os';
import type { SshConfigOptions, SshTarget } from '../ssh/ssh-config.js';
import { DEFAULT_MAX_REQUEST_CHANNELS, DEFAULT_MAX_STREAM_CHANNELS } from './channel-transport.js';

export interface OpenHostLinkOptions {
  /** The host's name in the fleet (messages and advice use it). */
  name: string;
  /**
   * What to connect to: an ssh alias or `user@host[:port]`, resolved through ssh_config again
   * on every connection attempt (config edits apply on the next reconnect), or a resolved target.
   */
  target: string | SshTarget;
  /** How aliases and ProxyJump hops resolve; default: this user's home and name, the system config. */
  sshConfig?: SshConfigOptions;
  /** The ssh-agent socket; default `SSH_AUTH_SOCK`; null: no agent. */
  agentSocket?: string | null;
  /** TCP connect + handshake + auth, per hop (default 15 s). */
  readyTimeoutMs?: number;
  /** A dead link is noticed after interval × (countMax + 1) (default 2 s × 4 = 8 s). */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Reconnect delays: `initialMs` doubling up to `maxMs` (1 s to 30 s), reset once up. */
  backoff?: { initialMs?: number; maxMs?: number };
  /**
   * A refused host key is not retried in a loop: only on `reconnectNow()` (call it after
   * `mesh hosts trust`) or once per `refusedRetryMs` (default 5 min).
   */
  refusedRetryMs?: number;
  /** Forwarded channels per remote socket for requests (default 4; more queue) and for streams (default 16). */
  maxRequestChannels?: number;
  maxStreamChannels?: number;
  /** Concurrent session channels, exec and SFTP (default 6; OpenSSH's MaxSessions defaults to 10). */
  maxSessionChannels?: number;
  /** Things worth a log line that are not a status change (a reverse socket that failed to bind again). */
  onLog?: (message: string) => void;
}

export interface LinkSettings {
  readyTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  refusedRetryMs: number;
  maxRequestChannels: number;
  maxStreamChannels: number;
  maxSessionChannels: number;
  agentSocket: string | null;
  sshConfig: SshConfigOptions;
}

export function linkSettings(options: OpenHostLinkOptions): LinkSettings {
  const agentSocket = options.agentSocket === undefined ? process.env.SSH_AUTH_SOCK || null : options.agentSocket;
  return {
    readyTimeoutMs: options.readyTimeoutMs ?? 15_000,
    keepaliveIntervalMs: options.keepaliveIntervalMs ?? 2_000,
    keepaliveCountMax: options.keepaliveCountMax ?? 3,
    backoffInitialMs: options.backoff?.initialMs ?? 1_000,
    backoffMaxMs: options.backoff?.maxMs ?? 30_000,
    refusedRetryMs: options.refusedRetryMs ?? 5 * 60_000,
    maxRequestChannels: positive(options.maxRequestChannels, DEFAULT_MAX_REQUEST_CHANNELS, 'maxRequestChannels'),
    maxStreamChannels: positive(options.maxStreamChannels, DEFAULT_MAX_STREAM_CHANNELS, 'maxStreamChannels'),
    maxSessionChannels: positive(options.maxSessionChannels, 6, 'maxSessionChannels'),
    agentSocket,
    sshConfig: options.sshConfig ?? { home: homedir(), localUser: userInfo().username },
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
