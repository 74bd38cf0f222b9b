/**
 * The fleet behind a hub (no hub process here: a stand-in transport answering the hub's routes,
 * `/api/hosts`, `/api/hosts/:name/doctor`, `/api/pauses` and `/api/jobs?host=`; the real hub is in
 * src/cli/hub-cycle.test.ts), and the dispatch's mapping of ended and parked jobs. The real
 * daemon path is covered end to end in src/cli/director-cli.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createClient, newJob, type Capabilities, type DoctorReport, type Host, type Job, type Pause, type Transport, type TransportRequest } from '@flotilla/protocol';
import type { RunJobRequest } from '../cycle/run-job.js';
import { createFleetRunJob, ended } from './dispatch.js';
import { createFleet, judgeDoctor } from './fleet.js';
import type { FlotillaServer } from './server.js';

const NOW = '2026-11-26T03:00:00.000Z';

function job(overrides: Partial<Job> = {}): Job {
  const created = newJob({ id: '01J9ZZ0000000000000000000A', host: 'box', agent: 'claude', model: 'sonnet', prompt: 'p', cwd: '/w', permissions: 'accept-edits', now: NOW }, { idempotencyKey: 'B:1', pending: null });
  return { ...created, ...overrides };
}

function host(name: string, overrides: Partial<Host> = {}): Host {
  return {
    name,
    spec: name,
    target: name,
    state: 'up',
    since: NOW,
    latencyMs: 3,
    error: null,
    hostKey: null,
    mode: 'daemon',
    cbVersion: '0.1.0',
    running: 0,
    queued: 0,
    sessions: 0,
    slots: 2,
    freeSlots: 2,
    paused: false,
    lastSeenAt: NOW,
    ...overrides,
  };
}

const doctorOk = (name: string, agent = 'claude'): DoctorReport => ({
  host: name,
  ok: true,
  checks: [
    { name: 'tmux', ok: true, detail: 'tmux 3.4', fix: null },
    { name: 'git', ok: true, detail: 'git 2.47', fix: null },
    { name: `${agent} CLI`, ok: true, detail: '2.1.0', fix: null },
    { name: `${agent} credential`, ok: true, detail: 'api key', fix: null },
  ],
});

const REPLY = Symbol('reply');
/** An answer with a status of its own (a route's plain value is a 200). */
function reply(status: number, body: unknown): { [REPLY]: true; status: number; body: unknown } {
  return { [REPLY]: true, status, body };
}

/** A transport answering from a route table (null: the plain 404 of a route it lacks); every request is recorded. */
function standIn(routes: (req: TransportRequest) => unknown): Transport & { requests: TransportRequest[] } {
  const requests: TransportRequest[] = [];
  return {
    requests,
    async request(req) {
      requests.push(req);
      const answer = routes(req);
      if (answer === null) return { status: 404, headers: {}, body: '404 Not Found' };
      if (typeof answer === 'object' && REPLY in answer) {
        const { status, body } = answer as ReturnType<typeof reply>;
        return { status, headers: {}, body };
      }
      return { status: 200, headers: {}, body: answer };
    },
    async stream() {
      throw new Error('no streams here');
    },
  };
}

function server(transport: Transport, capabilities: Partial<Capabilities> = {}, local = true): FlotillaServer {
  const caps: Capabilities = { kind: 'hub', host: 'hubbox', version: '0.1.0', protocol: 1, agents: ['claude'], addons: [], features: [], ...capabilities };
  return { transport, client: createClient(transport), capabilities: caps, isHub: caps.kind === 'hub', where: '/fl/mesh.sock', local };
}

const request: RunJobRequest = {
  batchId: 'B',
  attempt: 1,
  idempotencyKey: 'B:1',
  repo: 'api',
  hosts: [],
  worktreePath: '/state/worktrees/api/x',
  branch: 'flotilla/t/x',
  tickets: [],
  prompt: 'do it',
  agent: 'claude',
  model: 'sonnet',
};

function pause(hostName: string, agent: string, resetsAt: string): Pause {
  return { id: `01J9ZZ00000000000000000P${hostName.length}${agent.length}`.slice(0, 26), host: hostName, agent, credential: 'k1', reason: 'rate_limited', message: 'limit reached', startedAt: NOW, resetsAt, endedAt: null };
}

