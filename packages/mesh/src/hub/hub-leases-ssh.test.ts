// Leases across SSH: a holder that is merely slow keeps its task (its daemon renews the lease for
// as long as the job lives); a holder killed mid-task loses it when the lease runs out — the task
// returns to todo and the attempt counts, because the job's exit record shows it ended; the dead
// holder's late write carries a stale token and is refused.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocketTransport } from '@flotilla/kit/transport';
import { createBoardClient, createClient, isProtocolError, isTerminal, type BoardClient, type FlotillaClient, type Host, type Job, type Transport } from '@flotilla/protocol';
import { hubPaths } from '../cli/context.js';
import { openHostLink } from '../link/open-host-link.js';
import { SHELL_AGENT } from '../test-support/local-fleet.test-support.js';
import { netnsUnavailableReason, startNetnsHosts, type NetnsHosts } from '../test-support/netns.test-support.js';
import { serveHub, type RunningHub } from './serve-hub.js';

const skip = netnsUnavailableReason();
/** Short leases, so that expiry and renewal happen within a test. */
const LEASE_MS = 3_000;
let net: NetnsHosts;
let running: RunningHub;
let transport: Transport;
let client: FlotillaClient;
let board: BoardClient;

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function dispatch(prompt: string): Promise<Job> {
  const res = await transport.request({ method: 'POST', path: '/api/jobs', query: { host: 'hl1' }, body: { prompt, agent: 'sh', cwd: '/tmp' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Job;
}

const ended = (id: string): Promise<Job> =>
  until(`job ${id} to end`, async () => {
    const job = await client.getJob(id);
    return isTerminal(job.status) ? job : null;
  });

const CLAIM = `key=$(cb board claim --json | sed -n 's/^  "key": "\\([^"]*\\)".*/\\1/p')`;

describe.skipIf(skip !== null)('leases held by agents on a namespace host', () => {
  beforeAll(async () => {
    net = await startNetnsHosts({ count: 1, prefix: 'hl' });
    const host = net.hosts[0]!;
    writeFileSync(join(host.home, 'config.json'), JSON.stringify({ agents: SHELL_AGENT, notifySend: false, slots: 4 }));
    // The host's daemon asks for short leases (and renews every third of one).
    await net.ssh(host, `FLOTILLA_LEASE_MS=${LEASE_MS} cb daemon start --json`);
    const paths = hubPaths({ FLOTILLA_HOME: join(net.dir, 'hub') });
    running = await serveHub({
      paths,
      name: 'hub',
      dashboardDir: null,
      healthIntervalMs: 1_000,
      defaultLeaseMs: LEASE_MS,
      sweepIntervalMs: 300,
      readHosts: async () => [{ name: host.name, spec: host.name, target: host.ip }],
      openLink: (entry) => openHostLink({ name: entry.name, target: entry.spec, sshConfig: net.sshConfig, agentSocket: null }),
    });
    transport = createSocketTransport(paths.socket);
    client = createClient(transport);
    board = createBoardClient(transport);
    await until('the host up', async () => ((await transport.request({ method: 'GET', path: '/api/hosts' })).body as Host[])[0]?.mode === 'daemon');
  }, 120_000);

  afterAll(async () => {
    await running?.close();
    await net?.down();
  });

  it('a slow holder keeps its task for four leases and finishes it', async () => {
    const task = await board.addTask({ title: 'slow work', tags: ['slow'] });
    const job = await dispatch(`set -e\n${CLAIM}\nsleep ${(LEASE_MS * 4) / 1000}\ncb board done "$key" --note "slow but alive"\necho "did $key"`);
    const done = await ended(job.id);
    expect(done.result, done.result ?? '').toContain(`did ${task.key}`);
    const final = await board.getTask(task.id);
    expect(final.status).toBe('done');
    expect(final.attempts).toBe(0);
    expect(final.history.map((event) => event.kind)).not.toContain('expired');
  });

  it('a holder killed mid-task loses it when the lease runs out; the attempt counts; its late write is refused', async () => {
    const task = await board.addTask({ title: 'doomed work', tags: ['doomed'] });
    const job = await dispatch(`${CLAIM}\necho "holding $key"\nsleep 120`);
    const held = await until('the task held', async () => {
      const current = await board.getTask(task.id);
      return current.status === 'doing' ? current : null;
    });
    expect(held.holder).toMatchObject({ host: 'hl1', jobId: job.id });
    await client.cancelJob(job.id);
    expect((await ended(job.id)).status).toBe('cancelled');
    const returned = await until('the task back in todo', async () => {
      const current = await board.getTask(task.id);
      return current.status === 'todo' ? current : null;
    }, LEASE_MS * 5);
    expect(returned.attempts).toBe(1);
    expect(returned.history.map((event) => event.kind)).toContain('expired');
    const late = await board.completeTask(task.id, { token: held.token, note: 'too late' }).catch((error: unknown) => error);
    expect(isProtocolError(late) && late.code).toBe('STALE_TOKEN');
  });
});
