// The hub over real SSH: namespace hosts with their own sshd, cb daemons the hub starts itself,
// a job dispatched and followed on another host, a cut link (marked unreachable within seconds,
// its job keeps running, nothing lost or doubled after restore), and a changed host key refused.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocketTransport } from '@flotilla/kit/transport';
import { createClient, isTerminal, type FlotillaClient, type Host, type Job, type Transport } from '@flotilla/protocol';
import { hubPaths } from '../cli/context.js';
import { openHostLink } from '../link/open-host-link.js';
import { generateKey } from '../test-support/sshd.test-support.js';
import { SHELL_AGENT } from '../test-support/local-fleet.test-support.js';
import { netnsUnavailableReason, startNetnsHosts, type NetnsHosts } from '../test-support/netns.test-support.js';
import { serveHub, type RunningHub } from './serve-hub.js';

const skip = netnsUnavailableReason();
let net: NetnsHosts;
let running: RunningHub;
let transport: Transport;
let client: FlotillaClient;

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const hosts = async (): Promise<Host[]> => (await transport.request({ method: 'GET', path: '/api/hosts' })).body as Host[];
const hostNamed = async (name: string): Promise<Host> => (await hosts()).find((host) => host.name === name)!;

async function dispatch(host: string, prompt: string): Promise<Job> {
  const res = await transport.request({ method: 'POST', path: '/api/jobs', query: { host }, body: { prompt, agent: 'sh', cwd: '/tmp' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Job;
}

describe.skipIf(skip !== null)('the hub over SSH to namespace hosts', () => {
  beforeAll(async () => {
    net = await startNetnsHosts({ count: 2, prefix: 'hs' });
    for (const host of net.hosts) writeFileSync(join(host.home, 'config.json'), JSON.stringify({ agents: SHELL_AGENT, notifySend: false, slots: 4 }));
    const paths = hubPaths({ FLOTILLA_HOME: join(net.dir, 'hub') });
    running = await serveHub({
      paths,
      name: 'hub',
      dashboardDir: null,
      healthIntervalMs: 1_000,
      readHosts: async () => net.hosts.map((host) => ({ name: host.name, spec: host.name, target: host.ip })),
      openLink: (entry) => openHostLink({ name: entry.name, target: entry.spec, sshConfig: net.sshConfig, agentSocket: null, keepaliveIntervalMs: 1_000, keepaliveCountMax: 2, backoff: { initialMs: 500, maxMs: 2_000 } }),
    });
    transport = createSocketTransport(paths.socket);
    client = createClient(transport);
    await until('both hosts up with daemons the hub started', async () => (await hosts()).every((host) => host.state === 'up' && host.mode === 'daemon'), 60_000);
  }, 120_000);

  afterAll(async () => {
    await running?.close();
    await net?.down();
  });

  it('starts a daemon on each host and reports its version and slots', async () => {
    const listed = await hosts();
    expect(listed.map((host) => host.name)).toEqual(['hs1', 'hs2']);
    for (const host of listed) {
      expect(host.cbVersion).toMatch(/^\d+\.\d+\.\d+/);
      expect(host.slots).toBe(4);
      expect(host.hostKey?.verdict).toBe('known');
    }
  });

  it('dispatches a job to another host and follows it to its result', async () => {
    const job = await dispatch('hs2', 'echo "ran on $FLOTILLA_HOST_NAME"');
    const done = await until('the job to end', async () => {
      const current = await client.getJob(job.id);
      return isTerminal(current.status) ? current : null;
    });
    expect(done.status).toBe('succeeded');
    expect(done.result).toContain('ran on hs2');
    expect(done.host).toBe('hs2');
  });

  it('marks a cut host unreachable within seconds; its job runs on and arrives once after restore', async () => {
    const host = net.host('hs1');
    const job = await dispatch('hs1', 'sleep 4; echo survived');
    await until('the job to run', async () => (await client.getJob(job.id)).status === 'running');
    const cutAt = Date.now();
    await net.cut(host);
    try {
      await until('hs1 unreachable', async () => (await hostNamed('hs1')).state === 'down', 15_000);
      const noticedMs = Date.now() - cutAt;
      expect(noticedMs).toBeLessThan(15_000);
      const stale = await transport.request({ method: 'GET', path: `/api/jobs/${job.id}` });
      expect(stale.headers['x-flotilla-stale']).toBe('true');
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    } finally {
      await net.restore(host);
    }
    const done = await until('the job to be seen ended', async () => {
      const found = (await client.listJobs({ limit: 50 })).items.find((item) => item.id === job.id);
      return found && isTerminal(found.status) ? found : null;
    }, 45_000);
    expect(done.status).toBe('succeeded');
    expect(done.result).toContain('survived');
    const ended = running.hub.store.eventsAfter(0, 100_000).filter((event) => event.type === 'job.ended' && event.job.id === job.id);
    expect(ended).toHaveLength(1);
    const created = running.hub.store.eventsAfter(0, 100_000).filter((event) => event.type === 'job.created' && event.job.id === job.id);
    expect(created.length).toBeLessThanOrEqual(1);
  });

  it('refuses a host whose key changed, and says so with the new fingerprint', async () => {
    const host = net.host('hs2');
    const reinstalled = await generateKey(join(net.dir, 'reinstalled_key'));
    await net.restartSshd(host, { hostKey: reinstalled });
    // The open connection outlives sshd's restart: drop it, so the hub must connect again.
    await net.cut(host);
    await until('hs2 down', async () => (await hostNamed('hs2')).state !== 'up', 15_000);
    await net.restore(host);
    const refused = await until('hs2 refused', async () => {
      const current = await hostNamed('hs2');
      return current.state === 'refused' ? current : null;
    }, 30_000);
    expect(refused.hostKey?.verdict).toBe('changed');
    expect(refused.error).toMatch(/changed|CHANGED/);
    const res = await transport.request({ method: 'POST', path: '/api/jobs', query: { host: 'hs2' }, body: { prompt: 'echo no', agent: 'sh', cwd: '/tmp' } });
    expect(res.status).toBe(503);
  });
});
