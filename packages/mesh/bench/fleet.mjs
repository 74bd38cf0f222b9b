/**
 * The hub over real SSH to 4 namespace hosts (each its own sshd and cb daemon), `mesh serve` in its
 * own process:
 * - dispatch latency: `POST /api/jobs?host=…` on the hub → the job seen `running` on the hub's own
 *   event stream, p50/p99; baseline: the same dispatch straight to one host's daemon socket
 *   (measured in the same run), so the ratio is what the hub and SSH add;
 * - hub cost at 4 hosts × 25 sessions (watcher sessions printing a line every 2 s): the hub
 *   process's CPU (% of one core) and RSS over a sampling window, and its TCP connections (one
 *   SSH connection per host; every channel is multiplexed inside it).
 *
 *   node --import tsx bench/fleet.mjs [dispatches=40] [sampleSeconds=60]
 * Needs root (network namespaces), sshd and a built packages/cb and packages/mesh.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSocketTransport } from '@flotilla/kit/transport';
import { createClient } from '@flotilla/protocol';
import { SHELL_AGENT } from '../src/test-support/local-fleet.test-support.ts';
import { startNetnsHosts } from '../src/test-support/netns.test-support.ts';
import { until } from '../src/test-support/until.test-support.ts';

const DISPATCHES = Number(process.argv[2] ?? 40);
const SAMPLE_S = Number(process.argv[3] ?? 60);
const SESSIONS_PER_HOST = 25;
const MESH_BIN = fileURLToPath(new URL('../bin/mesh.cjs', import.meta.url));
const TICKS = 100; // clock ticks per second on Linux

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
};

/** Resolves when the job is running, as the stream of `client` tells it. */
function runningWatcher(client) {
  const waiters = new Map();
  const controller = new AbortController();
  (async () => {
    for await (const event of client.events({ signal: controller.signal })) {
      const job = event.job;
      if (job && job.status === 'running') waiters.get(job.id)?.();
    }
  })().catch(() => undefined);
  return {
    wait: (id) => new Promise((resolve) => waiters.set(id, resolve)),
    stop: () => controller.abort(),
  };
}

async function measureDispatch(transport, client, host, query) {
  const watcher = runningWatcher(client);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const times = [];
  for (let i = 0; i < DISPATCHES; i += 1) {
    const started = performance.now();
    const res = await transport.request({ method: 'POST', path: '/api/jobs', query: query(i), body: { prompt: 'sleep 1', agent: 'sh', cwd: '/tmp' } });
    if (res.status !== 201) throw new Error(`dispatch failed: ${JSON.stringify(res.body)}`);
    const job = res.body;
    if (job.status !== 'running') await watcher.wait(job.id);
    times.push(performance.now() - started);
  }
  watcher.stop();
  void host;
  return times;
}

function processStat(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  return { cpuTicks, rssKiB };
}

