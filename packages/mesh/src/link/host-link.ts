/**
 * The hub's link to one host: one SSH connection (ssh2), kept up with reconnects, over which the
 * hub reaches the host's `cb` daemon (HTTP over forwarded unix-socket channels, a small pool so
 * sshd's MaxSessions is never hit), runs commands (exec), copies files (SFTP) and offers the hub
 * to the host's agents (a reverse-forwarded unix socket). Nothing listens on a port anywhere.
 */
import type { Duplex } from 'node:stream';
import type { HostKeyStatus, LinkState, Transport } from '@flotilla/protocol';

export interface LinkStatus {
  state: LinkState;
  /** When `state` last changed (ISO). */
  since: string;
  /** Why the link is down or refused, in words; null when up. */
  error: string | null;
  /** The host key seen on the last handshake and what known_hosts says about it. */
  hostKey: HostKeyStatus | null;
}

export interface ExecOptions {
  /** Written to the command's stdin, then closed. */
  stdin?: string | Buffer;
  /**
   * Reject after this long (default 60 s), sending the session a KILL and closing the channel.
   * OpenSSH ignores the KILL for root logins, where the command then outlives the timeout.
   */
  timeoutMs?: number;
}

export interface ExecResult {
  /** The remote exit code; null when it died on a signal. */
  code: number | null;
  /** The signal it died on, as node names them (`SIGTERM`: ssh2 adds the `SIG` OpenSSH leaves out). */
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface HostLink {
  readonly name: string;
  status(): LinkStatus;
  /** Called on every status change; returns the unsubscribe function. */
  onStatus(listener: (status: LinkStatus) => void): () => void;
  /** Resolves once the link is up; rejects with the refusal or after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  /**
   * A protocol transport to a unix socket on the host (the `cb` daemon's), over forwarded
   * streamlocal channels. Requests while the link is down reject with `DAEMON_UNAVAILABLE`.
   */
  transport(remoteSocketPath: string, options?: { headers?: Record<string, string> }): Transport;
  /**
   * A raw byte stream to a unix socket on the host, on a forwarded channel of its own (not from
   * the transport's pools): for what HTTP requests cannot carry, such as a WebSocket upgrade the
   * hub passes through to the daemon. Rejects with `DAEMON_UNAVAILABLE` while the link is down.
   */
  openStream(remoteSocketPath: string): Promise<Duplex>;
  /** Runs `command` through the remote user's shell. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /**
   * Listens on `remoteSocketPath` on the host (reverse streamlocal forwarding; a stale socket
   * file is removed first) and hands each connection to `onConnection`. Re-established after every
   * reconnect. Resolves the function that stops listening.
   */
  serveReverse(remoteSocketPath: string, onConnection: (stream: Duplex) => void): Promise<() => Promise<void>>;
  /** Copies a local file to the host over SFTP (mode kept), creating no directories. */
  putFile(localPath: string, remotePath: string): Promise<void>;
  /** Copies a file from the host over SFTP. */
  getFile(remotePath: string, localPath: string): Promise<void>;
  /** Drops the connection and stops reconnecting. */
  close(): Promise<void>;
  /**
   * Tries to connect now instead of waiting for the next retry (a refused key is retried only
   * so, or every 5 minutes): call it after `mesh hosts trust` or when hosts.json changes.
   */
  reconnectNow?(): void;
  /** Where the link goes, `user@host:port` (and `via` its jump hosts): `Host.target`. Null before the first attempt. */
  describeTarget?(): string | null;
}
