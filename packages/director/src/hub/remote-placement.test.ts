/**
 * Placing batches on another host behind a hub (decision 38 as amended) against a stand-in of the
 * hub's routes (`/api/hosts`, `/api/hosts/:name/doctor`, `/api/pauses`, `/api/jobs`) and real git
 * checkouts (with and without origin); the real hub with two hosts is in src/cli/remote-hub.test.ts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, newJob, type Capabilities, type DoctorReport, type Host, type Job, type Transport, type TransportRequest } from '@flotilla/protocol';
import { makeTempDir, type TempDir } from '@flotilla/testkit';
import { RepoConfigSchema, type RepoConfig } from '../config/config-schema.js';
import type { RunJobRequest } from '../cycle/run-job.js';
import { makeRepoWithRemote } from '../test-support/git-fixture.js';
import { createFleetRunJob } from './dispatch.js';
import { createFleet } from './fleet.js';
import type { FlotillaServer } from './server.js';

const NOW = '2026-11-26T03:00:00.000Z';

function host(name: string, overrides: Partial<Host> = {}): Host {
  return { name, spec: name, target: name, state: 'up', since: NOW, latencyMs: 3, error: null, hostKey: null, mode: 'daemon', cbVersion: '0.1.0', running: 0, queued: 0, sessions: 0, slots: 2, freeSlots: 2, paused: false, lastSeenAt: NOW, ...overrides };
}

function doctor(name: string, ok = true): DoctorReport {
  const credential = ok ? { name: 'claude credential', ok: true, detail: 'api key', fix: null } : { name: 'claude credential', ok: false, detail: 'none', fix: 'run claude /login' };
  return { host: name, ok, checks: [{ name: 'tmux', ok: true, detail: '3.4', fix: null }, { name: 'git', ok: true, detail: '2.47', fix: null }, { name: 'claude CLI', ok: true, detail: '2', fix: null }, credential] };
}

/** A hub answering from a route table; every request is recorded. */
function hubStandIn(routes: (req: TransportRequest) => { status?: number; body: unknown } | null): { server: FlotillaServer; requests: TransportRequest[] } {
  const requests: TransportRequest[] = [];
  const transport: Transport = {
    async request(req) {
      requests.push(req);
      const answer = routes(req);
      return answer === null ? { status: 404, headers: {}, body: '404 Not Found' } : { status: answer.status ?? 200, headers: {}, body: answer.body };
    },
    async stream() {
      throw new Error('no streams here');
    },
  };
  const capabilities: Capabilities = { kind: 'hub', host: 'hub', version: '0.1.0', protocol: 1, agents: ['claude'], addons: [], features: [] };
  return { server: { transport, client: createClient(transport), capabilities, isHub: true, where: '/fl/mesh.sock', local: true }, requests };
}

function job(overrides: Partial<Job>): Job {
  return { ...newJob({ id: '01J9ZZ0000000000000000000A', host: 'dragon', agent: 'claude', model: 'sonnet', prompt: 'p', cwd: '/w', permissions: 'accept-edits', now: NOW }), ...overrides };
}

let tmp: TempDir;
let withOrigin: string;
let withoutOrigin: string;
const repo = (overrides: Partial<RepoConfig> = {}): RepoConfig => RepoConfigSchema.parse({ name: 'api', path: withOrigin, base: 'main', ...overrides });

beforeAll(async () => {
  tmp = await makeTempDir('director-placement-');
  withOrigin = (await makeRepoWithRemote(tmp.path, 'api')).repo;
  withoutOrigin = (await makeRepoWithRemote(join(tmp.path, 'solo'), 'solo', { remote: false })).repo;
}, 60_000);
afterAll(async () => {
  await tmp?.[Symbol.asyncDispose]();
});

