import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { assetsDir } from '@flotilla/dashboard';
import { createLocalLink, hubPaths, serveHub, type HostEntry, type RunningHub } from '@flotilla/mesh';
import { openHostLink } from '@flotilla/mesh/link';
import { agentBinDir, makeTempDir, startLoopbackSshd, type LoopbackSshd } from '@flotilla/testkit';
import { CB, freshUser, type User } from './cb-user.js';

/**
 * A real fleet for the dashboard: the real hub (`serveHub` from @flotilla/mesh, as `mesh serve
 * --port 0` runs it, with the built dashboard) over real `cb` daemons, each host a fresh user (its
 * own HOME with Claude Code set up against its own fake model API, a git repository, its own
 * FLOTILLA_HOME and host name). Hosts are reached through local links, or one over real SSH (a
 * loopback sshd whose sessions are that host's environment), plus optionally a host whose key
 * nobody trusted yet (the same sshd reached by another name: the link is refused).
 */
export interface HubWorld extends AsyncDisposable {
  running: RunningHub;
  /** `http://127.0.0.1:PORT` */
  url: string;
  hosts: Map<string, User>;
  sshd: LoopbackSshd | null;
  /** A one-time sign-in link for a browser. */
  signInUrl(): string;
  /** The hub's API with its own token (what `mesh` does). */
  api<T>(method: string, path: string, options?: { query?: Record<string, string>; body?: unknown }): Promise<{ status: number; body: T }>;
  /** Polls the hub's API until `probe` returns something. */
  until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs?: number): Promise<T>;
}

export interface HubWorldOptions {
  /** Hosts reached through local links (no SSH). */
  local: string[];
  /** A host reached over real SSH (loopback sshd). */
  ssh?: string;
  /** A host whose SSH key is unknown: listed, refused, with the advice to trust it. */
  refused?: string;
  /** Each host's `config.json`. */
  config?: Record<string, unknown>;
}

export async function startHubWorld(options: HubWorldOptions): Promise<HubWorld> {
  const dir = await makeTempDir('flotilla-hub-');
  const bin = join(dir.path, 'bin');
  mkdirSync(bin);
  symlinkSync(CB, join(bin, 'cb'));
  const names = [...options.local, ...(options.ssh ? [options.ssh] : [])];
  const hosts = new Map<string, User>();
  for (const name of names) {
    const user = await freshUser([], {
      env: { FLOTILLA_HOST_NAME: name, FLOTILLA_DISCOVERY: 'off', PATH: `${bin}:${agentBinDir()}:${process.env.PATH ?? '/usr/bin:/bin'}` },
      config: { notifySend: false, slots: 2, ...options.config },
    });
    hosts.set(name, user);
  }
  const sshUser = options.ssh ? hosts.get(options.ssh)! : null;
  const sshd = sshUser
    ? await startLoopbackSshd(join(dir.path, 'sshd'), { env: { ...sshUser.env, FLOTILLA_HOME: sshUser.flotillaHome }, aliases: { [options.ssh!]: '127.0.0.1', [options.refused ?? 'unknown']: 'localhost' } })
    : null;
  const entries: HostEntry[] = names.map((name) => ({ name, spec: name, target: name === options.ssh ? name : 'local' }));
  if (options.refused && sshd) entries.push({ name: options.refused, spec: options.refused, target: options.refused });
  const running = await serveHub({
    paths: hubPaths({ FLOTILLA_HOME: join(dir.path, 'hub') }),
    name: 'hub',
    port: 0,
    dashboardDir: assetsDir,
    healthIntervalMs: 1_000,
    readHosts: async () => entries,
    openLink: (entry) => {
      const user = hosts.get(entry.name);
      if (user && entry.target === 'local') return createLocalLink({ name: entry.name, env: { ...user.env, FLOTILLA_HOME: user.flotillaHome } });
      return openHostLink({
        name: entry.name,
        target: entry.name,
        sshConfig: { home: sshd!.sshHome, localUser: 'root', systemConfigPath: null },
        agentSocket: null,
        keepaliveIntervalMs: 500,
        keepaliveCountMax: 2,
        backoff: { initialMs: 500, maxMs: 2_000 },
      });
    },
  });
  const url = running.http!.url;
  const api = async <T>(method: string, path: string, request: { query?: Record<string, string>; body?: unknown } = {}) => {
    const search = request.query ? `?${new URLSearchParams(request.query).toString()}` : '';
    const res = await fetch(`${url}${path}${search}`, {
      method,
      headers: { authorization: `Bearer ${running.token}`, ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const world: HubWorld = {
    running,
    url,
    hosts,
    sshd,
    signInUrl: () => running.signInUrl()!,
    api,
    async until(what, probe, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    },
    async [Symbol.asyncDispose]() {
      await running.close().catch(() => undefined);
      await sshd?.cut();
      // Each user's dispose stops its daemon, then kills its sessions' tmux server (killed while
      // the daemon ran, its watchdog would start the agents again).
      for (const user of hosts.values()) await user[Symbol.asyncDispose]();
      await dir[Symbol.asyncDispose]();
    },
  };
  await world.until('every host up with its daemon', async () => {
    const listed = (await api<{ name: string; mode: string | null }[]>('GET', '/api/hosts')).body;
    return names.every((name) => listed.find((host) => host.name === name)?.mode === 'daemon');
  }, 60_000);
  return world;
}
