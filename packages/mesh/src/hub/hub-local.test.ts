// The hub against real cb daemons on this machine (local links): hosts, aggregated jobs, dispatch,
// forwarding, events re-sequenced into the hub's outbox, and the hub restart resuming from cursors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocketTransport } from '@flotilla/kit/transport';
import { StatsSchema, createClient, isTerminal, type FlotillaClient, type Job, type Transport } from '@flotilla/protocol';
import { hubPaths } from '../cli/context.js';
import { startLocalFleet, type LocalFleet } from '../test-support/local-fleet.test-support.js';
import { until } from '../test-support/until.test-support.js';
import { serveHub, type RunningHub } from './serve-hub.js';

let fleet: LocalFleet;
let running: RunningHub;
let transport: Transport;
let client: FlotillaClient;

async function startHub(): Promise<void> {
  const paths = hubPaths({ FLOTILLA_HOME: fleet.hubHome });
  running = await serveHub({ paths, name: 'hub', readHosts: async () => fleet.entries(), openLink: fleet.openLink, healthIntervalMs: 500 });
  transport = createSocketTransport(paths.socket);
  client = createClient(transport);
}

async function dispatch(host: string, prompt: string): Promise<Job> {
  const res = await transport.request({ method: 'POST', path: '/api/jobs', query: { host }, body: { prompt, agent: 'sh', cwd: fleet.dir } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Job;
}

async function ended(id: string): Promise<Job> {
  return until(`job ${id} to end`, async () => {
    const job = await client.getJob(id);
    return isTerminal(job.status) ? job : null;
  });
}

beforeAll(async () => {
  fleet = startLocalFleet(['alpha', 'beta']);
  await startHub();
  await until('both hosts up with a daemon', async () => {
    const hosts = (await transport.request({ method: 'GET', path: '/api/hosts' })).body as { mode: string | null }[];
    return hosts.length === 2 && hosts.every((host) => host.mode === 'daemon');
  }, 40_000);
});

afterAll(async () => {
  try {
    await running?.close();
  } finally {
    await fleet?.close();
  }
});

describe('the hub over local daemons', () => {
  it('says it is a hub and lists both hosts with their daemons', async () => {
    const capabilities = await client.capabilities();
    expect(capabilities).toMatchObject({ kind: 'hub', host: 'hub' });
    expect(capabilities.features).toEqual(expect.arrayContaining(['hosts', 'board']));
    expect(capabilities.agents).toContain('sh');
    const hosts = (await transport.request({ method: 'GET', path: '/api/hosts' })).body as { name: string; state: string; cbVersion: string; slots: number }[];
    expect(hosts.map((host) => [host.name, host.state])).toEqual([['alpha', 'up'], ['beta', 'up']]);
    expect(hosts[0]!.cbVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(hosts[0]!.slots).toBe(4);
  });

  it('dispatches to a named host, follows the job there, and lists it with the fleet name', async () => {
    const job = await dispatch('beta', 'echo from-beta');
    expect(job.host).toBe('beta');
    const done = await ended(job.id);
    expect(done.status).toBe('succeeded');
    expect(done.result ?? '').toContain('from-beta');
    const listed = await until('the job in the fleet list', async () => {
      const page = await client.listJobs({ limit: 50 });
      const found = page.items.find((item) => item.id === job.id);
      return found && isTerminal(found.status) ? found : null;
    });
    expect(listed.host).toBe('beta');
    const onAlpha = await fleet.cb(fleet.hosts[0]!, 'ls', '--json');
    expect(onAlpha).not.toContain(job.id);
  });

  it('re-sequences host events into its own stream, in order, with the fleet host name', async () => {
    const bounds = running.hub.store.eventBounds();
    const job = await dispatch('alpha', 'echo streamed');
    await ended(job.id);
    const seen: { id: number; type: string; host: string }[] = [];
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    for await (const event of client.events({ lastEventId: bounds.latest, signal: controller.signal })) {
      seen.push({ id: event.id, type: event.type, host: 'job' in event ? event.job.host : event.host });
      if (event.type === 'job.ended' && 'job' in event && event.job.id === job.id) break;
    }
    clearTimeout(timer);
    controller.abort();
    const ids = seen.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(seen.filter((event) => event.type.startsWith('job.')).every((event) => event.host === 'alpha')).toBe(true);
    expect(seen.map((event) => event.type)).toEqual(expect.arrayContaining(['job.created', 'job.ended']));
  });

  it('refuses a dispatch without a host when the fleet has several, in words', async () => {
    const res = await transport.request({ method: 'POST', path: '/api/jobs', body: { prompt: 'echo x', agent: 'sh' } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('say which one');
  });

  it('picks a host for --any and forwards job actions to it', async () => {
    const job = await dispatch('any', 'sleep 30');
    expect(['alpha', 'beta']).toContain(job.host);
    const cancelled = await transport.request({ method: 'POST', path: `/api/jobs/${job.id}/cancel` });
    expect(cancelled.status).toBe(200);
    expect((await ended(job.id)).status).toBe('cancelled');
  });

  it('writes each board change and its task.changed event in one transaction, once', async () => {
    const before = running.hub.store.eventBounds().latest;
    const res = await transport.request({ method: 'POST', path: '/api/board', body: { title: 'one event per change' } });
    expect(res.status).toBe(201);
    const id = (res.body as { id: string }).id;
    const events = running.hub.store.eventsAfter(before, 1_000).filter((event) => event.type === 'task.changed' && event.task.id === id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ host: 'hub', task: { status: 'todo' } });
  });

  it('sums every host\'s stats into the fleet\'s', async () => {
    const fleetStats = StatsSchema.parse((await transport.request({ method: 'GET', path: '/api/stats' })).body);
    const perHost = await Promise.all(fleet.hosts.map(async (host) => StatsSchema.parse(JSON.parse(await fleet.cb(host, 'stats', '--json')))));
    expect(fleetStats.host).toBe('hub');
    expect(fleetStats.totals.jobs).toBe(perHost.reduce((sum, stats) => sum + stats.totals.jobs, 0));
    expect(fleetStats.totals.jobs).toBeGreaterThan(0);
    expect(fleetStats.durations.jobs).toBe(perHost.reduce((sum, stats) => sum + stats.durations.jobs, 0));
    const succeeded = perHost.reduce((sum, stats) => sum + (stats.byStatus.succeeded ?? 0), 0);
    expect(fleetStats.byStatus.succeeded ?? 0).toBe(succeeded);
  });

  it('after a hub restart resumes each host from its cursor: events meanwhile arrive once', async () => {
    await running.close();
    const offline = await fleet.cb(fleet.hosts[1]!, 'run', '--agent', 'sh', '--json', 'echo while-hub-down');
    const id = (JSON.parse(offline) as Job).id;
    await startHub();
    const job = await until('the job made while the hub was down', async () => {
      const found = (await client.listJobs({ limit: 100 })).items.find((item) => item.id === id);
      return found && isTerminal(found.status) ? found : null;
    });
    expect(job.host).toBe('beta');
    const created = running.hub.store.eventsAfter(0, 10_000).filter((event) => event.type === 'job.created' && event.job.id === id);
    expect(created).toHaveLength(1);
  });
});
