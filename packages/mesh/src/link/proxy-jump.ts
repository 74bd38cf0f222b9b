/**
 * ProxyJump as ssh does it: connect to the first jump host (its key checked too), open a
 * `direct-tcpip` channel from it to the next hop, run the next SSH connection over that channel,
 * and so on to the target. Each hop is resolved through ssh_config by its own name, as ssh does.
 */
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { formatHostSpec, resolveSshTarget, type SshConfigOptions, type SshTarget } from '../ssh/ssh-config.js';
import { ConnectError, connectTarget, targetLabel, type ConnectSettings, type Connected } from './connect.js';

export interface Chain extends Connected {
  /** The jump connections, first hop first; closed with the target's connection. */
  jumps: Client[];
}

/** Connects to `target` through its ProxyJump hosts (none: a direct connection). */
export async function connectChain(target: SshTarget, settings: ConnectSettings, sshConfig: SshConfigOptions): Promise<Chain> {
  const { jumps, sock } = await connectHops(target, settings, sshConfig);
  try {
    const connected = await connectTarget(target, settings, sock);
    connected.client.once('close', () => closeAll(jumps));
    return { ...connected, jumps };
  } catch (error) {
    closeAll(jumps);
    throw error;
  }
}

/**
 * Connects through every jump host of `target` and returns the stream that reaches the target
 * itself (undefined without ProxyJump); close `jumps` when done with it.
 */
export async function connectHops(target: SshTarget, settings: ConnectSettings, sshConfig: SshConfigOptions): Promise<{ jumps: Client[]; sock: Duplex | undefined }> {
  const hops = await Promise.all((target.proxyJump ?? []).map((hop) => resolveSshTarget(formatHostSpec(hop), sshConfig)));
  const jumps: Client[] = [];
  let sock: Duplex | undefined;
  try {
    for (const [index, hop] of hops.entries()) {
      const connected = await connectHop(hop, settings, sock);
      // A jump connection that fails closes the channel the next hop runs over: the target's own
      // connection reports the drop. Its error needs a listener all the same (ssh2 would throw it).
      connected.client.on('error', () => undefined);
      jumps.push(connected.client);
      const next = hops[index + 1] ?? target;
      sock = await forwardOut(connected.client, next, hop);
    }
    return { jumps, sock };
  } catch (error) {
    closeAll(jumps);
    throw error;
  }
}

/** A jump host's own refusal names it: the user trusts it as a host of its own. */
async function connectHop(hop: SshTarget, settings: ConnectSettings, sock: Duplex | undefined): Promise<Connected> {
  try {
    return await connectTarget(hop, { ...settings, hostName: hop.alias }, sock);
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    throw new ConnectError(`jump host ${hop.alias}: ${error.message}`, { hostKey: null, refused: error.refused, cause: error });
  }
}

function forwardOut(client: Client, next: SshTarget, via: SshTarget): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, next.hostname, next.port, (error, stream) => {
      if (error) reject(new ConnectError(`jump host ${via.alias} could not reach ${targetLabel(next)}: ${error.message}`, { hostKey: null, refused: false, cause: error }));
      else resolve(stream);
    });
  });
}

export function closeAll(clients: readonly Client[]): void {
  for (const client of [...clients].reverse()) client.end();
}