const net = await startNetnsHosts({ count: 4, prefix: 'bf' });
let hubProcess = null;
try {
  for (const host of net.hosts) writeFileSync(join(host.home, 'config.json'), JSON.stringify({ agents: SHELL_AGENT, notifySend: false, slots: 40 }));
  const hubHome = join(net.dir, 'hub');
  const userHome = join(net.dir, 'user');
  mkdirSync(join(userHome, '.ssh'), { recursive: true });
  mkdirSync(hubHome, { recursive: true });
  writeFileSync(join(userHome, '.ssh', 'config'), readFileSync(net.sshConfigPath, 'utf8'));
  const addedAt = new Date().toISOString();
  writeFileSync(join(hubHome, 'hosts.json'), JSON.stringify({ version: 1, hosts: net.hosts.map((host) => ({ name: host.name, spec: host.name, addedAt })) }));
  hubProcess = spawn(process.execPath, [MESH_BIN, 'serve', '--name', 'bench-hub'], {
    env: { ...process.env, FLOTILLA_HOME: hubHome, HOME: userHome, SSH_AUTH_SOCK: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const transport = createSocketTransport(join(hubHome, 'mesh.sock'));
  const client = createClient(transport);
  await until('4 hosts up with daemons', async () => {
    const res = await transport.request({ method: 'GET', path: '/api/hosts' }).catch(() => null);
    return res?.status === 200 && res.body.length === 4 && res.body.every((host) => host.mode === "daemon");
  });

  const viaHub = await measureDispatch(transport, client, null, (i) => ({ host: net.hosts[i % 4].name }));
  const status = await (await fetchStatus(net.hosts[0].home))();
  const direct = createSocketTransport(status.socket);
  const directTimes = await measureDispatch(direct, createClient(direct), null, () => ({}));
  const hubP50 = percentile(viaHub, 50);
  const directP50 = percentile(directTimes, 50);
  console.log(`dispatch → running over SSH (4 hosts, ${DISPATCHES} jobs): p50 ${hubP50.toFixed(0)} ms, p99 ${percentile(viaHub, 99).toFixed(0)} ms`);
  console.log(`baseline, straight to one daemon's socket: p50 ${directP50.toFixed(0)} ms, p99 ${percentile(directTimes, 99).toFixed(0)} ms  (hub/baseline p50 ${(hubP50 / directP50).toFixed(2)}×)`);

  for (const host of net.hosts) {
    for (let i = 0; i < SESSIONS_PER_HOST; i += 1) {
      const res = await transport.request({
        method: 'POST',
        path: '/api/sessions',
        query: { host: host.name },
        body: { name: `w${i}`, cwd: '/tmp', command: ['sh', '-c', 'while true; do echo tick; sleep 2; done'] },
      });
      if (res.status !== 201 && res.status !== 200) throw new Error(`session failed: ${JSON.stringify(res.body)}`);
    }
  }
  await until('100 sessions in the fleet', async () => (await client.listSessions()).length >= 4 * SESSIONS_PER_HOST);
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const before = processStat(hubProcess.pid);
  const startedAt = performance.now();
  let peakRss = before.rssKiB;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, processStat(hubProcess.pid).rssKiB)), 1_000);
  await new Promise((resolve) => setTimeout(resolve, SAMPLE_S * 1_000));
  clearInterval(sampler);
  const after = processStat(hubProcess.pid);
  const seconds = (performance.now() - startedAt) / 1000;
  const cpuPercent = ((after.cpuTicks - before.cpuTicks) / TICKS / seconds) * 100;
  const connections = sshConnectionsOf(hubProcess.pid);
  console.log(`hub at 4 hosts × ${SESSIONS_PER_HOST} sessions over ${seconds.toFixed(0)} s: CPU ${cpuPercent.toFixed(1)}% of one core, RSS ${(after.rssKiB / 1024).toFixed(0)} MiB (peak ${(peakRss / 1024).toFixed(0)} MiB), SSH connections ${connections} (one per host; channels multiplexed inside)`);
} finally {
  hubProcess?.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  for (const host of net.hosts) await net.ssh(host, 'cb session ls --json >/dev/null; cb daemon stop').catch(() => undefined);
  await net.down();
}

async function fetchStatus(home) {
  return async () => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(process.execPath, [fileURLToPath(new URL('../../cb/bin/cb.cjs', import.meta.url)), 'daemon', 'status', '--json'], { env: { ...process.env, FLOTILLA_HOME: home }, encoding: 'utf8' });
    return JSON.parse(out);
  };
}

/** TCP connections to port 22 held by `pid` (its sockets' inodes matched against /proc/net/tcp). */
function sshConnectionsOf(pid) {
  const { readdirSync, readlinkSync } = fs;
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const target = (() => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { return ''; } })();
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.add(match[1]);
  }
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).filter((line) => {
    const cols = line.trim().split(/\s+/);
    return cols[2]?.endsWith(':0016') && cols[3] === '01' && inodes.has(cols[9]);
  }).length;
}
