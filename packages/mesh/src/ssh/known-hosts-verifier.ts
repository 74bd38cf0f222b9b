import type { ServerHostKeyAlgorithm } from 'ssh2';
import { checkHostKey, knownHostKeyTypes } from './known-hosts.js';
import type { HostKeyVerdict } from './known-hosts.js';
import type { HostTarget } from './known-hosts-match.js';
import type { KnownHostEntry } from './known-hosts-parse.js';

/** Stable codes for a refused host key; the CLI maps them to advice. */
export type HostKeyErrorCode = 'HOST_KEY_UNKNOWN' | 'HOST_KEY_CHANGED' | 'HOST_KEY_REVOKED';

const CODE_BY_KIND = { unknown: 'HOST_KEY_UNKNOWN', changed: 'HOST_KEY_CHANGED', revoked: 'HOST_KEY_REVOKED' } as const;

/** Why a connection was refused before authentication: the message names the fingerprint. */
export class HostKeyError extends Error {
  readonly code: HostKeyErrorCode;
  readonly verdict: Exclude<HostKeyVerdict, { kind: 'known' }>;

  constructor(verdict: Exclude<HostKeyVerdict, { kind: 'known' }>, hostName: string) {
    super(describeRefusal(verdict, hostName));
    this.name = 'HostKeyError';
    this.code = CODE_BY_KIND[verdict.kind];
    this.verdict = verdict;
  }
}

/** The words a user reads when a host key is refused, with the next step. */
export function describeRefusal(verdict: Exclude<HostKeyVerdict, { kind: 'known' }>, hostName: string): string {
  const offered = `${verdict.keyType} key ${verdict.fingerprint}`;
  switch (verdict.kind) {
    case 'unknown':
      return `host ${verdict.lookupName} offered an unknown ${offered}; refused until you check it and run \`mesh hosts trust ${hostName}\``;
    case 'changed': {
      const expected = verdict.expected.map((key) => `${key.type} ${key.fingerprint} (${key.where})`).join(', ');
      return `HOST KEY CHANGED for ${verdict.lookupName}: it offered ${offered} but known_hosts has ${expected}; refused (someone may be intercepting the connection; if the host was reinstalled, remove the old line yourself)`;
    }
    case 'revoked':
      return `host ${verdict.lookupName} offered a revoked ${offered} (${verdict.entry.where}); refused`;
  }
}

export interface HostVerifierOptions extends HostTarget {
  /** Entries from `readKnownHosts`, read fresh for each connection. */
  entries: readonly KnownHostEntry[];
  /** The name the user knows the host by (the `mesh hosts add` name), for the advice in messages. */
  hostName?: string;
}

/** A `hostVerifier` for ssh2's `Client#connect`, and what it decided. */
export interface HostVerifier {
  /** Pass as `hostVerifier`: returns `true` only for a `known` key. */
  hostVerifier: (key: Buffer) => boolean;
  /** Key types known for the host, in file order (may be empty). */
  knownTypes: string[];
  /** Pass as `algorithms.serverHostKey`: the known types first, as OpenSSH's `order_hostkeyalgs`. */
  serverHostKey: ServerHostKeyAlgorithm[];
  /** The last verdict, once the server has shown its key. */
  readonly verdict: HostKeyVerdict | undefined;
  /** Set when the key was refused: report this instead of ssh2's "Host denied (verification failed)". */
  readonly refusal: HostKeyError | undefined;
}

/**
 * Builds an ssh2 `hostVerifier` that accepts only keys known for the host. ssh2 reports a refusal
 * as a bare "Host denied"; read `refusal` in the client's `error` handler for the real reason.
 */
export function createHostVerifier(options: HostVerifierOptions): HostVerifier {
  let verdict: HostKeyVerdict | undefined;
  let refusal: HostKeyError | undefined;
  const hostName = options.hostName ?? options.host;
  const knownTypes = knownHostKeyTypes(options.entries, options);
  return {
    knownTypes,
    serverHostKey: serverHostKeyOrder(knownTypes),
    hostVerifier: (key: Buffer) => {
      verdict = checkHostKey(options.entries, { host: options.host, port: options.port, key });
      refusal = verdict.kind === 'known' ? undefined : new HostKeyError(verdict, hostName);
      return verdict.kind === 'known';
    },
    get verdict() {
      return verdict;
    },
    get refusal() {
      return refusal;
    },
  };
}

/** ssh2 1.17's default host key algorithms, in its order (`ssh-dss` is supported but not offered). */
const SSH2_DEFAULT_HOST_KEY_ALGORITHMS: readonly ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/**
 * ssh2's host key algorithms with those for the known key types first. A host that serves RSA
 * and ed25519 but is known only by its RSA key then shows the RSA key, instead of an ed25519 key
 * that `checkHostKey` would call changed. Types ssh2 cannot negotiate are left out.
 */
export function serverHostKeyOrder(knownTypes: readonly string[]): ServerHostKeyAlgorithm[] {
  const preferred = knownTypes.flatMap(hostKeyAlgorithmsFor);
  return [...new Set([...preferred, ...SSH2_DEFAULT_HOST_KEY_ALGORITHMS])];
}

/** The algorithms that present a key type: an `ssh-rsa` key signs with SHA-2 first. */
function hostKeyAlgorithmsFor(keyType: string): ServerHostKeyAlgorithm[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return SSH2_DEFAULT_HOST_KEY_ALGORITHMS.filter((algorithm) => algorithm === keyType);
}
