// End to end (slow): the link over ssh2 to real OpenSSH sshds in network namespaces, each running a real cb daemon.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKitError } from '@flotilla/kit/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnavailableReason, startNetnsHosts, type NetnsHost, type NetnsHosts } from '../test-support/netns.test-support.js';
import { isLinkError, openHostLink } from './index.js';
import type { HostLink } from './host-link.js';

const skip = netnsUnavailableReason();

describe.skipIf(skip !== null)(`the SSH link to a namespace host running cb (slow)${skip === null ? '' : ` — skipped: ${skip}`}`, () => {
  let net: NetnsHosts;
  let host: NetnsHost;
  let link: HostLink & { openChannels?: unknown };
  let socket: string;
  const local = mkdtempSync(join(tmpdir(), 'mesh-link-local-'));

  beforeAll(async () => {
    // MaxSessions 10 is OpenSSH's default, written out because the pool test is about it.
    net = await startNetnsHosts({ count: 1, prefix: 'lk', sshdExtra: ['MaxSessions 10'] });
    host = net.hosts[0] as NetnsHost;
    socket = (await net.startDaemon(host)).socket;
    link = openHostLink({ name: host.name, target: host.name, sshConfig: net.sshConfig, agentSocket: null });
    await link.ready(20_000);
  }, 120_000);

  afterAll(async () => {
    await link?.close();
    await net?.down();
    rmSync(local, { recursive: true, force: true });
  }, 60_000);

  it('should be up with the known host key, and run commands with stdin, exit codes, signals and a timeout', async () => {
    expect(link.status()).toMatchObject({ state: 'up', error: null, hostKey: { verdict: 'known', keyType: 'ssh-ed25519' } });
    expect(await link.exec('echo "$FLOTILLA_HOST_NAME"; echo oops >&2; exit 3')).toEqual({ code: 3, signal: null, stdout: `${host.name}\n`, stderr: 'oops\n' });
    expect(await link.exec('tr a-z A-Z', { stdin: 'quiet\n' })).toMatchObject({ code: 0, stdout: 'QUIET\n' });
    expect(await link.exec('kill -TERM $$')).toMatchObject({ code: null, signal: 'SIGTERM' });
    await expect(link.exec('sleep 30', { timeoutMs: 300 })).rejects.toSatisfy((error) => isLinkError(error, 'EXEC_TIMEOUT'));
  });

  it('should reach the cb daemon over forwarded channels: /health and /api/jobs', async () => {
    const transport = link.transport(socket);
    const health = await transport.request({ method: 'GET', path: '/health' });
    expect(health).toMatchObject({ status: 200, body: { version: expect.any(String), protocol: 1 } });
    const jobs = await transport.request({ method: 'GET', path: '/api/jobs' });
    expect(jobs.status).toBe(200);
    expect(jobs.body).toMatchObject({ items: expect.any(Array), nextCursor: null });
  });

  it('should say DAEMON_UNAVAILABLE when nothing listens on the remote socket', async () => {
    const missing = link.transport(join(host.home, 'nobody.sock'));
    await expect(missing.request({ method: 'GET', path: '/health' })).rejects.toSatisfy(
      (error) => isKitError(error, 'DAEMON_UNAVAILABLE') && /nobody\.sock on lk1/.test((error as Error).message),
    );
  });

  it('should stream server-sent events over the link while requests go on', async () => {
    const transport = link.transport(socket);
    const stream = await transport.stream({ method: 'GET', path: '/api/events', headers: { accept: 'text/event-stream' } });
    expect(stream.status).toBe(200);
    const created = await transport.request({ method: 'POST', path: '/api/jobs', body: { prompt: 'say hi', cwd: host.home, env: { ANTHROPIC_API_KEY: 'not-a-real-key' } } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = (created.body as { id: string }).id;
    let text = '';
    for await (const chunk of stream.chunks) {
      text += chunk;
      if (text.includes('event: job.created')) break;
    }
    stream.close();
    expect(text).toContain(id);
    await transport.request({ method: 'POST', path: `/api/jobs/${id}/cancel` });
  });

  it('should run 20 concurrent requests through a pool of at most 4 channels (sshd MaxSessions 10)', async () => {
    const transport = link.transport(socket);
    const results = await Promise.all(Array.from({ length: 20 }, () => transport.request({ method: 'GET', path: '/health' })));
    expect(results.map((res) => res.status)).toEqual(Array.from({ length: 20 }, () => 200));
    // The daemon's side of each forwarded channel is one accepted connection on its socket.
    const accepted = (await net.inNamespace(host, ['ss', '-xH', 'state', 'connected', 'src', socket])).trim().split('\n').filter(Boolean);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length).toBeLessThanOrEqual(4);
    // Three streams held open do not take the request channels: requests still pass beside them.
    const streams = await Promise.all(Array.from({ length: 3 }, () => transport.stream({ method: 'GET', path: '/api/events' })));
    const more = await Promise.all(Array.from({ length: 8 }, () => transport.request({ method: 'GET', path: '/health' })));
    expect(more.every((res) => res.status === 200)).toBe(true);
    for (const stream of streams) stream.close();
  });

  it('should run more commands at once than sshd allows sessions (MaxSessions 2 here), waiting instead of failing', async () => {
    await net.restartSshd(host, { extraConfig: ['MaxSessions 2'] });
    const limited = openHostLink({ name: host.name, target: host.name, sshConfig: net.sshConfig, agentSocket: null });
    try {
      await limited.ready(20_000);
      const results = await Promise.all(Array.from({ length: 5 }, (_, n) => limited.exec(`sleep 0.3; echo ${n}`)));
      expect(results.map((result) => result.stdout)).toEqual(['0\n', '1\n', '2\n', '3\n', '4\n']);
    } finally {
      await limited.close();
      await net.restartSshd(host);
    }
  });

  it('should run commands back to back on a one-session sshd, while sshd is still closing the last one', async () => {
    await net.restartSshd(host, { extraConfig: ['MaxSessions 1'] });
    const single = openHostLink({ name: host.name, target: host.name, sshConfig: net.sshConfig, agentSocket: null });
    try {
      await single.ready(20_000);
      // Each command's channel opens as soon as the last one's exit reached the client, often before sshd has handled its close.
      for (let n = 0; n < 30; n += 1) expect((await single.exec(`echo ${n}`)).stdout).toBe(`${n}\n`);
    } finally {
      await single.close();
      await net.restartSshd(host);
    }
  });

  it('should copy files both ways over SFTP, keeping the mode', async () => {
    const source = join(local, 'tool.sh');
    writeFileSync(source, '#!/bin/sh\necho copied\n', { mode: 0o750 });
    const remote = join(host.dir, 'tool.sh');
    await link.putFile(source, remote);
    expect(await link.exec(`${remote}`)).toMatchObject({ code: 0, stdout: 'copied\n' });
    expect(statSync(remote).mode & 0o777).toBe(0o750);
    await link.exec(`echo back >> ${remote}`);
    await link.getFile(remote, join(local, 'back.sh'));
    expect(readFileSync(join(local, 'back.sh'), 'utf8')).toBe('#!/bin/sh\necho copied\nback\n');
    await expect(link.getFile('/nonexistent/file', join(local, 'x'))).rejects.toSatisfy((error) => isLinkError(error, 'SFTP_FAILED'));
  });

  it('should let a process on the host reach a server here through a reverse-forwarded socket', async () => {
    const server = helloServer();
    const remoteSocket = join(host.dir, 'hub.sock');
    writeFileSync(remoteSocket, 'stale'); // a socket file left by a dropped connection is replaced
    const stop = await link.serveReverse(remoteSocket, (stream) => server.emit('connection', stream));
    const curl = await link.exec(`curl -s --unix-socket ${remoteSocket} http://hub/hello`);
    expect(curl).toMatchObject({ code: 0, stdout: 'hello from the test' });
    await stop();
    expect((await link.exec(`test -e ${remoteSocket}`)).code).toBe(1);
    server.close();
  });
});

function helloServer(): Server {
  return createServer((_req, res) => {
    res.end('hello from the test');
  });
}
