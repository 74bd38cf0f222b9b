import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../test-support/sshd.test-support.js';
import type { GeneratedKey } from '../test-support/sshd.test-support.js';
import { fingerprintSha256, parseKnownHosts } from './known-hosts.js';
import { createHostVerifier, serverHostKeyOrder } from './known-hosts-verifier.js';

let dir: string;
let ed: GeneratedKey;
let ed2: GeneratedKey;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mesh-kh-verifier-'));
  [ed, ed2] = await Promise.all([generateKey(join(dir, 'ed')), generateKey(join(dir, 'ed2'))]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lineFor = (host: string, key: GeneratedKey): string => `${host} ${key.publicLine.split(' ').slice(0, 2).join(' ')}`;

describe('serverHostKeyOrder', () => {
  it('should put the algorithms of known key types first and keep the rest of ssh2 defaults', () => {
    expect(serverHostKeyOrder(['ssh-rsa', 'sk-ssh-ed25519@openssh.com'])).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
      'ecdsa-sha2-nistp256',
      'ecdsa-sha2-nistp384',
      'ecdsa-sha2-nistp521',
    ]);
  });
});

describe('createHostVerifier', () => {
  it('should accept a known key and leave no refusal', () => {
    const verifier = createHostVerifier({ entries: parseKnownHosts(lineFor('[box]:2222', ed), 'kh', () => undefined), host: 'box', port: 2222 });
    expect([verifier.hostVerifier(ed.blob), verifier.verdict?.kind, verifier.refusal]).toEqual([true, 'known', undefined]);
    expect(verifier.knownTypes).toEqual(['ssh-ed25519']);
  });

  it('should refuse an unknown key with a message naming the fingerprint and the trust command', () => {
    const verifier = createHostVerifier({ entries: [], host: 'box', hostName: 'buildbox' });
    expect(verifier.hostVerifier(ed.blob)).toBe(false);
    expect(verifier.refusal?.code).toBe('HOST_KEY_UNKNOWN');
    expect(verifier.refusal?.message).toBe(`host box offered an unknown ssh-ed25519 key ${fingerprintSha256(ed.blob)}; refused until you check it and run \`mesh hosts trust buildbox\``);
  });

  it('should refuse a changed key naming both fingerprints and the offending line', () => {
    const verifier = createHostVerifier({ entries: parseKnownHosts(lineFor('box', ed2), 'kh', () => undefined), host: 'box' });
    expect(verifier.hostVerifier(ed.blob)).toBe(false);
    expect(verifier.refusal?.code).toBe('HOST_KEY_CHANGED');
    expect(verifier.refusal?.message).toContain(`it offered ssh-ed25519 key ${fingerprintSha256(ed.blob)} but known_hosts has ssh-ed25519 ${fingerprintSha256(ed2.blob)} (kh:1)`);
  });

  it('should refuse a revoked key', () => {
    const verifier = createHostVerifier({ entries: parseKnownHosts(`box ${ed.publicLine}\n@revoked ${lineFor('*', ed)}`, 'kh', () => undefined), host: 'box' });
    expect(verifier.hostVerifier(ed.blob)).toBe(false);
    expect(verifier.refusal?.code).toBe('HOST_KEY_REVOKED');
  });
});
