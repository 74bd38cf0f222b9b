// A bare host over real SSH: two namespace hosts, one with a cb daemon the hub starts, one whose
// PATH has every command but `node` (so the `cb` found there cannot run) and a fake `claude`.
// The hub marks that host bare (mode tmux, with the reason), runs jobs there in tmux through its
// own API to succeeded / failed by exit code with events in its outbox, cancels one (its agent
// dies), peeks into and types into a session, sends `--any` work to the daemon host first, and
// after a restart of the hub still shows every finished job as it was, having run nothing twice.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocketTransport } from '@flotilla/kit/transport';
import { createClient, isTerminal, type FlotillaClient, type Host, type Job, type Transport } from '@flotilla/protocol';
import { hubPaths, type HubPaths } from '../cli/context.js';
import { openHostLink } from '../link/open-host-link.js';
import { serveHub, type RunningHub } from '../hub/serve-hub.js';
import { fakeClaudePid, writeNodelessBin } from '../test-support/bare-fakes.test-support.js';
import { SHELL_AGENT } from '../test-support/local-fleet.test-support.js';
import { sshdConfig, startSshdIn, stopSshd } from '../test-support/netns-sshd.test-support.js';
import { netnsUnavailableReason, startNetnsHosts, type NetnsHost, type NetnsHosts } from '../test-support/netns.test-support.js';
import { until } from '../test-support/until.test-support.js';

const skip = netnsUnavailableReason();
let net: NetnsHosts;
let paths: HubPaths;
let running: RunningHub | null = null;
let transport: Transport;
let client: FlotillaClient;
let bareHost: NetnsHost;
const finished: Job[] = [];

const hosts = async (): Promise<Host[]> => (await transport.request({ method: 'GET', path: '/api/hosts' })).body as Host[];
const jobDir = (id: string): string => join(bareHost.home, 'bare', 'jobs', id);
const ended = (id: string): Promise<Job> =>
  until(`job ${id} to end`, async () => {
    const job = await client.getJob(id);
    return isTerminal(job.status) ? job : null;
  }, 90_000, 1_000);

