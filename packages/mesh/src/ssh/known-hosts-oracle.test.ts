// Oracle tests: our answers must equal the real OpenSSH tools' (`ssh-keygen -lf`, `-F`, `-H`).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../test-support/sshd.test-support.js';
import type { GeneratedKey, SshKeyKind } from '../test-support/sshd.test-support.js';
import { findHostEntries, fingerprintSha256, hostLookupName, knownHostsLine, readKnownHosts } from './known-hosts.js';
import type { HostTarget } from './known-hosts.js';

const run = promisify(execFile);
const KINDS: SshKeyKind[] = ['ed25519', 'ecdsa', 'rsa'];

let dir: string;
const keys = new Map<SshKeyKind, GeneratedKey>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mesh-kh-oracle-'));
  for (const kind of KINDS) keys.set(kind, await generateKey(join(dir, `host_${kind}`), kind));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function key(kind: SshKeyKind): GeneratedKey {
  const found = keys.get(kind);
  if (found === undefined) throw new Error(`no ${kind} key`);
  return found;
}

/** Line numbers `ssh-keygen -F name -f file` reports; it exits 1 when nothing matches. */
async function sshKeygenFind(name: string, file: string): Promise<number[]> {
  try {
    const { stdout } = await run('ssh-keygen', ['-F', name, '-f', file]);
    return [...stdout.matchAll(/^# Host .* found: line (\d+)/gm)].map((m) => Number(m[1]));
  } catch (error) {
    if ((error as { code?: unknown }).code === 1) return [];
    throw error;
  }
}

async function ourFind(target: HostTarget, file: string): Promise<number[]> {
  const entries = await readKnownHosts([file], { onWarning: () => undefined });
  return findHostEntries(entries, target).map((entry) => entry.line);
}

/** A file exercising every host-field form; `ssh-keygen -H` hashes the plain names of it. */
function fixture(options: { broken: boolean }): string {
  const k = (kind: SshKeyKind): string => key(kind).publicLine.split(' ').slice(0, 2).join(' ');
  return [
    '# a comment',
    `alpha ${k('ed25519')}`,
    `Beta.Example.COM,beta,10.0.0.7 ${k('ecdsa')} ops`,
    `[alpha]:2222 ${k('rsa')}`,
    `*.example.com,!bad.example.com ${k('ed25519')}`,
    `db?.lan ${k('rsa')}`,
    `[*.lan]:* ${k('ecdsa')}`,
    `@revoked *.revoked ${k('rsa')}`,
    `@cert-authority *.ca ${k('ed25519')}`,
    `[gamma]:2200,gamma ${k('ecdsa')}`,
    ...(options.broken ? ['broken line'] : []),
    '',
  ].join('\n');
}

const TARGETS: HostTarget[] = [
  { host: 'alpha' },
  { host: 'alpha', port: 2222 },
  { host: 'alpha', port: 2223 },
  { host: 'beta' },
  { host: 'beta.example.com' },
  { host: '10.0.0.7' },
  { host: 'bad.example.com' },
  { host: 'good.example.com' },
  { host: 'db1.lan' },
  { host: 'db10.lan' },
  { host: 'db1.lan', port: 2222 },
  { host: 'x.revoked' },
  { host: 'x.ca' },
  { host: 'gamma' },
  { host: 'gamma', port: 2200 },
  { host: 'nowhere' },
];

/** Compares every target's lines with ssh-keygen's; returns how many targets matched any line. */
async function targetsFoundLikeSshKeygen(file: string): Promise<number> {
  let found = 0;
  for (const target of TARGETS) {
    const name = hostLookupName(target);
    const theirs = await sshKeygenFind(name, file);
    expect({ name, lines: await ourFind(target, file) }).toEqual({ name, lines: theirs });
    if (theirs.length > 0) found += 1;
  }
  return found;
}

/** [alpha]:2223, bad.example.com (negated), db10.lan (`?` is one character) and nowhere. */
const NAMES_FOUND_NOWHERE = 4;

describe('fingerprintSha256 against ssh-keygen -lf', () => {
  it.each(KINDS)('should print the same SHA256 fingerprint for a %s key', async (kind) => {
    const { stdout } = await run('ssh-keygen', ['-lf', `${key(kind).path}.pub`]);
    expect(fingerprintSha256(key(kind).blob)).toBe(stdout.split(' ')[1]);
  });
});

describe('host lookup against ssh-keygen -F', () => {
  it('should find the same lines as ssh-keygen in a plain file', async () => {
    const file = join(dir, 'plain_known_hosts');
    writeFileSync(file, fixture({ broken: true }));
    expect(await targetsFoundLikeSshKeygen(file)).toBe(TARGETS.length - NAMES_FOUND_NOWHERE);
  });

  it('should find the same lines as ssh-keygen in a file hashed by ssh-keygen -H', async () => {
    const file = join(dir, 'hashed_known_hosts');
    // ssh-keygen -H refuses a file with a bad line; it splits name lists into one line per name.
    writeFileSync(file, fixture({ broken: false }));
    await run('ssh-keygen', ['-H', '-f', file]);
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/m);
    expect(await targetsFoundLikeSshKeygen(file)).toBe(TARGETS.length - NAMES_FOUND_NOWHERE);
  });
});

describe('knownHostsLine read back by ssh-keygen -F', () => {
  it.each([false, true])('should write lines (hashed: %s) that ssh-keygen finds for that host and port only', async (hashed) => {
    const file = join(dir, `written_${String(hashed)}`);
    const lines = [
      knownHostsLine({ host: 'alpha', key: key('ed25519').blob, hashed }),
      knownHostsLine({ host: 'alpha', port: 2222, key: key('ecdsa').blob, hashed }),
      knownHostsLine({ host: '127.0.0.1', port: 40022, key: key('rsa').blob, hashed }),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const found = await Promise.all(['alpha', '[alpha]:2222', '[127.0.0.1]:40022', '[alpha]:22', 'beta', '127.0.0.1'].map((name) => sshKeygenFind(name, file)));
    expect(found).toEqual([[1], [2], [3], [], [], []]);
    const { stdout } = await run('ssh-keygen', ['-F', '[alpha]:2222', '-f', file]);
    expect(stdout).toContain(key('ecdsa').publicLine.split(' ')[1]);
  });
});