describe('placing batches on the fleet behind a hub', () => {
  it('should keep jobs on this machine\'s host while it has room, then go to the host with free slots, asking its doctor then', async () => {
    const hub = hubStandIn((req) => {
      if (req.path === '/api/hosts') return { body: [host('box', { freeSlots: 1, running: 1 }), host('dragon'), host('ember', { freeSlots: 1 })] };
      if (req.path.endsWith('/doctor')) return { body: doctor(req.path.split('/')[3]!) };
      if (req.path === '/api/pauses') return { body: [] };
      return null;
    });
    const found = await createFleet({ server: hub.server, machine: 'box' }).preflight('claude');
    expect(found.hosts.map((h) => h.host)).toEqual(['box']);
    const context = { repo: repo(), perHost: 2 };
    // box has one free slot: the second batch goes to dragon (most free slots), the fourth to ember.
    const placed = [];
    for (let i = 0; i < 5; i += 1) placed.push(await found.placement([], context));
    expect(placed).toEqual([{ host: 'box' }, { host: 'dragon' }, { host: 'dragon' }, { host: 'ember' }, { host: 'box' }]);
    expect(found.hosts).toEqual([
      expect.objectContaining({ host: 'box', ok: true }),
      expect.objectContaining({ host: 'dragon', ok: true }),
      expect.objectContaining({ host: 'ember', ok: true }),
    ]);
    // Without the cycle's context (flow steps, direct callers): this machine's host only, as before.
    expect(found.placement(['dragon'])).toEqual({ refused: expect.stringContaining("the repo's hosts (dragon) do not include box") });
  });

  it('should pass over, with the reason, a host that fails its pre-flight, and keep a repo without origin, with setup or with a flow here', async () => {
    const hub = hubStandIn((req) => {
      if (req.path === '/api/hosts') return { body: [host('box', { freeSlots: 0, running: 2 }), host('dragon'), host('ember')] };
      if (req.path === '/api/hosts/ember/doctor') return { body: doctor('ember', false) };
      if (req.path.endsWith('/doctor')) return { body: doctor(req.path.split('/')[3]!) };
      if (req.path === '/api/pauses') return { body: [] };
      return null;
    });
    const found = await createFleet({ server: hub.server, machine: 'box' }).preflight('claude');
    expect(await found.placement(['ember', 'dragon'], { repo: repo({ hosts: ['ember', 'dragon'] }), perHost: 2 })).toEqual({ host: 'dragon' });
    expect(found.hosts.find((h) => h.host === 'ember')).toMatchObject({ ok: false, detail: expect.stringContaining('claude credential: none') });
    // box is full, but it is the only host these repos may use: they wait for it.
    for (const stays of [repo({ path: withoutOrigin }), repo({ setup: 'pnpm install' }), repo({ flow: 'review' })]) {
      expect(await found.placement([], { repo: stays, perHost: 2 })).toEqual({ host: 'box' });
    }
    const refused = await found.placement(['dragon'], { repo: repo({ path: withoutOrigin, hosts: ['dragon'] }), perHost: 2 });
    expect(refused).toEqual({ refused: `no host can run api's jobs: not host dragon: ${withoutOrigin} has no origin remote here, so a branch made on another host could not come back` });
    expect(await found.placement(['ember'], { repo: repo({ hosts: ['ember'] }), perHost: 2 })).toEqual({
      refused: expect.stringContaining('host ember failed the pre-flight, nothing is dispatched to it: doctor: claude credential: none'),
    });
  });

  it('should dispatch a published job to the other host, and pass over a host that turned out to lack the checkout', async () => {
    let hasCheckout = true;
    const hub = hubStandIn((req) => {
      if (req.path === '/api/hosts') return { body: [host('box', { freeSlots: 0 }), host('dragon')] };
      if (req.path.endsWith('/doctor')) return { body: doctor(req.path.split('/')[3]!) };
      if (req.path === '/api/pauses') return { body: [] };
      if (req.method === 'POST' && req.path === '/api/jobs') {
        if (!hasCheckout) return { status: 400, body: { error: { code: 'CWD_NOT_FOUND', message: `working directory ${withOrigin} does not exist` } } };
        return { status: 201, body: job({ status: 'queued', idempotencyKey: 'B:1', publish: { branch: 'flotilla/t/x', message: 'T-1: x' } }) };
      }
      if (req.path.endsWith('/wait')) return { body: job({ status: 'succeeded', result: 'done', idempotencyKey: 'B:1', publish: { branch: 'flotilla/t/x', message: 'T-1: x' } }) };
      if (req.method === 'GET' && req.path === '/api/jobs') return { body: { items: [job({ idempotencyKey: 'B:1', publish: { branch: 'flotilla/t/x', message: 'T-1: x' } })], nextCursor: null } };
      return null;
    });
    const fleet = createFleet({ server: hub.server, machine: 'box' });
    const found = await fleet.preflight('claude');
    expect(await found.placement([], { repo: repo(), perHost: 2 })).toEqual({ host: 'dragon' });
    const runJob = createFleetRunJob({ fleet, pollMs: 10 });
    const request: RunJobRequest = {
      batchId: 'B', attempt: 1, idempotencyKey: 'B:1', repo: 'api', hosts: [], worktreePath: withOrigin, branch: 'flotilla/t/x', tickets: [], prompt: 'do it', agent: 'claude', model: 'sonnet',
      host: 'dragon', publish: { repoPath: withOrigin, base: 'origin/main', message: 'T-1: x' },
    };
    expect(await runJob(request)).toEqual({ ok: true, summary: 'done', jobId: '01J9ZZ0000000000000000000A', host: 'dragon' });
    const create = hub.requests.find((r) => r.method === 'POST' && r.path === '/api/jobs')!;
    expect(create.query).toEqual({ host: 'dragon' });
    expect(create.body).toMatchObject({ cwd: withOrigin, worktree: true, base: 'origin/main', publish: { branch: 'flotilla/t/x', message: 'T-1: x' }, idempotencyKey: 'B:1', attempts: 1 });
    expect(await runJob.locator!.attemptJob('B', 'B:1')).toEqual({ host: 'dragon', published: true });
    expect(runJob.locator!.isLocalHost('box')).toBe(true);
    expect(runJob.locator!.isLocalHost('dragon')).toBe(false);

    hasCheckout = false;
    const refused = await runJob({ ...request, idempotencyKey: 'B:2', attempt: 2 });
    expect(refused).toMatchObject({ ok: false, failure: { kind: 'interrupted', message: expect.stringContaining(`dragon refused the job: it has no usable checkout at ${withOrigin}`) } });
    const next = await fleet.preflight('claude');
    expect(await next.placement(['dragon'], { repo: repo({ hosts: ['dragon'] }), perHost: 2 })).toEqual({
      refused: expect.stringContaining(`not host dragon: it has no usable checkout at ${withOrigin} (CWD_NOT_FOUND`),
    });
  });

  it('should cancel a job whose host or hub dropped publish (an older cb), pass the host over, and still adopt its jobs as remote ones', async () => {
    const hub = hubStandIn((req) => {
      if (req.path === '/api/hosts') return { body: [host('box'), host('dragon')] };
      if (req.path.endsWith('/doctor')) return { body: doctor(req.path.split('/')[3]!) };
      if (req.path === '/api/pauses') return { body: [] };
      if (req.method === 'POST' && req.path === '/api/jobs') return { status: 201, body: job({ status: 'queued', idempotencyKey: 'C:1' }) };
      if (req.path.endsWith('/cancel')) return { body: job({ status: 'cancelled', idempotencyKey: 'C:1' }) };
      if (req.method === 'GET' && req.path === '/api/jobs') return { body: { items: [job({ idempotencyKey: 'C:1' })], nextCursor: null } };
      return null;
    });
    const fleet = createFleet({ server: hub.server, machine: 'box' });
    await fleet.preflight('claude');
    const runJob = createFleetRunJob({ fleet, pollMs: 10 });
    const result = await runJob({
      batchId: 'C', attempt: 1, idempotencyKey: 'C:1', repo: 'api', hosts: ['dragon'], worktreePath: withOrigin, branch: 'flotilla/t/y', tickets: [], prompt: 'do it', agent: 'claude', model: 'sonnet',
      host: 'dragon', publish: { repoPath: withOrigin, base: 'origin/main', message: 'T-2: y' },
    });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'interrupted', message: expect.stringContaining('does not know the job option publish') }, host: 'dragon' });
    expect(hub.requests.some((r) => r.path === '/api/jobs/01J9ZZ0000000000000000000A/cancel')).toBe(true);
    const next = await fleet.preflight('claude');
    expect(await next.placement(['dragon'], { repo: repo({ hosts: ['dragon'] }), perHost: 2 })).toEqual({ refused: expect.stringContaining('not host dragon: its cb or the hub does not know the job option publish') });
    // A job on another host than this machine's is a published one even when the hub's mirror lacks the field.
    expect(await runJob.locator!.attemptJob('C', 'C:1')).toEqual({ host: 'dragon', published: true });
  });
});