async function dispatch(host: string, body: Record<string, unknown>): Promise<Job> {
  const res = await transport.request({ method: 'POST', path: '/api/jobs', query: { host }, body: { cwd: '/tmp', ...body } });
  if (res.status !== 201) throw new Error(`dispatch to ${host} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as Job;
}

async function startHub(): Promise<void> {
  running = await serveHub({
    paths,
    name: 'hub',
    dashboardDir: null,
    healthIntervalMs: 1_000,
    readHosts: async () => net.hosts.map((host) => ({ name: host.name, spec: host.name, target: host.ip })),
    openLink: (entry) => openHostLink({ name: entry.name, target: entry.spec, sshConfig: net.sshConfig, agentSocket: null }),
  });
  transport = createSocketTransport(paths.socket);
  client = createClient(transport);
  let listed: Host[] = [];
  await until('hb1 with a daemon and hb2 bare', async () => {
    listed = await hosts();
    return listed.length === 2 && listed[0]?.mode === 'daemon' && listed[1]?.mode === 'tmux' && listed.every((host) => host.state === 'up');
  }, 90_000).catch((error: Error) => {
    throw new Error(`${error.message}: ${JSON.stringify(listed.map(({ name, state, mode, modeReason, error: why }) => ({ name, state, mode, modeReason, why })))}`);
  });
}

describe.skipIf(skip !== null)('a host where cb cannot run, driven through tmux over SSH', () => {
  beforeAll(async () => {
    net = await startNetnsHosts({ count: 2, prefix: 'hb' });
    const [daemonHost, bare] = net.hosts as [NetnsHost, NetnsHost];
    bareHost = bare;
    writeFileSync(join(daemonHost.home, 'config.json'), JSON.stringify({ agents: SHELL_AGENT, notifySend: false, slots: 8 }));
    // The host's sshd again, with a PATH of every command but node (the run's own PATH ends in /usr/bin).
    const bin = writeNodelessBin(join(net.dir, 'nodeless-bin'));
    await stopSshd(bare);
    writeFileSync(join(bare.dir, 'sshd_config'), sshdConfig(bare, bin, []).replace(/ PATH=\S+/, ` PATH=${bin}`));
    await startSshdIn(bare);
    paths = hubPaths({ FLOTILLA_HOME: join(net.dir, 'hub') });
    await startHub();
  }, 150_000);

  afterAll(async () => {
    await running?.close();
    await net?.down();
  });

  it('shows the host as bare, with why', async () => {
    const bare = (await hosts()).find((host) => host.name === 'hb2')!;
    expect(bare).toMatchObject({ state: 'up', mode: 'tmux', cbVersion: 'bare', slots: 4 });
    expect(bare.modeReason).toMatch(/cb is on hb2 but Node\.js is not/);
    expect(bare.error).toBeNull();
  });

  it('runs jobs there in tmux to succeeded or failed by their exit code, with events', { timeout: 180_000 }, async () => {
    const ok = await dispatch('hb2', { prompt: 'sleep 1', agent: 'claude' });
    const bad = await dispatch('hb2', { prompt: 'exit 4', agent: 'claude' });
    expect(ok.host).toBe('hb2');
    const done = await ended(ok.id);
    expect(done).toMatchObject({ status: 'succeeded', result: 'fake result ✓', host: 'hb2' });
    const failed = await ended(bad.id);
    expect(failed).toMatchObject({ status: 'failed', failure: { kind: 'task' } });
    finished.push(done, failed);
    const listed = (await client.listJobs({ limit: 50 })).items.map((job) => [job.id, job.status]);
    expect(listed).toEqual(expect.arrayContaining([[ok.id, 'succeeded'], [bad.id, 'failed']]));
    const events = running!.hub.store.eventsAfter(0, 10_000).filter((event) => 'job' in event && event.job.id === ok.id);
    expect(events.map((event) => event.type)).toContain('job.ended');
    expect(events.every((event) => event.host === 'hb2')).toBe(true);
    const log = await client.log(ok.id, { offset: 0 });
    expect(log.data).toContain('"type":"result"');
  });

  it('cancels a job there, killing its agent', { timeout: 180_000 }, async () => {
    const job = await dispatch('hb2', { prompt: 'sleep 120', agent: 'claude' });
    const pid = await until('the agent to run', async () => fakeClaudePid(jobDir(job.id)), 60_000);
    const cancelled = await client.cancelJob(job.id);
    expect(cancelled.status).toBe('cancelled');
    await until('the agent to be gone', async () => !alive(pid) || null, 30_000);
    finished.push(await ended(job.id));
  });

  it('peeks into a session there and types into it', { timeout: 180_000 }, async () => {
    const res = await transport.request({ method: 'POST', path: '/api/sessions', query: { host: 'hb2' }, body: { name: 'chat', agent: 'claude', cwd: '/tmp' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await until('the session in the hub', async () => (await client.listSessions()).find((session) => session.name === 'chat' && session.host === 'hb2') ?? null, 30_000);
    // A peek is one exec; on a loaded machine one may time out, so a failed peek is tried again.
    const screen = async (): Promise<string[]> => (await client.peek('chat').catch(() => null))?.lines ?? [];
    await until('the agent ready', async () => (await screen()).includes('fake claude ready') || null, 90_000, 1_000);
    const receipt = await client.send('chat', { text: 'review AUTH-12 please' });
    expect(receipt.delivered).toBe(true);
    await until('the echo', async () => (await screen()).includes('got: review AUTH-12 please') || null, 90_000, 1_000);
    expect((await client.stopSession('chat')).state).toBe('exited');
    await until('the session gone from the live list', async () => !(await client.listSessions()).some((session) => session.name === 'chat') || null, 60_000);
  });

  it('sends --any work to the host with a daemon first', { timeout: 180_000 }, async () => {
    // `--any` checks the directory on each host with a 10 s exec; on a loaded machine that can time out.
    const job = await until('an --any dispatch', async () => dispatch('any', { prompt: 'echo any', agent: 'sh' }).catch(() => null), 90_000, 2_000);
    expect(job.host).toBe('hb1');
    await ended(job.id);
  });

  it('after a hub restart shows every finished job as it was and runs nothing again', { timeout: 240_000 }, async () => {
    const during = await dispatch('hb2', { prompt: 'sleep 40', agent: 'claude' });
    await until('the job to run', async () => (await client.getJob(during.id)).status === 'running' || null, 60_000, 1_000);
    const lastBefore = running!.hub.store.eventBounds().latest;
    await running!.close();
    running = null;
    await startHub();
    for (const job of finished) {
      const now = await client.getJob(job.id);
      expect({ status: now.status, result: now.result, endedAt: now.endedAt, updatedAt: now.updatedAt }).toEqual({
        status: job.status,
        result: job.result,
        endedAt: job.endedAt,
        updatedAt: job.updatedAt,
      });
    }
    expect(await ended(during.id)).toMatchObject({ status: 'succeeded' });
    // The hub restarted from its mirror: no event repeats a job that did not change meanwhile.
    const finishedIds = new Set(finished.map((job) => job.id));
    const repeated = running!.hub.store.eventsAfter(lastBefore, 10_000).filter((event) => 'job' in event && finishedIds.has(event.job.id));
    expect(repeated).toEqual([]);
    for (const job of [...finished, during]) {
      if (existsSync(join(jobDir(job.id), 'runs'))) expect(readFileSync(join(jobDir(job.id), 'runs'), 'utf8')).toBe('run\n');
    }
    const ids = (await client.listJobs({ limit: 100 })).items.filter((job) => job.host === 'hb2').map((job) => job.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
