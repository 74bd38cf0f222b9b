// End to end (slow): host key refusals, ProxyJump and authentication failures, against real sshds in namespaces.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendKnownHost, fingerprintSha256, knownHostsLine } from '../ssh/known-hosts.js';
import { resolveSshTarget } from '../ssh/ssh-config.js';
import { netnsUnavailableReason, startNetnsHosts, type NetnsHost, type NetnsHosts } from '../test-support/netns.test-support.js';
import { generateKey } from '../test-support/sshd.test-support.js';
import { isLinkError, openHostLink } from './index.js';
import type { HostLink } from './host-link.js';

const skip = netnsUnavailableReason();
const FAST = { agentSocket: null, backoff: { initialMs: 200, maxMs: 1_000 } };

describe.skipIf(skip !== null)(`host keys, jump hosts and keys over the SSH link (slow)${skip === null ? '' : ` — skipped: ${skip}`}`, () => {
  let net: NetnsHosts;
  let first: NetnsHost;
  let second: NetnsHost;
  const links: HostLink[] = [];
  const open = (options: Parameters<typeof openHostLink>[0]) => {
    const link = openHostLink(options);
    links.push(link);
    return link;
  };

  beforeAll(async () => {
    net = await startNetnsHosts({ count: 2, prefix: 'ky' });
    [first, second] = net.hosts as [NetnsHost, NetnsHost];
  }, 120_000);

  afterAll(async () => {
    await Promise.all(links.map((link) => link.close()));
    await net?.down();
  }, 60_000);

  it('should refuse an unknown key (fingerprint shown, no retry loop) and connect once it is trusted', async () => {
    const knownHosts = join(net.dir, 'empty_known_hosts');
    writeFileSync(knownHosts, '');
    const target = { ...(await resolveSshTarget(first.name, net.sshConfig)), userKnownHostsFiles: [knownHosts] };
    const attempts: string[] = [];
    const link = open({ name: first.name, target, sshConfig: net.sshConfig, ...FAST });
    link.onStatus((status) => attempts.push(status.state));
    await expect(link.ready(20_000)).rejects.toSatisfy((error) => isLinkError(error, 'LINK_REFUSED'));
    await expect(link.ready(20_000)).rejects.toThrow(/unknown ssh-ed25519 key SHA256:.*mesh hosts trust ky1/);
    const fingerprint = fingerprintSha256(first.hostKey.blob);
    expect(link.status()).toMatchObject({ state: 'refused', hostKey: { verdict: 'unknown', fingerprint, keyType: 'ssh-ed25519' } });
    expect(link.status().error).toContain(fingerprint);
    const refusedSince = link.status().since;
    const sshdLogLines = () => readFileSync(join(first.dir, 'sshd.log'), 'utf8').split('\n').length;
    const logged = sshdLogLines();
    await sleep(1_500); // several backoff periods: a refused key is not retried by itself
    expect(sshdLogLines()).toBe(logged);
    expect(attempts).toEqual(['refused']);
    expect(link.status().since).toBe(refusedSince);

    await appendKnownHost(knownHosts, knownHostsLine({ host: first.ip, port: 22, key: first.hostKey.blob }));
    link.reconnectNow?.();
    await link.ready(20_000);
    expect(link.status()).toMatchObject({ state: 'up', hostKey: { verdict: 'known', fingerprint } });
  });

  it('should refuse a changed key with the words and both fingerprints', async () => {
    const host = second;
    const oldFingerprint = fingerprintSha256(host.hostKey.blob);
    const reinstalled = await generateKey(join(host.dir, 'host_key_reinstalled'));
    await net.restartSshd(host, { hostKey: reinstalled });
    try {
      const link = open({ name: host.name, target: host.name, sshConfig: net.sshConfig, ...FAST });
      await expect(link.ready(20_000)).rejects.toThrow(/HOST KEY CHANGED/);
      const status = link.status();
      expect(status).toMatchObject({ state: 'refused', hostKey: { verdict: 'changed', fingerprint: fingerprintSha256(reinstalled.blob) } });
      expect(status.error).toContain(oldFingerprint);
    } finally {
      await net.restartSshd(host, { hostKey: { ...host.hostKey, path: join(host.dir, 'host_key') } });
    }
  });

  it('should reach a host through a ProxyJump alias, checking both keys', async () => {
    const link = open({ name: 'jumped', target: `${second.name}-via-${first.name}`, sshConfig: net.sshConfig, ...FAST });
    await link.ready(30_000);
    expect(link.describeTarget?.()).toBe(`root@${second.ip}:22 via ${first.name}`);
    expect(await link.exec('echo "$FLOTILLA_HOST_NAME"')).toMatchObject({ code: 0, stdout: `${second.name}\n` });
  });

  it('should authenticate with the ssh-agent alone (no key file)', async () => {
    const agentSocket = join(net.dir, 'agent.sock');
    const agent = await startAgent(agentSocket, net.clientKey.path);
    try {
      const target = { ...(await resolveSshTarget(first.name, net.sshConfig)), identityFiles: [join(net.dir, 'no_such_key')] };
      const link = open({ name: first.name, target, sshConfig: net.sshConfig, agentSocket, backoff: FAST.backoff });
      await link.ready(20_000);
      expect(await link.exec('echo via-agent')).toMatchObject({ code: 0, stdout: 'via-agent\n' });
    } finally {
      agent.kill();
    }
  });

  it('should say which keys it tried and skipped when authentication fails', async () => {
    const stranger = await generateKey(join(net.dir, 'stranger_key'));
    const encrypted = join(net.dir, 'encrypted_key');
    await generateEncryptedKey(encrypted);
    const target = { ...(await resolveSshTarget(first.name, net.sshConfig)), identityFiles: [stranger.path, encrypted] };
    const link = open({ name: first.name, target, sshConfig: net.sshConfig, ...FAST });
    // ready() waits through retries until its timeout, then names the last attempt's failure.
    await expect(link.ready(3_000)).rejects.toThrow(/authentication failed for root@.*tried .*stranger_key; skipped .*encrypted_key: encrypted with a passphrase \(no ssh-agent/);
    expect(link.status().state).toBe('down');
  });
});

/** A real `ssh-agent` on `socket` (foreground, killed by the test) holding `keyPath`. */
async function startAgent(socket: string, keyPath: string): Promise<ChildProcess> {
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  for (let tries = 0; !existsSync(socket); tries += 1) {
    if (tries > 100) throw new Error('ssh-agent did not create its socket');
    await sleep(20);
  }
  await promisify(execFile)('ssh-add', [keyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
  return agent;
}

async function generateEncryptedKey(path: string): Promise<void> {
  await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret phrase', '-f', path]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
