// The real `mesh` command line, as a user runs it: `mesh serve` in its own process with hosts from
// hosts.json resolved through ~/.ssh/config, then `mesh run --wait`, `ls`, `show`, `board`, and the
// dashboard sign-in link on the loopback port.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocketTransport } from '@flotilla/kit/transport';
import { SHELL_AGENT } from '../test-support/local-fleet.test-support.js';
import { netnsUnavailableReason, startNetnsHosts, type NetnsHosts } from '../test-support/netns.test-support.js';

const run = promisify(execFile);
const MESH_BIN = fileURLToPath(new URL('../../bin/mesh.cjs', import.meta.url));
const skip = netnsUnavailableReason();
let net: NetnsHosts;
let serve: ChildProcess;
let env: NodeJS.ProcessEnv;
let firstLine: Promise<string>;

const mesh = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await run(process.execPath, [MESH_BIN, ...args], { env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
};

describe.skipIf(skip !== null)('mesh serve and the mesh command line', () => {
  beforeAll(async () => {
    net = await startNetnsHosts({ count: 1, prefix: 'cl' });
    const host = net.hosts[0]!;
    writeFileSync(join(host.home, 'config.json'), JSON.stringify({ agents: SHELL_AGENT, notifySend: false }));
    const userHome = join(net.dir, 'user');
    mkdirSync(join(userHome, '.ssh'), { recursive: true });
    writeFileSync(join(userHome, '.ssh', 'config'), readFileSync(net.sshConfigPath, 'utf8'));
    const hubHome = join(net.dir, 'hub');
    mkdirSync(hubHome, { recursive: true });
    writeFileSync(join(hubHome, 'hosts.json'), JSON.stringify({ version: 1, hosts: [{ name: host.name, spec: host.name, addedAt: new Date().toISOString() }] }));
    env = { ...process.env, HOME: userHome, FLOTILLA_HOME: hubHome, SSH_AUTH_SOCK: '', FLOTILLA_DASHBOARD_DIR: '' };
    serve = spawn(process.execPath, [MESH_BIN, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    firstLine = new Promise((resolve) => {
      let out = '';
      serve.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
    });
    await firstLine;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { stdout } = await mesh('run', '--host', host.name, '--agent', 'sh', '--cwd', '/tmp', '--json', 'true').catch(() => ({ stdout: '' }));
      if (stdout.includes('"id"')) break;
      if (Date.now() > deadline) throw new Error('the hub never took a job');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }, 120_000);

  afterAll(async () => {
    serve?.kill('SIGTERM');
    await new Promise((resolve) => serve?.once('exit', resolve));
    await net?.down();
  });

  it('prints a one-time sign-in link first, and the link signs a browser in once', async () => {
    const link = await firstLine;
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+$/);
    const first = await fetch(link, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('set-cookie')).toMatch(/flotilla_token=.+HttpOnly/);
    const again = await fetch(link, { headers: { accept: 'application/json' }, redirect: 'manual' });
    expect(again.status).toBe(401);
  });

  it('mesh run --wait runs a job on the host and prints its result; ls and show find it', async () => {
    const ran = await mesh('run', '--host', 'cl1', '--agent', 'sh', '--cwd', '/tmp', '--wait', '--json', 'echo "hello from $FLOTILLA_HOST_NAME"');
    expect(ran.code, ran.stderr).toBe(0);
    const job = JSON.parse(ran.stdout) as { id: string; status: string; result: string; host: string };
    expect(job).toMatchObject({ status: 'succeeded', host: 'cl1' });
    expect(job.result).toContain('hello from cl1');
    const ls = await mesh('ls', '--host', 'cl1');
    expect(ls.stdout).toContain(job.id.slice(-8));
    const show = await mesh('show', job.id.slice(0, 12));
    expect(show.stdout).toContain('succeeded');
    expect(show.stdout).toContain('hello from cl1');
  });

  it('mesh run names where, and says so in words when not told', async () => {
    const res = await mesh('run', '--agent', 'sh', 'echo x');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--host NAME or --any');
    const unknown = await mesh('run', '--host', 'nowhere', '--agent', 'sh', 'echo x');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no host named nowhere');
  });

  it('mesh board add, claim --json and done work against the running hub; claim exits 3 when empty', async () => {
    const added = await mesh('board', 'add', 'ship the mesh', '--tag', 'cli');
    expect(added.code, added.stderr).toBe(0);
    const claimed = await mesh('board', 'claim', '--tag', 'cli', '--as', 'tester', '--json');
    expect(claimed.code, claimed.stderr).toBe(0);
    const task = JSON.parse(claimed.stdout) as { key: string; token: number };
    const done = await mesh('board', 'done', task.key, '--note', 'shipped', '--token', String(task.token), '--as', 'tester');
    expect(done.code, done.stderr).toBe(0);
    const empty = await mesh('board', 'claim', '--tag', 'cli', '--as', 'tester', '--json');
    expect(empty.code).toBe(3);
  });

  it('POST and DELETE /api/hosts edit hosts.json and apply it at once', async () => {
    const transport = createSocketTransport(join(env.FLOTILLA_HOME!, 'mesh.sock'));
    const added = await transport.request({ method: 'POST', path: '/api/hosts', body: { spec: 'root@cl1', name: 'cl1-alias' } });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ name: 'cl1-alias', spec: 'root@cl1' });
    const file = JSON.parse(readFileSync(join(env.FLOTILLA_HOME!, 'hosts.json'), 'utf8')) as { hosts: { name: string }[] };
    expect(file.hosts.map((host) => host.name)).toEqual(['cl1', 'cl1-alias']);
    const again = await transport.request({ method: 'POST', path: '/api/hosts', body: { spec: 'root@cl1', name: 'cl1-alias' } });
    expect(again.status).toBe(409);
    const removed = await transport.request({ method: 'DELETE', path: '/api/hosts/cl1-alias' });
    expect(removed.status).toBe(200);
    expect((removed.body as { name: string }[]).map((host) => host.name)).toEqual(['cl1']);
    const missing = await transport.request({ method: 'DELETE', path: '/api/hosts/nowhere' });
    expect(missing.status).toBe(404);
  });
});
