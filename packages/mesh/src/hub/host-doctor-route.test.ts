// A host's doctor through the hub (`GET /api/hosts/:name/doctor`, `GET /api/doctor?host=`): the
// real hub over a real cb daemon on a local link answers that daemon's report under the fleet's
// name; a host driven bare (cb missing, real tmux), one whose link never comes up (real SSH to a
// closed port) and an unknown name each get their ProtocolError with a fix.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocketTransport } from '@flotilla/kit/transport';
import { createMeshClient, isProtocolError, type Host, type MeshClient, type Transport } from '@flotilla/protocol';
import { hubPaths } from '../cli/context.js';
import { openHostLink } from '../link/open-host-link.js';
import { SHELL_AGENT, startLocalFleet, type LocalFleet } from '../test-support/local-fleet.test-support.js';
import { until } from '../test-support/until.test-support.js';
import { createLocalLink } from './local-link.js';
import { serveHub, type RunningHub } from './serve-hub.js';

const run = promisify(execFile);
let fleet: LocalFleet;
let running: RunningHub;
let transport: Transport;
let mesh: MeshClient;
let bareEnv: Record<string, string>;

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function failure(call: Promise<unknown>): Promise<{ code: string; status: number; message: string; fix: string | undefined }> {
  const error: unknown = await call.then(() => null, (e: unknown) => e);
  if (!isProtocolError(error)) throw new Error(`expected a ProtocolError, got ${String(error)}`);
  return { code: error.code, status: error.status, message: error.message, fix: error.fix };
}

beforeAll(async () => {
  fleet = startLocalFleet(['alpha']);
  const bareHome = join(fleet.dir, 'bare-home');
  mkdirSync(join(bareHome, '.flotilla', 'bin'), { recursive: true });
  writeFileSync(join(bareHome, '.flotilla', 'config.json'), JSON.stringify({ agents: SHELL_AGENT, notifySend: false }));
  // `~/.flotilla/bin/cb`, the first place the hub looks, says cb is not installed: the hub drives this host bare through tmux.
  writeFileSync(join(bareHome, '.flotilla', 'bin', 'cb'), '#!/bin/sh\necho "cb: command not found" >&2\nexit 127\n', { mode: 0o755 });
  bareEnv = { HOME: bareHome, FLOTILLA_HOME: join(bareHome, '.flotilla'), TMUX_TMPDIR: bareHome, PATH: '/usr/bin:/bin' };
  const port = await closedPort();
  const paths = hubPaths({ FLOTILLA_HOME: fleet.hubHome });
  running = await serveHub({
    paths,
    name: 'hub',
    dashboardDir: null,
    healthIntervalMs: 500,
    readHosts: async () => [
      ...fleet.entries(),
      { name: 'bare', spec: 'local:bare', target: 'local' },
      { name: 'gone', spec: `nobody@127.0.0.1:${port}`, target: `nobody@127.0.0.1:${port}` },
    ],
    openLink: (entry) => {
      if (entry.name === 'bare') return createLocalLink({ name: 'bare', env: bareEnv });
      if (entry.name === 'gone') {
        return openHostLink({ name: 'gone', target: entry.spec, sshConfig: { home: fleet.dir, localUser: 'nobody', systemConfigPath: null }, agentSocket: null, backoff: { initialMs: 60_000, maxMs: 60_000 } });
      }
      return fleet.openLink(entry);
    },
  });
  transport = createSocketTransport(paths.socket);
  mesh = createMeshClient(transport);
  let hosts: Host[] = [];
  const host = (name: string) => hosts.find((h) => h.name === name);
  await until('alpha on its daemon, bare driven through tmux, gone down', async () => {
    hosts = (await transport.request({ method: 'GET', path: '/api/hosts' })).body as Host[];
    return host('alpha')?.mode === 'daemon' && host('bare')?.mode === 'tmux' && host('gone')?.state === 'down';
  }, 60_000).catch((error: Error) => {
    throw new Error(`${error.message}: ${JSON.stringify(hosts)}`);
  });
}, 90_000);

afterAll(async () => {
  try {
    await running?.close();
  } finally {
    await run('tmux', ['-L', 'flotilla-bare', 'kill-server'], { env: { ...process.env, ...bareEnv } }).catch(() => undefined);
    await fleet?.close();
  }
});

describe('a host\'s doctor through the hub', () => {
  it('should answer the host\'s own cb doctor report under its fleet name, by path and by ?host=', async () => {
    const report = await mesh.hostDoctor('alpha');
    expect(report.host).toBe('alpha');
    const names = report.checks.map((check) => check.name);
    expect(names).toEqual(expect.arrayContaining(['tmux', 'git', 'sh CLI']));
    // `cb doctor` exits 1 when any check fails (no claude here): its report is on stdout either way.
    const printed = await fleet.cb(fleet.hosts[0]!, 'doctor', '--json').catch((error: { stdout: string }) => error.stdout);
    const direct = JSON.parse(printed) as { checks: { name: string }[] };
    expect(names).toEqual(direct.checks.map((check) => check.name));
    const byQuery = await transport.request({ method: 'GET', path: '/api/doctor', query: { host: 'alpha' } });
    expect(byQuery.status).toBe(200);
    expect(byQuery.body).toMatchObject({ host: 'alpha', checks: expect.arrayContaining([expect.objectContaining({ name: 'sh CLI' })]) });
  });

  it('should refuse a bare host, an unreachable one, an unknown name and a missing ?host=, each with a fix', async () => {
    expect(await failure(mesh.hostDoctor('bare'))).toEqual({
      code: 'DAEMON_UNAVAILABLE',
      status: 503,
      message: expect.stringContaining('bare is driven bare through tmux'),
      fix: 'install cb there with `mesh hosts bootstrap bare`',
    });
    expect(await failure(mesh.hostDoctor('gone'))).toMatchObject({ code: 'HOST_UNREACHABLE', status: 503, message: expect.stringContaining('gone is unreachable'), fix: expect.stringContaining('reconnects by itself') });
    expect(await failure(mesh.hostDoctor('nowhere'))).toMatchObject({ code: 'HOST_NOT_FOUND', status: 404, fix: expect.stringContaining('mesh hosts ls') });
    const unnamed = await transport.request({ method: 'GET', path: '/api/doctor' });
    expect(unnamed.status).toBe(400);
    expect(JSON.stringify(unnamed.body)).toContain('this hub has 3 hosts: say whose doctor');
  });
});
