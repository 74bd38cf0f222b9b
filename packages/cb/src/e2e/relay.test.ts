/**
 * The relay end to end: a real daemon, real jobs (a shell "agent" that runs the real `cb` CLI
 * inside its job) and a recording hub stand-in on the real `$FLOTILLA_HOME/hub.sock` path.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocketTransport } from '@flotilla/kit/transport';
import { runProcess } from '@flotilla/testkit';
import { createRelayClient } from '../cli/relay-client.js';
import { cbCommand } from '../relay/access.js';
import { CB_BIN, startHarness, waitFor, type Harness } from './harness.js';
import { startHubStandIn, type HubStandIn } from './hub-stand-in.js';

/** Short leases so that three lease periods pass in a few seconds; renewals come every 500 ms. */
const LEASE_MS = 1_500;

let h: Harness;
let hub: HubStandIn | null = null;
let userToken: string;
const hubSocket = () => join(h.paths.home, 'hub.sock');

beforeAll(async () => {
  h = await startHarness({ config: { agents: { shell: { argv: ['/bin/sh', '-c', '{prompt}'] } } } });
  h.env.FLOTILLA_LEASE_MS = String(LEASE_MS);
  await h.killDaemon();
  await h.startDaemon();
  userToken = readFileSync(h.paths.token, 'utf8').trim();
});

afterAll(async () => {
  await hub?.close();
  await h?.[Symbol.asyncDispose]();
});

async function startHub(): Promise<HubStandIn> {
  await hub?.close();
  hub = await startHubStandIn(hubSocket());
  return hub;
}

function cb(args: string[], env: Record<string, string> = h.env) {
  return runProcess({ command: process.execPath, args: [CB_BIN, ...args], cwd: h.repo, env, timeoutMs: 30_000 });
}

/** A job of the shell agent running `script` (with `$CB` the real CLI); resolves once it has started. */
async function shellJob(script: string) {
  const job = await h.createJob({ agent: 'shell', prompt: `CB="${process.execPath} ${CB_BIN}"; ${script}` });
  await waitFor(async () => !['queued', 'starting'].includes((await h.client.getJob(job.id)).status), 20_000);
  return job;
}

