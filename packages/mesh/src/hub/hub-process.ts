/**
 * The hub as `mesh serve` runs it: hosts from `hosts.json`, ssh2 links resolved through the user's
 * ~/.ssh/config and known_hosts, and the hub's services (lease sweeper, message delivery).
 */
import { findTelegramAddon } from '@flotilla/kit/web';
import { resolveSshTarget } from '../ssh/ssh-config.js';
import { readHostsFile } from '../hosts/hosts-file.js';
import { agentSocketFromEnv, sshConfigFromEnv } from '../hosts/ssh-env.js';
import { openHostLink } from '../link/open-host-link.js';
import type { HubPaths } from '../cli/context.js';
import type { HostEntry } from './host-connection.js';
import { serveHub, type RunningHub, type ServeHubOptions } from './serve-hub.js';

export interface HubProcessOptions {
  paths: HubPaths;
  env: Readonly<Record<string, string | undefined>>;
  name: string;
  port?: number;
  /** Overrides for tests (health poll interval, lease length…). */
  overrides?: Partial<ServeHubOptions>;
}

export async function startHubProcess(options: HubProcessOptions): Promise<RunningHub> {
  const sshConfig = sshConfigFromEnv(options.env);
  const readHosts = async (): Promise<HostEntry[]> => {
    const file = await readHostsFile(options.paths.hosts);
    return Promise.all(
      file.hosts.map(async ({ name, spec }) => {
        try {
          const target = await resolveSshTarget(spec, sshConfig);
          return { name, spec, target: `${target.user}@${target.hostname}:${target.port}${target.proxyJump ? ` via ${target.proxyJump.map((hop) => hop.hostname).join(',')}` : ''}` };
        } catch (error) {
          return { name, spec, target: `unresolved: ${(error as Error).message}` };
        }
      }),
    );
  };
  // The Telegram bot, when installed beside mesh, runs as long as the hub does, talking to the hub's socket.
  const telegram = findTelegramAddon({ from: import.meta.url, home: options.paths.home, socket: options.paths.socket, env: { ...options.env } });
  return serveHub({
    paths: options.paths,
    name: options.name,
    port: options.port,
    readHosts,
    openLink: (entry) => openHostLink({ name: entry.name, target: entry.spec, sshConfig, agentSocket: agentSocketFromEnv(options.env) }),
    telegram,
    ...options.overrides,
  });
}
