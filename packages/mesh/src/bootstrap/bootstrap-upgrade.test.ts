// `mesh hosts bootstrap --force` on a host that is in use: a real hub attached to the host's
// daemon, a job running under it, and a second bootstrap of the same host started at the same
// time. One bootstrap is refused; the other replaces the daemon, the job keeps running and is
// still followed by the hub through the new daemon. Then the lock's stale cases.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostLink } from '../link/host-link.js';
import { openHostLink } from '../link/open-host-link.js';
import { netnsUnavailableReason, type NetnsHost } from '../test-support/netns.test-support.js';
import { startSshHub, type SshHub } from '../test-support/ssh-hub.test-support.js';
import { until } from '../test-support/until.test-support.js';
import { useBareHome } from './bare-home.test-support.js';
import { sharedCbBundle } from './shared-bundle.test-support.js';
import { isBootstrapError } from './bootstrap-errors.js';
import { bootstrapHost, type BootstrapResult } from './bootstrap-host.js';
import type { CbBundle } from './pack-bundle.js';

const skip = netnsUnavailableReason();

describe.skipIf(skip !== null)(`a forced bootstrap of a host in use${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  let scratch: string;
  let bundle: CbBundle;
  let fleet: SshHub;
  let host: NetnsHost;
  let remoteHome: string;
  const links: HostLink[] = [];

  const openLink = async (): Promise<HostLink> => {
    const link = openHostLink({ name: host.name, target: host.name, sshConfig: fleet.net.sshConfig, agentSocket: null });
    links.push(link);
    await link.ready();
    return link;
  };
  const daemonStatus = async () => JSON.parse((await fleet.net.ssh(host, '"$HOME/.flotilla/bin/cb" daemon status --json')).stdout) as { pid: number; version: string };
  const lockDir = () => join(remoteHome, '.flotilla', 'bootstrap.lock');

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'mesh-bootstrap-up-'));
    bundle = await sharedCbBundle(join(scratch, 'bundle'));
    // Before the hub connects: a fresh HOME with the bundle's cb installed, the way a user starts.
    fleet = await startSshHub({
      count: 1,
      prefix: 'bu',
      prepare: async (net, namespaceHost) => {
        host = namespaceHost;
        remoteHome = await useBareHome(net, namespaceHost, scratch);
        const link = openHostLink({ name: host.name, target: host.name, sshConfig: net.sshConfig, agentSocket: null });
        try {
          await link.ready();
          await bootstrapHost(link, { bundleDir: bundle.dir });
        } finally {
          await link.close();
        }
      },
    });
  }, 600_000);

  afterAll(async () => {
    await Promise.all(links.map((link) => link.close()));
    await fleet?.close();
    rmSync(scratch, { recursive: true, force: true });
  }, 120_000); // stops a daemon over SSH, then the host (its daemon, tmux and sshd): a minute is short on a loaded machine

  it('should refuse the second of two bootstraps at once, and replace the daemon with the first while its job runs on and stays followed', async () => {
    const release = join(scratch, 'release-the-job');
    const job = await fleet.dispatch(host.name, `while [ ! -e ${release} ]; do sleep 0.2; done; echo "survived the upgrade"`);
    await until('the job to run', async () => (await fleet.client.getJob(job.id)).status === 'running', 30_000);
    const old = await daemonStatus();

    const [first, second] = await Promise.all([openLink(), openLink()]);
    const outcomes = await Promise.allSettled([bootstrapHost(first, { bundleDir: bundle.dir, force: true }), bootstrapHost(second, { bundleDir: bundle.dir, force: true })]);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => (outcome as PromiseRejectedResult).reason as Error);
    expect(refused, refused.map((error) => error.message).join('\n')).toHaveLength(1);
    expect(isBootstrapError(refused[0], 'BOOTSTRAP_RUNNING')).toBe(true);
    expect(refused[0]!.message).toMatch(new RegExp(`^another bootstrap of ${host.name} is running \\(the bootstrap of process ${process.pid} on ${hostname()}, started less than a minute ago\\); wait for it to finish`));
    const result = (outcomes.find((outcome) => outcome.status === 'fulfilled') as PromiseFulfilledResult<BootstrapResult>).value;

    const now = await daemonStatus();
    expect(now.pid).not.toBe(old.pid);
    expect(result.daemon).toEqual({ previous: { pid: old.pid, version: old.version }, current: { pid: now.pid, version: '0.1.0' } });
    expect(existsSync(lockDir())).toBe(false);
    // The old daemon is gone; the job's agent is not, and the new daemon still has it running.
    expect(spawnSync('kill', ['-0', String(old.pid)]).status).not.toBe(0);
    const onHost = JSON.parse((await fleet.net.ssh(host, `"$HOME/.flotilla/bin/cb" show ${job.id} --json`)).stdout) as { status: string };
    expect(onHost.status).toBe('running');

    writeFileSync(release, '');
    const ended = await fleet.ended(job.id, 60_000);
    expect(ended).toMatchObject({ status: 'succeeded', host: host.name });
    expect(ended.result).toContain('survived the upgrade');
    const endings = fleet.running.hub.store.eventsAfter(0, 100_000).filter((event) => event.type === 'job.ended' && event.job.id === job.id);
    expect(endings).toHaveLength(1);
    const [listed] = await fleet.hosts();
    expect(listed).toMatchObject({ name: host.name, state: 'up', mode: 'daemon', cbVersion: '0.1.0' });
  }, 600_000);

  it('should leave the previous install in use when a bootstrap is cut off mid-install, and let the next one take over the lock it left', async () => {
    const bin = join(remoteHome, '.flotilla', 'bin', 'cb');
    const before = readlinkSync(bin);
    const daemon = await daemonStatus();
    const link = await openLink();
    const progress: string[] = [];
    const cut = bootstrapHost(link, {
      bundleDir: bundle.dir,
      force: true,
      onProgress: (line) => {
        progress.push(line);
        if (line.startsWith('installing offline')) setTimeout(() => void link.close(), 2_000);
      },
    });
    await expect(cut).rejects.toMatchObject({ code: 'REMOTE_FAILED', message: expect.stringMatching(/^npm install --offline (on bu1 did not finish|failed on bu1)/) });
    expect(progress.at(-1)).toMatch(/^note: could not release the bootstrap lock on bu1/);
    expect(readlinkSync(bin)).toBe(before);
    expect((await fleet.net.ssh(host, '"$HOME/.flotilla/bin/cb" --version')).stdout.trim()).toBe('0.1.0');
    expect((await daemonStatus()).pid).toBe(daemon.pid);
    expect(existsSync(lockDir())).toBe(true);
    expect(await bootstrapHost(await openLink(), { bundleDir: bundle.dir })).toMatchObject({ status: 'already-installed' });
    expect(existsSync(lockDir())).toBe(false);
  }, 120_000);

  it('should take over a lock whose bootstrap died on this machine or is older than 30 minutes, and refuse a live one', async () => {
    const link = await openLink();
    const writeLock = (owner: object) => {
      rmSync(lockDir(), { recursive: true, force: true });
      mkdirSync(lockDir());
      writeFileSync(join(lockDir(), 'owner.json'), JSON.stringify(owner));
    };
    const recent = new Date().toISOString();
    writeLock({ machine: 'laptop', pid: 4242, token: 'live', startedAt: recent });
    await expect(bootstrapHost(link, { bundleDir: bundle.dir })).rejects.toThrow(
      `another bootstrap of ${host.name} is running (the bootstrap of process 4242 on laptop, started less than a minute ago); wait for it to finish. ` +
        `A lock older than 30 min is taken over; if you are sure none runs, remove ${lockDir()} on ${host.name}.`,
    );
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeLock({ machine: hostname(), pid: gone, token: 'dead', startedAt: recent });
    expect(await bootstrapHost(link, { bundleDir: bundle.dir })).toMatchObject({ status: 'already-installed' });
    writeLock({ machine: 'laptop', pid: 4242, token: 'old', startedAt: new Date(Date.now() - 31 * 60_000).toISOString() });
    expect(await bootstrapHost(link, { bundleDir: bundle.dir })).toMatchObject({ status: 'already-installed' });
    expect(existsSync(lockDir())).toBe(false);
    expect(existsSync(`${lockDir()}.stale-old`)).toBe(false);
  }, 120_000);
});
