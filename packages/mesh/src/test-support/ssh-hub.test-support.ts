// Tests only: a real hub (serveHub, in this process) over real SSH to namespace hosts, each with
// the shell agent configured and its cb daemon started by the hub itself.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSocketTransport } from '@flotilla/kit/transport';
import { createClient, isTerminal, type FlotillaClient, type Host, type Job, type Transport } from '@flotilla/protocol';
import { hubPaths } from '../cli/context.js';
import { openHostLink } from '../link/open-host-link.js';
import type { OpenHostLinkOptions } from '../link/link-options.js';
import { serveHub, type RunningHub, type ServeHubOptions } from '../hub/serve-hub.js';
import { SHELL_AGENT } from './local-fleet.test-support.js';
import { startNetnsHosts, type NetnsHost, type NetnsHosts } from './netns.test-support.js';
import { until } from './until.test-support.js';

export interface SshHub {
  net: NetnsHosts;
  running: RunningHub;
  transport: Transport;
  client: FlotillaClient;
  hosts(): Promise<Host[]>;
  dispatch(host: string, prompt: string, cwd?: string): Promise<Job>;
  ended(id: string, timeoutMs?: number): Promise<Job>;
  close(): Promise<void>;
}

export interface StartSshHubOptions {
  count: number;
  prefix: string;
  /** Run on each host before the hub connects (e.g. start its daemon with other settings). */
  prepare?: (net: NetnsHosts, host: NetnsHost) => Promise<void>;
  hub?: Partial<ServeHubOptions>;
  link?: Partial<OpenHostLinkOptions>;
}

export async function startSshHub(options: StartSshHubOptions): Promise<SshHub> {
  const net = await startNetnsHosts({ count: options.count, prefix: options.prefix });
  try {
    for (const host of net.hosts) {
      writeFileSync(join(host.home, 'config.json'), JSON.stringify({ agents: SHELL_AGENT, notifySend: false, slots: 8 }));
      await options.prepare?.(net, host);
    }
    const paths = hubPaths({ FLOTILLA_HOME: join(net.dir, 'hub') });
    const running = await serveHub({
      paths,
      name: 'hub',
      dashboardDir: null,
      healthIntervalMs: 1_000,
      readHosts: async () => net.hosts.map((host) => ({ name: host.name, spec: host.name, target: host.ip })),
      openLink: (entry) => openHostLink({ name: entry.name, target: entry.spec, sshConfig: net.sshConfig, agentSocket: null, ...options.link }),
      ...options.hub,
    });
    const transport = createSocketTransport(paths.socket);
    const client = createClient(transport);
    const hosts = async (): Promise<Host[]> => (await transport.request({ method: 'GET', path: '/api/hosts' })).body as Host[];
    await until('every host up with a daemon the hub started', async () => {
      const listed = await hosts();
      return listed.length === options.count && listed.every((host) => host.state === 'up' && host.mode === 'daemon');
    }, 90_000);
    return {
      net,
      running,
      transport,
      client,
      hosts,
      dispatch: async (host, prompt, cwd = '/tmp') => {
        const res = await transport.request({ method: 'POST', path: '/api/jobs', query: { host }, body: { prompt, agent: 'sh', cwd } });
        if (res.status !== 201) throw new Error(`dispatch to ${host} answered ${res.status}: ${JSON.stringify(res.body)}`);
        return res.body as Job;
      },
      ended: (id, timeoutMs = 60_000) =>
        until(`job ${id} to end`, async () => {
          const job = await client.getJob(id);
          return isTerminal(job.status) ? job : null;
        }, timeoutMs),
      close: async () => {
        try {
          await running.close();
        } finally {
          await net.down();
        }
      },
    };
  } catch (error) {
    await net.down();
    throw error;
  }
}
