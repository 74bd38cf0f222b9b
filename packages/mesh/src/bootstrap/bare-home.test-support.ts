// Tests only: a namespace host whose SSH user looks like a machine cb has never been on — a HOME
// of its own, no cb on PATH, npm's registry dead and an empty npm cache — for `mesh hosts bootstrap`.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NetnsHost, NetnsHosts } from '../test-support/netns.test-support.js';

/** A loopback port nothing listens on: the host's npm registry. */
export const DEAD_REGISTRY = 'http://127.0.0.1:9/';

/** Restarts the host's sshd so that its sessions get a fresh HOME under `scratch` (or `home`); returns that HOME. */
export async function useBareHome(net: NetnsHosts, host: NetnsHost, scratch: string, home?: string): Promise<string> {
  const remoteHome = home ?? join(scratch, `${host.name}-home`);
  const npmCache = join(scratch, `${host.name}-npm-cache`);
  for (const dir of [remoteHome, npmCache]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const env = [
    `HOME=${remoteHome}`,
    `FLOTILLA_HOME=${host.home}`,
    `TMUX_TMPDIR=${host.tmuxDir}`,
    `FLOTILLA_HOST_NAME=${host.name}`,
    'PATH=/usr/bin:/bin',
    `npm_config_registry=${DEAD_REGISTRY}`,
    `npm_config_cache=${npmCache}`,
  ];
  await net.restartSshd(host, { extraConfig: ['Match User root', `  SetEnv ${env.join(' ')}`] });
  return remoteHome;
}
