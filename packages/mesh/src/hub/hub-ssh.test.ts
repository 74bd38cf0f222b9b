// The hub over real SSH: namespace hosts with their own sshd, cb daemons the hub starts itself,
// a job dispatched and followed on another host, a cut link (marked unreachable within seconds,
// its job keeps running, nothing lost or doubled after restore), and a changed host key refused.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal, type Host } from '@flotilla/protocol';
import { generateKey } from '../test-support/sshd.test-support.js';
import { netnsUnavailableReason } from '../test-support/netns.test-support.js';
import { startSshHub, type SshHub } from '../test-support/ssh-hub.test-support.js';
import { until } from '../test-support/until.test-support.js';

const skip = netnsUnavailableReason();
let fleet: SshHub;
const hostNamed = async (name: string): Promise<Host> => (await fleet.hosts()).find((host) => host.name === name)!;

describe.skipIf(skip !== null)('the hub over SSH to namespace hosts', () => {
  beforeAll(async () => {
    fleet = await startSshHub({ count: 2, prefix: 'hs', link: { keepaliveIntervalMs: 1_000, keepaliveCountMax: 2, backoff: { initialMs: 500, maxMs: 2_000 } } });
  }, 150_000);

  afterAll(async () => {
    await fleet?.close();
  });

  it('starts a daemon on each host and reports its version and slots', async () => {
    const listed = await fleet.hosts();
    expect(listed.map((host) => host.name)).toEqual(['hs1', 'hs2']);
    for (const host of listed) {
      expect(host.cbVersion).toMatch(/^\d+\.\d+\.\d+/);
      expect(host.slots).toBe(8);
      expect(host.hostKey?.verdict).toBe('known');
    }
  });

  it('dispatches a job to another host and follows it to its result', async () => {
    const job = await fleet.dispatch('hs2', 'echo "ran on $FLOTILLA_HOST_NAME"');
    const done = await fleet.ended(job.id);
    expect(done.status).toBe('succeeded');
    expect(done.result).toContain('ran on hs2');
    expect(done.host).toBe('hs2');
  });

  it('marks a cut host unreachable within seconds; its job runs on and arrives once after restore', async () => {
    const host = fleet.net.host('hs1');
    const job = await fleet.dispatch('hs1', 'sleep 4; echo survived');
    await until('the job to run', async () => (await fleet.client.getJob(job.id)).status === 'running');
    const cutAt = Date.now();
    await fleet.net.cut(host);
    try {
      await until('hs1 unreachable', async () => (await hostNamed('hs1')).state === 'down', 15_000);
      const noticedMs = Date.now() - cutAt;
      expect(noticedMs).toBeLessThan(15_000);
      const stale = await fleet.transport.request({ method: 'GET', path: `/api/jobs/${job.id}` });
      expect(stale.headers['x-flotilla-stale']).toBe('true');
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    } finally {
      await fleet.net.restore(host);
    }
    const done = await until('the job to be seen ended', async () => {
      const found = (await fleet.client.listJobs({ limit: 50 })).items.find((item) => item.id === job.id);
      return found && isTerminal(found.status) ? found : null;
    }, 45_000);
    expect(done.status).toBe('succeeded');
    expect(done.result).toContain('survived');
    const ended = fleet.running.hub.store.eventsAfter(0, 100_000).filter((event) => event.type === 'job.ended' && event.job.id === job.id);
    expect(ended).toHaveLength(1);
    const created = fleet.running.hub.store.eventsAfter(0, 100_000).filter((event) => event.type === 'job.created' && event.job.id === job.id);
    expect(created.length).toBeLessThanOrEqual(1);
  });

  it('refuses a host whose key changed, and says so with the new fingerprint', async () => {
    const host = fleet.net.host('hs2');
    const reinstalled = await generateKey(join(fleet.net.dir, 'reinstalled_key'));
    await fleet.net.restartSshd(host, { hostKey: reinstalled });
    // The open connection outlives sshd's restart: drop it, so the hub must connect again.
    await fleet.net.cut(host);
    await until('hs2 down', async () => (await hostNamed('hs2')).state !== 'up', 15_000);
    await fleet.net.restore(host);
    const refused = await until('hs2 refused', async () => {
      const current = await hostNamed('hs2');
      return current.state === 'refused' ? current : null;
    }, 30_000);
    expect(refused.hostKey?.verdict).toBe('changed');
    expect(refused.error).toMatch(/changed|CHANGED/);
    const res = await fleet.transport.request({ method: 'POST', path: '/api/jobs', query: { host: 'hs2' }, body: { prompt: 'echo no', agent: 'sh', cwd: '/tmp' } });
    expect(res.status).toBe(503);
  });
});
