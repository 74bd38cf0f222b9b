// End to end (slow): `mesh hosts` run in-process against real sshds in network namespaces.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import type { Host } from '@flotilla/protocol';
import { createSocketTransport } from '@flotilla/kit/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintSha256, knownHostsLine } from '../ssh/known-hosts.js';
import { netnsUnavailableReason, startNetnsHosts, type NetnsHost, type NetnsHosts } from '../test-support/netns.test-support.js';
import { generateKey } from '../test-support/sshd.test-support.js';
import { hubPaths, type MeshCliContext } from './context.js';
import { main } from './main.js';

const skip = netnsUnavailableReason();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe.skipIf(skip !== null)(`mesh hosts against namespace hosts (slow)${skip === null ? '' : ` — skipped: ${skip}`}`, () => {
  let net: NetnsHosts;
  let known: NetnsHost;
  let stranger: NetnsHost;
  let env: Record<string, string>;
  let knownHosts: string;

  const mesh = async (argv: string[], tty = false, input: string[] = []): Promise<Run> => {
    const out = { stdout: '', stderr: '' };
    const paths = hubPaths(env);
    const ctx: MeshCliContext = {
      env,
      streams: {
        stdout: { write: (chunk: string) => (out.stdout += chunk), isTTY: tty },
        stderr: { write: (chunk: string) => (out.stderr += chunk) },
        stdin: Object.assign(
          (async function* () {
            yield* input;
          })(),
          { isTTY: tty },
        ),
      },
      paths,
      hub: async () => createSocketTransport(paths.socket),
      now: () => Date.now(),
    };
    const code = await main(argv, ctx);
    return { code, ...out };
  };

  beforeAll(async () => {
    net = await startNetnsHosts({ count: 2, prefix: 'cl' });
    [known, stranger] = net.hosts as [NetnsHost, NetnsHost];
    const home = join(net.dir, 'user-home');
    mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    knownHosts = join(home, '.ssh', 'known_hosts');
    writeFileSync(knownHosts, `${knownHostsLine({ host: known.ip, port: 22, key: known.hostKey.blob })}\n`);
    writeFileSync(
      join(home, '.ssh', 'config'),
      [`Host ${known.name}`, `  HostName ${known.ip}`, `Host ${stranger.name}`, `  HostName ${stranger.ip}`, 'Host *', '  User root', `  IdentityFile ${net.clientKey.path}`, '  HashKnownHosts yes', '  GlobalKnownHostsFile none', ''].join('\n'),
    );
    env = { HOME: home, USER: 'root', FLOTILLA_HOME: join(net.dir, 'flotilla'), PATH: process.env.PATH ?? '' };
    await net.startDaemon(known);
  }, 120_000);

  afterAll(async () => {
    await net?.down();
  }, 60_000);

  it('should add a host with a known key, saying where it goes', async () => {
    const run = await mesh(['hosts', 'add', known.name]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`added ${known.name}: root@${known.ip}:22`);
    expect(run.stdout).toContain(`${fingerprintSha256(known.hostKey.blob)} is known`);
    expect(JSON.parse(readFileSync(join(env.FLOTILLA_HOME as string, 'hosts.json'), 'utf8'))).toMatchObject({ version: 1, hosts: [{ name: known.name, spec: known.name }] });
    expect((await mesh(['hosts', 'add', known.name])).code).toBe(2);
  });

  it('should add a host with an unknown key as refused, and trust it only when asked properly', async () => {
    const fingerprint = fingerprintSha256(stranger.hostKey.blob);
    const added = await mesh(['hosts', 'add', `root@${stranger.ip}`, '--name', stranger.name]);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`ssh-ed25519 ${fingerprint}`);
    expect(added.stdout).toContain(`refused until you check that fingerprint and run \`mesh hosts trust ${stranger.name}\``);

    const notTty = await mesh(['hosts', 'trust', stranger.name]);
    expect(notTty.code).toBe(2);
    expect(notTty.stderr).toContain(`--fingerprint ${fingerprint}`);
    const declined = await mesh(['hosts', 'trust', stranger.name], true, ['n\n']);
    expect(declined).toMatchObject({ code: 1, stdout: expect.stringContaining('Trust this key? [y/N] '), stderr: 'mesh: not trusted\n' });
    const wrong = await mesh(['hosts', 'trust', stranger.name, '--fingerprint', 'SHA256:not-this-one']);
    expect(wrong).toMatchObject({ code: 1, stderr: expect.stringContaining('not trusted') });
    const before = readFileSync(knownHosts, 'utf8');

    const trusted = await mesh(['hosts', 'trust', stranger.name, '--fingerprint', fingerprint]);
    expect(trusted).toMatchObject({ code: 0, stdout: expect.stringContaining(`trusted: added to ${knownHosts} (hashed)`) });
    const added_line = readFileSync(knownHosts, 'utf8').slice(before.length);
    expect(added_line).toMatch(/^\|1\|[^ ]+ ssh-ed25519 /);
    expect(added_line).not.toContain(stranger.ip);
    expect((await mesh(['hosts', 'trust', stranger.name])).stdout).toContain('already trusted');
  });

  it('should list the hosts by probing them when no hub runs: versions, slots, and why a daemon is missing', async () => {
    const run = await mesh(['hosts', 'ls', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const hosts = JSON.parse(run.stdout) as Host[];
    expect(hosts.map((host) => host.name).sort()).toEqual([known.name, stranger.name].sort());
    const withDaemon = hosts.find((host) => host.name === known.name);
    expect(withDaemon).toMatchObject({ state: 'up', mode: 'daemon', cbVersion: expect.any(String), running: 0, sessions: 0, freeSlots: expect.any(Number), error: null });
    expect(withDaemon?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(hosts.find((host) => host.name === stranger.name)).toMatchObject({ state: 'up', mode: null, error: expect.stringContaining('cb daemon is not running') });
    const table = await mesh(['hosts', 'ls']);
    expect(table.stdout).toContain('no hub answered');
    expect(table.stdout).toMatch(new RegExp(`${known.name}\\s+root@${known.ip.replace(/\./g, '\\.')}:22\\s+up\\s+\\d+ ms`));
  });

  it('should refuse a changed key: not added, never trusted, with the ssh-keygen -R advice', async () => {
    await net.restartSshd(known, { hostKey: await generateKey(join(known.dir, 'reinstalled_key')) });
    try {
      const added = await mesh(['hosts', 'add', known.name, '--name', 'again']);
      expect(added).toMatchObject({ code: 1, stderr: expect.stringContaining('HOST KEY CHANGED') });
      expect(readFileSync(join(env.FLOTILLA_HOME as string, 'hosts.json'), 'utf8')).not.toContain('again');
      const trust = await mesh(['hosts', 'trust', known.name, '--yes']);
      expect(trust.code).toBe(1);
      expect(trust.stderr).toContain(`ssh-keygen -R '${known.ip}' -f ${knownHosts}`);
    } finally {
      await net.restartSshd(known, { hostKey: { ...known.hostKey, path: join(known.dir, 'host_key') } });
    }
  });

  it('should add an unreachable host with a warning, and remove hosts', async () => {
    const added = await mesh(['hosts', 'add', `root@${known.ip.replace(/\.\d+$/, '.250')}`, '--name', 'gone']);
    expect(added.code).toBe(0);
    expect(added.stderr).toMatch(/warning: gone did not answer: .*added anyway/);
    expect(await mesh(['hosts', 'rm', 'gone'])).toMatchObject({ code: 0, stdout: expect.stringContaining('removed gone') });
    expect(await mesh(['hosts', 'rm', 'gone'])).toMatchObject({ code: 2, stderr: expect.stringContaining('no host named gone') });
  });

  it('should say so when hosts.json is corrupt, and list from the hub when one answers', async () => {
    const hosts = hubPaths(env);
    const hostFromHub: Host = { name: 'remote', spec: 'remote', target: 'root@remote:22', state: 'down', since: new Date(Date.now() - 5_000).toISOString(), latencyMs: null, error: 'the host stopped answering keepalives', hostKey: null, mode: 'daemon', cbVersion: '0.1.0', running: 2, queued: 1, sessions: 3, slots: 4, freeSlots: 2, paused: false, lastSeenAt: null };
    mkdirSync(hosts.home, { recursive: true });
    writeFileSync(hosts.hosts, '{ not json');
    const corrupt = await mesh(['hosts', 'ls']);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toContain(`${hosts.hosts} is not a valid hosts file: not JSON`);
    expect(readFileSync(hosts.hosts, 'utf8')).toBe('{ not json');
    writeFileSync(hosts.hosts, JSON.stringify({ version: 1, hosts: [] }));

    const hub = await listen(hosts.socket, [hostFromHub]);
    try {
      const run = await mesh(['hosts', 'ls']);
      expect(run.stdout).not.toContain('no hub answered');
      expect(run.stdout).toMatch(/remote\s+root@remote:22\s+down \d+s/);
      expect(run.stdout).toContain('remote: the host stopped answering keepalives');
      expect(JSON.parse((await mesh(['hosts', 'ls', '--json'])).stdout)).toEqual([hostFromHub]);
    } finally {
      hub.closeAllConnections();
      await new Promise((resolve) => hub.close(resolve));
      rmSync(hosts.socket, { force: true });
    }
  });
});

function listen(socketPath: string, hosts: Host[]): Promise<Server> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url === '/api/hosts' ? hosts : { error: { code: 'NOT_FOUND', message: 'no' } }));
  });
  mkdirSync(dirname(socketPath), { recursive: true });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve(server));
  });
}
