import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { hashHostName, hostLookupName, hostMatches } from './known-hosts-match.js';
import type { HostTarget } from './known-hosts-match.js';
import { sshKeyType } from './known-hosts-parse.js';
import type { KnownHostEntry } from './known-hosts-parse.js';

export { readKnownHosts, parseKnownHosts, sshKeyType } from './known-hosts-parse.js';
export type { KnownHostEntry, KnownHostMarker, HostMatcher, HostPattern, KnownHostsWarning, ReadKnownHostsOptions } from './known-hosts-parse.js';
export { hostLookupName, hostMatches } from './known-hosts-match.js';
export type { HostTarget } from './known-hosts-match.js';

/** A key the known_hosts files hold for the host, shown when the offered key differs. */
export interface ExpectedHostKey {
  type: string;
  fingerprint: string;
  where: string;
}

/** What the known_hosts files say about a host's key. Only `known` may connect. */
export type HostKeyVerdict =
  | { kind: 'known'; lookupName: string; keyType: string; fingerprint: string; entry: KnownHostEntry }
  | { kind: 'unknown'; lookupName: string; keyType: string; fingerprint: string }
  | { kind: 'changed'; lookupName: string; keyType: string; fingerprint: string; expected: ExpectedHostKey[] }
  | { kind: 'revoked'; lookupName: string; keyType: string; fingerprint: string; entry: KnownHostEntry };

/** A host, its port and the raw SSH wire-format key it offered (what ssh2's `hostVerifier` gets). */
export interface HostKeyQuery extends HostTarget {
  key: Buffer;
}

/**
 * Checks a host's key as OpenSSH's `check_key_in_hostkeys` does:
 * - an `@revoked` line matching the host with this key wins over everything: `revoked`;
 * - a plain line for the host with this exact key: `known`;
 * - otherwise any plain line for the host, **of any key type**: `changed`. OpenSSH 9.2 says
 *   "REMOTE HOST IDENTIFICATION HAS CHANGED" when the host is known only with an RSA key and
 *   offers ed25519 (checked against real ssh/sshd); we refuse the same way. ssh avoids that for
 *   hosts with several keys by preferring the known types in the key exchange: pass
 *   `knownHostKeyTypes` to ssh2's `algorithms.serverHostKey` to get the same effect;
 * - no line for the host: `unknown`, refused until the user trusts the fingerprint once.
 * `@cert-authority` lines are ignored: only plain host keys are supported (ssh2 offers no host
 * certificates). Host names are matched by name only (no `CheckHostIP`, OpenSSH's default since 8.5).
 */
export function checkHostKey(entries: readonly KnownHostEntry[], query: HostKeyQuery): HostKeyVerdict {
  const lookupName = hostLookupName(query);
  const base = { lookupName, keyType: sshKeyType(query.key) ?? 'unknown', fingerprint: fingerprintSha256(query.key) };
  const forHost = findHostEntries(entries, query);
  const revoked = forHost.find((entry) => entry.marker === 'revoked' && entry.key.equals(query.key));
  if (revoked !== undefined) return { kind: 'revoked', ...base, entry: revoked };
  const plain = forHost.filter((entry) => entry.marker === null);
  const match = plain.find((entry) => entry.key.equals(query.key));
  if (match !== undefined) return { kind: 'known', ...base, entry: match };
  if (plain.length === 0) return { kind: 'unknown', ...base };
  const expected = plain.map((entry) => ({ type: entry.keyType, fingerprint: fingerprintSha256(entry.key), where: entry.where }));
  return { kind: 'changed', ...base, expected };
}

/** Every line (any marker) naming the host, in file order: what `ssh-keygen -F` lists. */
export function findHostEntries(entries: readonly KnownHostEntry[], target: HostTarget): KnownHostEntry[] {
  const lookupName = hostLookupName(target);
  return entries.filter((entry) => hostMatches(entry.hosts, lookupName));
}

/** The key types known for a host, in file order, so a client can ask for those first. */
export function knownHostKeyTypes(entries: readonly KnownHostEntry[], target: HostTarget): string[] {
  const types = findHostEntries(entries, target)
    .filter((entry) => entry.marker === null)
    .map((entry) => entry.keyType);
  return [...new Set(types)];
}

/** `SHA256:<base64 without padding>` of the wire-format key, exactly as `ssh-keygen -lf` prints it. */
export function fingerprintSha256(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

export interface KnownHostsLineOptions extends HostKeyQuery {
  /** Write `|1|salt|hash` with a fresh random salt instead of the plain name, as `HashKnownHosts yes`. */
  hashed?: boolean;
  comment?: string;
}

/** Characters that would change the meaning of a host field (lists, wildcards, hashes, markers). */
const UNSAFE_HOST = /[\s,*?!|#@\[\]]|^$/;

/**
 * The line to append for a trusted host (no newline). Throws on a host name that would not
 * round-trip: a known_hosts line must never match more hosts than the one the user trusted.
 */
export function knownHostsLine(options: KnownHostsLineOptions): string {
  if (UNSAFE_HOST.test(options.host)) throw new TypeError(`cannot write a known_hosts line for host ${JSON.stringify(options.host)}`);
  const keyType = sshKeyType(options.key);
  if (keyType === undefined) throw new TypeError('the key is not an SSH wire-format public key');
  const lookupName = hostLookupName(options);
  const hostField = options.hashed === true ? hashedHostField(lookupName) : lookupName;
  const comment = options.comment?.replace(/[\r\n]+/g, ' ').trim();
  const fields = [hostField, keyType, options.key.toString('base64')];
  return (comment ? [...fields, comment] : fields).join(' ');
}

function hashedHostField(lookupName: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${hashHostName(lookupName, salt).toString('base64')}`;
}

/** Owner-only modes, as ssh uses for `~/.ssh` and `known_hosts`. */
const KNOWN_HOSTS_DIR_MODE = 0o700;
const KNOWN_HOSTS_FILE_MODE = 0o600;

/**
 * Appends one line to a known_hosts file, creating the file (0600) and its directory (0700)
 * when missing. Existing lines are never rewritten; a missing final newline is added first.
 */
export async function appendKnownHost(path: string, line: string): Promise<void> {
  if (/[\r\n]/.test(line)) throw new TypeError('a known_hosts line must be a single line');
  await mkdir(dirname(path), { recursive: true, mode: KNOWN_HOSTS_DIR_MODE });
  const handle = await open(path, 'a+', KNOWN_HOSTS_FILE_MODE);
  try {
    const { size } = await handle.stat();
    let separator = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) separator = '\n';
    }
    await handle.appendFile(`${separator}${line}\n`);
  } finally {
    await handle.close();
  }
}

/**
 * OpenSSH's default files: `UserKnownHostsFile` (`~/.ssh/known_hosts`, `~/.ssh/known_hosts2`)
 * then `GlobalKnownHostsFile`. The first one is where a trusted key is appended.
 */
export function defaultKnownHostsPaths(home: string = homedir()): string[] {
  return [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2'), '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
}
