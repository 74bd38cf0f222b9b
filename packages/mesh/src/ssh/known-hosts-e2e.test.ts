// End to end (slow): ssh2's Client against a real OpenSSH sshd on loopback, checked by our hostVerifier.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { generateKey, startLoopbackSshd } from '../test-support/sshd.test-support.js';
import type { LoopbackSshd } from '../test-support/sshd.test-support.js';
import { appendKnownHost, fingerprintSha256, knownHostsLine, readKnownHosts } from './known-hosts.js';
import { createHostVerifier } from './known-hosts-verifier.js';

/** Long enough for a key exchange on a loaded 2-core machine. */
const READY_TIMEOUT_MS = 20_000;

/**
 * Connects as root with the sshd's client key; resolves with the verdict, rejects with the refusal.
 * `preferKnownTypes: false` keeps ssh2's own host key algorithm order.
 */
async function connect(sshd: LoopbackSshd, knownHostsPath: string, preferKnownTypes = true): Promise<string> {
  const entries = await readKnownHosts([knownHostsPath]);
  const verifier = createHostVerifier({ entries, host: sshd.host, port: sshd.port, hostName: 'loopback' });
  const client = new Client();
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      client.once('error', (error) => reject(verifier.refusal ?? error));
      client.connect({
        host: sshd.host,
        port: sshd.port,
        username: 'root',
        privateKey: readFileSync(sshd.clientKey.path),
        readyTimeout: READY_TIMEOUT_MS,
        hostVerifier: verifier.hostVerifier,
        ...(preferKnownTypes ? { algorithms: { serverHostKey: verifier.serverHostKey } } : {}),
      });
    });
    return verifier.verdict?.kind ?? 'none';
  } finally {
    client.end();
  }
}

describe('host key checking with ssh2 against a real sshd (slow)', () => {
  it('should refuse an unknown key, accept it once trusted, and refuse it after the host key changes', async () => {
    await using sshd = await startLoopbackSshd();
    const knownHosts = join(sshd.dir, 'client-home', '.ssh', 'known_hosts');
    const fingerprint = fingerprintSha256(sshd.hostKey.blob);

    await expect(connect(sshd, knownHosts)).rejects.toMatchObject({
      code: 'HOST_KEY_UNKNOWN',
      message: expect.stringContaining(`ssh-ed25519 key ${fingerprint}`),
    });

    await appendKnownHost(knownHosts, knownHostsLine({ host: sshd.host, port: sshd.port, key: sshd.hostKey.blob, hashed: true }));
    expect(await connect(sshd, knownHosts)).toBe('known');

    const reinstalled = await generateKey(join(sshd.dir, 'host_key_2'));
    await sshd.restartWithHostKey(reinstalled);
    const refused = connect(sshd, knownHosts);
    await expect(refused).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED', verdict: { fingerprint: fingerprintSha256(reinstalled.blob), expected: [{ fingerprint }] } });
    await expect(refused).rejects.toThrow(/HOST KEY CHANGED for \[127\.0\.0\.1\]:\d+: it offered ssh-ed25519 key SHA256:/);
  });

  it('should ask for the known RSA key first when the host serves ed25519 and RSA', async () => {
    await using sshd = await startLoopbackSshd({ hostKeyKinds: ['ed25519', 'rsa'] });
    const rsa = sshd.hostKeys[1];
    if (rsa === undefined) throw new Error('no RSA host key');
    const knownHosts = join(sshd.dir, 'known_hosts');
    await appendKnownHost(knownHosts, knownHostsLine({ host: sshd.host, port: sshd.port, key: rsa.blob }));

    expect(await connect(sshd, knownHosts)).toBe('known');
    // Without the preference ssh2 negotiates ed25519, which OpenSSH too would call changed.
    await expect(connect(sshd, knownHosts, false)).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' });
  });
});
