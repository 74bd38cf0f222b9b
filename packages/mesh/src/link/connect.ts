/**
 * One SSH connection to one resolved target, host key checked against known_hosts (read fresh
 * each time) and authenticated by the agent or key files. Used for the target and for each jump
 * host on the way (see proxy-jump.ts).
 */
import type { Duplex } from 'node:stream';
import { Client } from 'ssh2';
import type { HostKeyStatus } from '@flotilla/protocol';
import { readKnownHosts } from '../ssh/known-hosts.js';
import { createHostVerifier, HostKeyError } from '../ssh/known-hosts-verifier.js';
import { DEFAULT_IDENTITY_FILES, type SshTarget } from '../ssh/ssh-config.js';
import { describeAuthFailure, planAuth } from './auth.js';
import { describeConnectError } from './link-errors.js';

export interface ConnectSettings {
  /** ssh-agent socket, or null for none. */
  agentSocket: string | null;
  /** The local home, to tell OpenSSH's default IdentityFiles from configured ones. */
  home: string;
  /** ssh2 `readyTimeout`: TCP connect plus handshake plus auth. */
  readyTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** The name the user knows the host by, for the advice in refusals (`mesh hosts trust NAME`). */
  hostName: string;
}

export interface Connected {
  client: Client;
  hostKey: HostKeyStatus;
}

/** A connection failure: `hostKey` is set once the server showed its key (refused or not). */
export class ConnectError extends Error {
  readonly hostKey: HostKeyStatus | null;
  readonly refused: boolean;
  constructor(message: string, options: { hostKey: HostKeyStatus | null; refused: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'ConnectError';
    this.hostKey = options.hostKey;
    this.refused = options.refused;
  }
}

/** `user@host:port`, as messages name a target. */
export function targetLabel(target: Pick<SshTarget, 'user' | 'hostname' | 'port'>): string {
  const host = target.hostname.includes(':') ? `[${target.hostname}]` : target.hostname;
  return `${target.user}@${host}:${target.port}`;
}

/** Connects to `target` (over `sock` when it is reached through a jump host). Never connects to a refused key. */
export async function connectTarget(target: SshTarget, settings: ConnectSettings, sock?: Duplex): Promise<Connected> {
  const where = targetLabel(target);
  const entries = await readKnownHosts([...target.userKnownHostsFiles, ...target.globalKnownHostsFiles]);
  const verifier = createHostVerifier({ entries, host: target.hostKeyAlias ?? target.hostname, port: target.port, hostName: settings.hostName });
  const defaults = new Set(DEFAULT_IDENTITY_FILES.map((path) => path.replace(/^~/, settings.home.replace(/\/$/, ''))));
  const plan = planAuth(target, settings.agentSocket, !target.identityFiles.every((path) => defaults.has(path)));
  const client = new Client();
  const hostKey = (): HostKeyStatus | null => {
    const verdict = verifier.verdict;
    return verdict === undefined ? null : { verdict: verdict.kind, fingerprint: verdict.fingerprint, keyType: verdict.keyType };
  };
  return new Promise<Connected>((resolve, reject) => {
    let settled = false;
    // `on`, not `once`: ssh2 may emit a second error (the socket's) after the first, and an
    // 'error' nobody listens to would crash the process.
    const fail = (error: Error & { level?: string }): void => {
      if (settled) return;
      settled = true;
      client.removeAllListeners('ready');
      client.end();
      const refusal: HostKeyError | undefined = verifier.refusal;
      if (refusal !== undefined) return reject(new ConnectError(refusal.message, { hostKey: hostKey(), refused: true, cause: refusal }));
      const message = error.level === 'client-authentication' ? describeAuthFailure(plan, where) : describeConnectError(error, where, settings.readyTimeoutMs);
      reject(new ConnectError(message, { hostKey: hostKey(), refused: false, cause: error }));
    };
    client.on('error', fail);
    client.once('ready', () => {
      settled = true;
      client.removeListener('error', fail);
      // ssh2 leaves Nagle on: small request/response pairs over a channel then wait ~40 ms for delayed ACKs.
      client.setNoDelay(true);
      const status = hostKey();
      if (status !== null) return resolve({ client, hostKey: status });
      client.end();
      reject(new ConnectError(`${where}: ssh2 reported ready without checking the host key; refused`, { hostKey: null, refused: true }));
    });
    client.connect({
      host: target.hostname,
      port: target.port,
      username: target.user,
      ...(sock === undefined ? {} : { sock }),
      readyTimeout: settings.readyTimeoutMs,
      keepaliveInterval: settings.keepaliveIntervalMs,
      keepaliveCountMax: settings.keepaliveCountMax,
      hostVerifier: verifier.hostVerifier,
      algorithms: { serverHostKey: verifier.serverHostKey },
      authHandler: plan.methods,
    });
  });
}
