import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HostMatcher, HostPattern } from './known-hosts-parse.js';

/** The SSH port: OpenSSH writes and looks up other ports as `[host]:port`. */
const DEFAULT_SSH_PORT = 22;

/** Where a host is reached: the name the user dialled (before DNS) and its port. */
export interface HostTarget {
  host: string;
  port?: number;
}

/**
 * The name OpenSSH looks up in known_hosts (`put_host_port`): `host` for port 22, `[host]:port`
 * otherwise. Lowercased, because ssh lowercases the host name before any lookup.
 */
export function hostLookupName(target: HostTarget): string {
  const host = target.host.toLowerCase();
  const port = target.port ?? DEFAULT_SSH_PORT;
  return port === DEFAULT_SSH_PORT || port === 0 ? host : `[${host}]:${port}`;
}

/** Whether a line's host field names `lookupName` (`match_maybe_hashed` in OpenSSH's hostfile.c). */
export function hostMatches(hosts: HostMatcher, lookupName: string): boolean {
  if (hosts.kind === 'hashed') {
    return timingSafeEqual(hashHostName(lookupName, hosts.salt), hosts.hmac);
  }
  return matchPatternList(lookupName, hosts.patterns);
}

/** HMAC-SHA1 of the name keyed by the salt: the `|1|salt|hash` scheme of `HashKnownHosts`. */
export function hashHostName(lookupName: string, salt: Buffer): Buffer {
  return createHmac('sha1', salt).update(lookupName).digest();
}

/**
 * OpenSSH's `match_pattern_list`: any matching negated pattern rejects the name outright,
 * otherwise one matching positive pattern accepts it. Case-insensitive, like `match_hostname`.
 */
function matchPatternList(name: string, patterns: readonly HostPattern[]): boolean {
  const lower = name.toLowerCase();
  let positive = false;
  for (const { pattern, negated } of patterns) {
    if (!matchPattern(lower, pattern.toLowerCase())) continue;
    if (negated) return false;
    positive = true;
  }
  return positive;
}

/** `*` matches any run of characters (even empty), `?` exactly one; everything else is literal. */
function matchPattern(name: string, pattern: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(name);
}