describe('the fleet behind a hub', () => {
  it('should place jobs on the host that is this machine, check its doctor through the hub, and refuse repos elsewhere', async () => {
    const hub = standIn((req) => {
      if (req.path === '/api/hosts') return [host('box'), host('dragon')];
      if (req.path === '/api/hosts/box/doctor') return doctorOk('box');
      // Another host's pause of the same agent does not stop this one.
      if (req.path === '/api/pauses') return [pause('dragon', 'claude', '2026-11-26T05:00:00.000Z')];
      return null;
    });
    const fleet = createFleet({ server: server(hub), machine: 'box.example.org', now: () => Date.parse(NOW) });
    const found = await fleet.preflight('claude');
    expect(found.hosts).toEqual([{ host: 'box', ok: true, detail: 'doctor: tmux, git, claude CLI, claude credential ok' }]);
    expect(hub.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/hosts', 'GET /api/hosts/box/doctor', 'GET /api/pauses']);
    expect(found.placement([])).toEqual({ host: 'box' });
    expect(found.placement(['dragon', 'box'])).toEqual({ host: 'box' });
    expect(found.placement(['dragon'])).toEqual({ refused: expect.stringContaining("the repo's hosts (dragon) do not include box") });
  });

  it('should stop a host whose relayed doctor fails, whose agent is paused there, or that the hub cannot ask', async () => {
    const noCredential: DoctorReport = { ...doctorOk('box'), ok: false, checks: [...doctorOk('box').checks.slice(0, 3), { name: 'claude credential', ok: false, detail: 'none: not logged in', fix: 'run claude /login' }] };
    const preflight = (doctor: unknown, pauses: Pause[] = []) =>
      createFleet({
        server: server(standIn((req) => (req.path === '/api/hosts' ? [host('box')] : req.path === '/api/hosts/box/doctor' ? doctor : req.path === '/api/pauses' ? pauses : null))),
        machine: 'box',
        now: () => Date.parse(NOW),
      }).preflight('claude');
    expect((await preflight(noCredential)).hosts).toEqual([{ host: 'box', ok: false, detail: 'doctor: claude credential: none: not logged in (fix: run claude /login)' }]);
    const paused = await preflight(doctorOk('box'), [pause('box', 'claude', '2026-11-26T04:00:00.000Z'), pause('box', 'codex', '2026-11-26T06:00:00.000Z')]);
    expect(paused.hosts[0]).toEqual({ host: 'box', ok: false, detail: 'claude is paused there until 2026-11-26T04:00:00.000Z (rate_limited: limit reached)' });
    const unavailable = reply(503, { error: { code: 'DAEMON_UNAVAILABLE', message: 'box is driven bare through tmux', fix: 'install cb there with `mesh hosts bootstrap box`' } });
    expect((await preflight(unavailable)).hosts[0]).toEqual({
      host: 'box',
      ok: false,
      detail: 'the doctor could not run: box is driven bare through tmux (fix: install cb there with `mesh hosts bootstrap box`)',
    });
  });

  it('should fall back, on a hub without the per-host doctor route, to this machine\'s daemon, else to the link state said so', async () => {
    const oldHub = () => standIn((req) => (req.path === '/api/hosts' ? [host('box')] : null));
    const daemon = standIn((req) => (req.path === '/api/doctor' ? doctorOk('box') : req.path === '/api/pauses' ? [] : null));
    const viaDaemon = await createFleet({ server: server(oldHub()), localDaemon: server(daemon, { kind: 'daemon', host: 'box' }), machine: 'box' }).preflight('claude');
    expect(viaDaemon.hosts).toEqual([{ host: 'box', ok: true, detail: 'doctor: tmux, git, claude CLI, claude credential ok' }]);
    expect(daemon.requests.map((r) => r.path)).toEqual(['/api/doctor', '/api/pauses']);
    const linkOnly = await createFleet({ server: server(oldHub()), machine: 'box' }).preflight('claude');
    expect(linkOnly.hosts).toEqual([{ host: 'box', ok: true, detail: expect.stringContaining('link up (cb 0.1.0); no doctor: the hub has no per-host doctor route') }]);
  });

  it('should say why a host cannot take jobs: the link down, a bare host, the agent failing its doctor, an unknown machine', async () => {
    const hub = (hosts: Host[]) => server(standIn((req) => (req.path === '/api/hosts' ? hosts : null)), {}, false);
    const down = await createFleet({ server: hub([host('box', { state: 'down', error: 'connection refused' })]), machine: 'box' }).preflight('claude');
    expect(down.hosts).toEqual([{ host: 'box', ok: false, detail: "the hub's link to it is down: connection refused" }]);
    const bare = await createFleet({ server: hub([host('box', { mode: 'tmux', modeReason: 'node is missing' })]), machine: 'box' }).preflight('claude');
    expect(bare.hosts[0]).toMatchObject({ ok: false, detail: expect.stringContaining('no cb daemon runs there (node is missing)') });
    const unknown = await createFleet({ server: hub([host('dragon')]), machine: 'laptop' }).preflight('claude');
    expect(unknown.hosts[0]).toMatchObject({ ok: false, detail: expect.stringContaining('pass --local-host NAME') });
    expect(unknown.placement([])).toEqual({ refused: expect.stringContaining('cannot tell which') });
    const named = await createFleet({ server: hub([host('dragon')]), machine: 'laptop', localHost: 'dragon' }).preflight('claude');
    expect(named.hosts[0]).toMatchObject({ host: 'dragon', ok: true, detail: expect.stringContaining('no doctor: the hub has no per-host doctor route') });

    const noCredential: DoctorReport = { ...doctorOk('box'), ok: false, checks: [...doctorOk('box').checks.slice(0, 3), { name: 'claude credential', ok: false, detail: 'none: not logged in', fix: 'run claude /login' }] };
    expect(judgeDoctor(noCredential, 'claude')).toEqual({ ok: false, detail: 'doctor: claude credential: none: not logged in (fix: run claude /login)' });
    expect(judgeDoctor(noCredential, 'codex')).toEqual({ ok: false, detail: 'the doctor knows no agent codex on box' });
  });

  it('should dispatch to ?host= with the attempt key, and cancel a job parked in retry_wait, returning its failure', async () => {
    const resetsAt = '2026-11-26T04:00:00.000Z';
    const parked = job({ status: 'retry_wait', failure: { kind: 'rate_limited', message: 'limit reached', resetsAt } });
    const hub = standIn((req) => {
      if (req.path === '/api/hosts') return [host('box')];
      if (req.method === 'POST' && req.path === '/api/jobs') return job({ status: 'queued' });
      if (req.path.endsWith('/wait')) return parked;
      if (req.path.endsWith('/cancel')) return job({ status: 'cancelled', failure: parked.failure });
      return null;
    });
    const fleet = createFleet({ server: server(hub), machine: 'box' });
    await fleet.preflight('claude');
    const result = await createFleetRunJob({ fleet, pollMs: 10 })(request);
    expect(result).toEqual({ ok: false, failure: { kind: 'rate_limited', message: expect.stringContaining('limit reached'), resetsAt }, jobId: parked.id, host: 'box' });
    const create = hub.requests.find((r) => r.method === 'POST' && r.path === '/api/jobs')!;
    expect(create.query).toEqual({ host: 'box' });
    expect(create.body).toMatchObject({ idempotencyKey: 'B:1', cwd: '/state/worktrees/api/x', model: 'sonnet', agent: 'claude', attempts: 1 });
    expect(hub.requests.some((r) => r.path === `/api/jobs/${parked.id}/cancel`)).toBe(true);
  });

  it('should map ended jobs: the answer, the classified failure, a cancellation nobody explained', () => {
    expect(ended(job({ status: 'succeeded', result: 'done: 3 files' }))).toEqual({ ok: true, summary: 'done: 3 files', jobId: '01J9ZZ0000000000000000000A' });
    expect(ended(job({ status: 'failed', failure: { kind: 'task', message: 'tests fail' } }))).toMatchObject({ ok: false, failure: { kind: 'task', resetsAt: null } });
    expect(ended(job({ status: 'cancelled' }))).toMatchObject({ ok: false, failure: { kind: 'interrupted' } });
    expect(ended(job({ status: 'dead' }))).toMatchObject({ ok: false, failure: { kind: 'crashed' } });
  });
});
