/**
 * Fetching a host's key without trusting it (what `mesh hosts trust` shows the user): the key
 * exchange runs, the key is captured and refused, so nothing is authenticated or sent. Jump
 * hosts on the way are verified as usual: a key is only ever learnt one hop past a trusted one.
 */
import { Client } from 'ssh2';
import { checkHostKey, readKnownHosts, type HostKeyVerdict } from '../ssh/known-hosts.js';
import { serverHostKeyOrder } from '../ssh/known-hosts-verifier.js';
import { knownHostKeyTypes } from '../ssh/known-hosts.js';
import type { SshConfigOptions, SshTarget } from '../ssh/ssh-config.js';
import { targetLabel, type ConnectSettings } from './connect.js';
import { describeConnectError } from './link-errors.js';
import { closeAll, connectHops } from './proxy-jump.js';

export interface ScannedHostKey {
  /** The wire-format key, as `knownHostsLine` takes it. */
  key: Buffer;
  /** What known_hosts says about it right now. */
  verdict: HostKeyVerdict;
  /** The name and port a known_hosts line for it must carry. */
  host: string;
  port: number;
}

export async function scanHostKey(target: SshTarget, settings: ConnectSettings, sshConfig: SshConfigOptions): Promise<ScannedHostKey> {
  const entries = await readKnownHosts([...target.userKnownHostsFiles, ...target.globalKnownHostsFiles]);
  const host = target.hostKeyAlias ?? target.hostname;
  const { jumps, sock } = await connectHops(target, settings, sshConfig);
  const client = new Client();
  try {
    const key = await new Promise<Buffer>((resolve, reject) => {
      let seen: Buffer | undefined;
      client.on('error', (error) => (seen === undefined ? reject(new Error(describeConnectError(error, targetLabel(target), settings.readyTimeoutMs))) : resolve(seen)));
      client.once('close', () => (seen === undefined ? reject(new Error(`${targetLabel(target)} closed the connection before showing its key`)) : resolve(seen)));
      client.connect({
        host: target.hostname,
        port: target.port,
        username: target.user,
        ...(sock === undefined ? {} : { sock }),
        readyTimeout: settings.readyTimeoutMs,
        algorithms: { serverHostKey: serverHostKeyOrder(knownHostKeyTypes(entries, { host, port: target.port })) },
        hostVerifier: (offered: Buffer) => {
          seen = Buffer.from(offered);
          return false;
        },
      });
    });
    return { key, verdict: checkHostKey(entries, { host, port: target.port, key }), host, port: target.port };
  } finally {
    client.end();
    closeAll(jumps);
  }
}