/** What `env` printed inside the job, as a record. */
function envOf(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

async function api(path: string, token: string | null, init: { method?: string; body?: unknown } = {}) {
  const transport = createSocketTransport(h.paths.socket);
  return transport.request({ method: (init.method ?? 'GET') as 'GET', path, body: init.body, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

describe('cb relay (board and messages through the local daemon)', () => {
  it('should fail board calls at once, in words, when no hub is connected (and say it relays in its capabilities)', async () => {
    expect((await h.client.capabilities()).features).toContain('relay');
    const started = Date.now();
    const run = await cb(['board', 'ls']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('the hub is not connected to this host; board calls need it');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("should let a job's agent claim through cb, keep the claim past 3 lease periods while it runs, finish it with the remembered token, and hold no user token", async () => {
    const stand = await startHub();
    const user = createRelayClient(createSocketTransport(h.paths.socket));
    const added = await user.add({ title: 'slow task', tags: ['backend'] });
    expect(stand.requests.at(-1)).toMatchObject({ method: 'POST', path: '/api/board', headers: { 'x-flotilla-agent-host': 'e2e-host' }, body: { title: 'slow task', by: 'user' } });
    const out = join(h.root, 'slow');
    const job = await shellJob(
      `mkdir -p ${out}; env > ${out}/env.txt; cp "$FLOTILLA_INSTRUCTIONS" ${out}/instructions.md; $CB board claim --json --tag backend > ${out}/claim.json; ` +
        `sleep 6; $CB board claim --json; echo $? > ${out}/again.txt; $CB board done ${added.key} --note "did it" > ${out}/done.txt 2>&1`,
    );
    const ended = await h.waitEnded(job.id);
    expect(ended.status).toBe('succeeded');
    const env = envOf(join(out, 'env.txt'));
    expect(env.FLOTILLA_JOB_TOKEN).toMatch(/^fjt_[\w-]{43}$/);
    expect(env.FLOTILLA_JOB_ID).toBe(job.id);
    expect(env.FLOTILLA_INSTRUCTIONS).toBe(join(h.paths.jobDir(job.id), 'flotilla-instructions.md'));
    expect(Object.entries(env).filter(([, value]) => value.includes(userToken))).toEqual([]);
    expect(readFileSync(join(out, 'instructions.md'), 'utf8')).toContain('board claim --json');
    const claimed = JSON.parse(readFileSync(join(out, 'claim.json'), 'utf8')) as { id: string; token: number };
    expect(claimed).toMatchObject({ id: added.id, token: 1 });
    expect(readFileSync(join(out, 'again.txt'), 'utf8').trim()).toBe('3');
    expect(readFileSync(join(out, 'done.txt'), 'utf8')).toContain(`${added.key} is done`);
    const claim = stand.requests.find((r) => r.path === '/api/board/claim' && (r.body as { tags?: string[] }).tags?.includes('backend'))!;
    expect(claim.headers).toMatchObject({ 'x-flotilla-agent-host': 'e2e-host', 'x-flotilla-agent-job': job.id });
    expect(claim.body).toMatchObject({ holder: { who: `job-${job.id.slice(0, 10).toLowerCase()}`, host: 'e2e-host', jobId: job.id }, leaseMs: LEASE_MS });
    const renewals = stand.requests.filter((r) => r.path === `/api/board/${added.id}/renew`);
    expect(renewals.length).toBeGreaterThanOrEqual(6);
    expect(stand.tasks.get(added.id)).toMatchObject({ status: 'done', token: 1 });
    expect(stand.tasks.get(added.id)!.history.map((e) => e.kind)).toEqual(['added', 'claimed', 'completed']);
    expect(stand.requests.find((r) => r.path === `/api/board/${added.key}/done`)!.body).toEqual({ token: 1, note: 'did it' });
  });

  it('should let a job claim a named task through cb, refuse it a second time with exit 3, and finish it with the remembered token', async () => {
    const stand = await startHub();
    const user = createRelayClient(createSocketTransport(h.paths.socket));
    await user.add({ title: 'the better one', priority: 'high' });
    const wanted = await user.add({ title: 'the named one', priority: 'low' });
    const out = join(h.root, 'named');
    const job = await shellJob(
      `mkdir -p ${out}; $CB board claim ${wanted.key} --json > ${out}/claim.json; $CB board claim ${wanted.key} --json 2> ${out}/again.err; echo $? > ${out}/again.txt; ` +
        `$CB board done ${wanted.key} --note "named and done" > ${out}/done.txt 2>&1`,
    );
    expect((await h.waitEnded(job.id)).status).toBe('succeeded');
    expect(JSON.parse(readFileSync(join(out, 'claim.json'), 'utf8'))).toMatchObject({ id: wanted.id, token: 1 });
    expect(readFileSync(join(out, 'again.txt'), 'utf8').trim()).toBe('3');
    expect(readFileSync(join(out, 'again.err'), 'utf8')).toContain(`not claimed: task ${wanted.key} cannot be claimed: it is doing`);
    expect(readFileSync(join(out, 'done.txt'), 'utf8')).toContain(`${wanted.key} is done`);
    const claim = stand.requests.find((r) => r.path === `/api/board/${wanted.key}/claim`)!;
    expect(claim.headers).toMatchObject({ 'x-flotilla-agent-host': 'e2e-host', 'x-flotilla-agent-job': job.id });
    expect(claim.body).toEqual({ holder: { who: `job-${job.id.slice(0, 10).toLowerCase()}`, host: 'e2e-host', jobId: job.id }, leaseMs: LEASE_MS });
    expect(stand.requests.find((r) => r.path === `/api/board/${wanted.key}/done`)!.body).toEqual({ token: 1, note: 'named and done' });
    expect([...stand.tasks.values()].find((task) => task.title === 'the better one')).toMatchObject({ status: 'todo', token: 0 });
  });

  it('should let a real Claude Code job in the default accept-edits mode claim through its Bash tool, as itself', async () => {
    const stand = await startHub();
    const added = await createRelayClient(createSocketTransport(h.paths.socket)).add({ title: 'for claude' });
    const command = `${cbCommand(h.env.PATH)} board claim --json`;
    h.anthropic.setScenario([{ text: 'Claiming.', toolUses: [{ id: 'toolu_claim', name: 'Bash', input: { command } }] }, { text: 'claimed' }]);
    const job = await h.createJob({ prompt: 'take a task' });
    expect((await h.waitEnded(job.id)).status).toBe('succeeded');
    const claim = stand.requests.find((r) => r.path === '/api/board/claim')!;
    expect(claim.headers['x-flotilla-agent-job']).toBe(job.id);
    const main = h.anthropic.requests.filter((r) => r.kind === 'main');
    expect(JSON.stringify(main[0]!.body)).toContain('flotilla-instructions.md');
    expect(JSON.stringify(main.at(-1)!.body)).toContain(added.id);
    expect(stand.tasks.get(added.id)!.holder).toMatchObject({ who: `job-${job.id.slice(0, 10).toLowerCase()}`, jobId: job.id });
  });

  it("should let a real Codex job claim through its shell in bypass mode, and say why it cannot from the workspace-write sandbox", async () => {
    const stand = await startHub();
    const added = await createRelayClient(createSocketTransport(h.paths.socket)).add({ title: 'for codex' });
    const cmd = `${cbCommand(h.env.PATH)} board claim --json`;
    const toolOutput = () => JSON.stringify(h.openai.requests.filter((r) => r.kind === 'main').at(-1)?.body).match(/function_call_output.{0,800}/)?.[0] ?? '';
    const run = async (permissions: 'accept-edits' | 'bypass') => {
      h.openai.setScenario([{ text: 'Claiming.', toolUses: [{ id: 'call_claim', name: 'exec_command', input: { cmd } }] }, { text: 'claimed' }]);
      const job = await h.createJob({ agent: 'codex', prompt: 'take a task', permissions, worktree: permissions === 'bypass' });
      expect((await h.waitEnded(job.id)).status).toBe('succeeded');
      return job;
    };
    await run('accept-edits');
    expect(toolOutput()).toContain('cannot reach the Flotilla daemon at');
    expect(toolOutput()).toContain("the agent's sandbox forbids sockets");
    expect(stand.requests.filter((r) => r.path === '/api/board/claim')).toEqual([]);
    const bypass = await run('bypass');
    expect(stand.requests.find((r) => r.path === '/api/board/claim')?.headers['x-flotilla-agent-job'], toolOutput()).toBe(bypass.id);
    expect(stand.tasks.get(added.id)!.holder).toMatchObject({ jobId: bypass.id });
  });

  it('should stop renewing once the holder job has ended, so the lease runs out on the hub', async () => {
    const stand = await startHub();
    const user = createRelayClient(createSocketTransport(h.paths.socket));
    const added = await user.add({ title: 'abandoned task' });
    const job = await shellJob(`$CB board claim --json >/dev/null; sleep 1`);
    const ended = await h.waitEnded(job.id);
    expect(ended.status).toBe('succeeded');
    const renewPath = `/api/board/${added.id}/renew`;
    // The daemon has finalized the job by now; a renewal due after this sees its holder ended.
    const endedAt = Date.now();
    await new Promise((r) => setTimeout(r, LEASE_MS * 2));
    expect(stand.requests.filter((r) => r.path === renewPath && r.at > endedAt + LEASE_MS / 3 + 300)).toEqual([]);
    expect((await user.show(added.key)).status).toBe('todo');
  });

  it('should accept a job token on the relay and its own job only: 403 elsewhere, 401 once the job ended or when unknown', async () => {
    await startHub();
    const out = join(h.root, 'scope');
    const job = await shellJob(`mkdir -p ${out}; env > ${out}/env.txt; sleep 4`);
    await waitFor(() => readFileSync(join(out, 'env.txt'), 'utf8').includes('FLOTILLA_JOB_TOKEN'), 10_000);
    const token = envOf(join(out, 'env.txt')).FLOTILLA_JOB_TOKEN!;
    expect((await api('/api/relay/board', token)).status).toBe(200);
    expect((await api(`/api/jobs/${job.id}`, token)).status).toBe(200);
    expect((await api(`/api/jobs/${job.id}/log`, token)).status).toBe(200);
    for (const [path, method] of [['/api/jobs', 'GET'], ['/api/sessions', 'GET'], ['/api/inbox', 'GET'], ['/api/jobs', 'POST'], ['/api/daemon/stop', 'POST'], [`/api/jobs/${job.id}/cancel`, 'POST']] as const) {
      const res = await api(path, token, { method, body: method === 'POST' ? {} : undefined });
      expect([path, res.status]).toEqual([path, 403]);
      expect((res.body as { error: { code: string; message: string } }).error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('a job token may not') });
    }
    const served = (await api('/api/daemon/serve', null, { method: 'POST', body: { port: 0 } })).body as { url: string };
    const overTcp = await fetch(`${served.url}/api/relay/board`, { headers: { authorization: `Bearer ${token}` } });
    expect(overTcp.status).toBe(200);
    expect((await fetch(`${served.url}/api/jobs`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    expect((await fetch(`${served.url}/api/relay/board`)).status).toBe(401);
    await h.waitEnded(job.id);
    const after = await api('/api/relay/board', token);
    expect(after.status).toBe(401);
    expect((after.body as { error: { message: string } }).error.message).toMatch(/revoked .*no longer running/);
    const unknown = await api('/api/relay/board', 'fjt_unknownunknownunknownunknownunknownunknown');
    expect(unknown.status).toBe(401);
    expect((unknown.body as { error: { message: string } }).error.message).toBe('this job token is not known to this daemon');
  });

  it("should give a session its own token: its session and the relay only, refused once the session is stopped", async () => {
    await startHub();
    const session = await h.client.createSession({ name: 'relay-s', agent: 'shell', cwd: h.repo });
    const dir = h.paths.sessionDir(session.id);
    const env = Object.fromEntries(
      readFileSync(join(dir, 'env.sh'), 'utf8')
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).replace(/^'|'$/g, '')]),
    );
    expect(env).toMatchObject({ FLOTILLA_SESSION: 'relay-s', FLOTILLA_INSTRUCTIONS: join(dir, 'flotilla-instructions.md') });
    expect(Object.values(env).some((value) => value.includes(userToken))).toBe(false);
    const token = env.FLOTILLA_JOB_TOKEN!;
    expect((await api('/api/sessions/relay-s', token)).status).toBe(200);
    expect((await api('/api/relay/board', token)).status).toBe(200);
    expect((await api('/api/sessions', token)).status).toBe(403);
    expect((await api('/api/sessions/relay-s/send', token, { method: 'POST', body: { text: 'hi' } })).status).toBe(403);
    await h.client.stopSession('relay-s');
    const after = await api('/api/relay/board', token);
    expect(after.status).toBe(401);
    expect((after.body as { error: { message: string } }).error.message).toBe('this job token was revoked (session relay-s has exited)');
  });

  it('should queue messages durably while the hub is away, keep them across a daemon kill -9, and send them in order with idempotency keys', async () => {
    await hub?.close();
    hub = null;
    const first = await cb(['msg', 'reviewer', 'one']);
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toMatch(/the hub is not connected: queued \([0-9A-Z]{26}\)/);
    expect((await cb(['msg', '--channel', 'two'])).exitCode).toBe(0);
    const third = await cb(['msg', '@backend', 'three', '--json']);
    expect(JSON.parse(third.stdout)).toEqual({ queued: true, id: expect.stringMatching(/^[0-9A-Z]{26}$/), reason: 'hub_not_connected', waitedMs: expect.any(Number) });
    await h.killDaemon();
    await h.startDaemon();
    const stand = await startHub();
    stand.failNextMessages(1);
    await waitFor(() => stand.messages.length === 3, 30_000, () => JSON.stringify(stand.requests.map((r) => [r.path, r.headers['x-flotilla-idempotency-key']])));
    expect(stand.messages.map((m) => [m.to, m.text, m.from])).toEqual([
      ['reviewer', 'one', 'user'],
      ['#channel', 'two', 'user'],
      ['@backend', 'three', 'user'],
    ]);
    const posts = stand.requests.filter((r) => r.path === '/api/messages' || r.path === '/api/channel');
    const keys = posts.map((r) => r.headers['x-flotilla-idempotency-key']);
    // The first post was refused (503) and sent again under the same key.
    expect(keys[0]).toBe(keys[1]);
    expect(new Set(keys).size).toBe(3);
    expect(keys[3]).toBe(JSON.parse(third.stdout).id);
    const direct = await cb(['msg', 'reviewer', 'now']);
    expect(direct.stdout).toMatch(/^sent [0-9A-Z]{26} to reviewer/);
  });

  it('should keep renewing a claim after the daemon is killed and restarted while its job runs on', async () => {
    // A lease longer than a daemon restart on a loaded host (renewed every 3.3 s).
    h.env.FLOTILLA_LEASE_MS = '10000';
    await h.killDaemon();
    await h.startDaemon();
    const stand = await startHub();
    const added = await createRelayClient(createSocketTransport(h.paths.socket)).add({ title: 'survives a daemon restart' });
    const job = await shellJob(`$CB board claim --json >/dev/null; sleep 14; $CB board done ${added.key} --note "still mine"`);
    // Killed once the daemon has remembered the claim (killed between the hub's answer and that, the
    // claim is not renewed: its lease runs out and the task returns, as for a dead holder).
    await waitFor(async () => ((await api('/api/relay/board/claims', null)).body as { taskId: string }[]).some((c) => c.taskId === added.id), 15_000);
    await h.killDaemon();
    const restartedAt = Date.now();
    await h.startDaemon();
    const ended = await h.waitEnded(job.id);
    expect(ended.status).toBe('succeeded');
    expect(stand.requests.filter((r) => r.path === `/api/board/${added.id}/renew` && r.at > restartedAt).length).toBeGreaterThanOrEqual(2);
    const trace = JSON.stringify({ attempts: ended.attempts.map((a) => [a.n, a.status, a.reason, a.startedAt, a.endedAt]), restartedAt: new Date(restartedAt).toISOString(), history: stand.tasks.get(added.id)!.history, renewals: stand.requests.filter((r) => r.path.endsWith('/renew')).map((r) => new Date(r.at).toISOString()) }, null, 1);
    expect(stand.tasks.get(added.id)!.history.map((e) => e.kind), trace).toEqual(['added', 'claimed', 'completed']);
  });
});
