import { readFile } from 'node:fs/promises';

/** `@cert-authority` and `@revoked` lines; `null` for an ordinary host key line. */
export type KnownHostMarker = 'cert-authority' | 'revoked' | null;

/** One entry of a comma-separated host pattern list: `*` and `?` wildcards, `!` negates. */
export interface HostPattern {
  pattern: string;
  negated: boolean;
}

/**
 * How a line names its hosts: a pattern list (`a,b,*.lan,!x.lan,[h]:2222`) or one hashed
 * name (`|1|salt|hmac`, HMAC-SHA1 of the lookup name keyed by the salt), as `ssh-keygen -H` writes.
 */
export type HostMatcher =
  | { kind: 'patterns'; patterns: readonly HostPattern[] }
  | { kind: 'hashed'; salt: Buffer; hmac: Buffer };

/** One parsed `known_hosts` line. `key` is the decoded SSH wire-format public key. */
export interface KnownHostEntry {
  marker: KnownHostMarker;
  /** The host field exactly as written. */
  hostField: string;
  hosts: HostMatcher;
  keyType: string;
  keyBase64: string;
  key: Buffer;
  comment: string;
  file: string;
  line: number;
  /** `file:line`, for messages ("Offending key in …"). */
  where: string;
}

/** A line that was skipped: the user's file is never a reason to throw. */
export interface KnownHostsWarning {
  where: string;
  message: string;
}

export interface ReadKnownHostsOptions {
  /** Called for every skipped line or unreadable file; defaults to `process.emitWarning`. */
  onWarning?: (warning: KnownHostsWarning) => void;
}

/** SHA-1 digest length: OpenSSH refuses hashed names whose salt or hash has another length. */
const SHA1_LENGTH = 20;

/**
 * Reads known_hosts files in order, as OpenSSH does with `UserKnownHostsFile` and
 * `GlobalKnownHostsFile`. A missing file counts as empty; an unreadable file or a bad line is
 * skipped with a warning.
 */
export async function readKnownHosts(paths: readonly string[], options: ReadKnownHostsOptions = {}): Promise<KnownHostEntry[]> {
  const warn = options.onWarning ?? emitKnownHostsWarning;
  const entries: KnownHostEntry[] = [];
  for (const file of paths) {
    const text = await readOptionalFile(file, warn);
    entries.push(...parseKnownHosts(text, file, warn));
  }
  return entries;
}

/** Parses the text of one known_hosts file; `file` only labels entries and warnings. */
export function parseKnownHosts(text: string, file: string, warn: (warning: KnownHostsWarning) => void): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const where = `${file}:${index + 1}`;
    const parsed = parseKnownHostsLine(raw, { file, line: index + 1, where });
    if (parsed === null) return;
    if (typeof parsed === 'string') warn({ where, message: `${where}: ${parsed}; line skipped` });
    else entries.push(parsed);
  });
  return entries;
}

type LinePlace = Pick<KnownHostEntry, 'file' | 'line' | 'where'>;

/** Returns the entry, `null` for a blank or comment line, or a string saying why the line is bad. */
export function parseKnownHostsLine(raw: string, place: LinePlace): KnownHostEntry | string | null {
  const fields = raw.replace(/\r$/, '').trim().split(/[ \t]+/);
  if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return null;
  let marker: KnownHostMarker = null;
  if (fields[0].startsWith('@')) {
    if (fields[0] === '@cert-authority') marker = 'cert-authority';
    else if (fields[0] === '@revoked') marker = 'revoked';
    else return `unknown marker ${JSON.stringify(fields[0])}`;
    fields.shift();
  }
  const [hostField, keyType, keyBase64, ...commentWords] = fields;
  if (hostField === undefined || keyType === undefined || keyBase64 === undefined) return 'expected "hosts keytype base64-key"';
  const hosts = parseHostField(hostField);
  if (typeof hosts === 'string') return hosts;
  const key = decodeKey(keyType, keyBase64);
  if (typeof key === 'string') return key;
  return { marker, hostField, hosts, keyType, keyBase64, key, comment: commentWords.join(' '), ...place };
}

/** Splits the host field; a field starting with `|` is one hashed name, as in OpenSSH. */
function parseHostField(field: string): HostMatcher | string {
  if (field.startsWith('|')) return parseHashedName(field);
  const patterns = field.split(',').map((item) => (item.startsWith('!') ? { pattern: item.slice(1), negated: true } : { pattern: item, negated: false }));
  if (patterns.some((p) => p.pattern === '')) return `empty host pattern in ${JSON.stringify(field)}`;
  return { kind: 'patterns', patterns };
}

function parseHashedName(field: string): HostMatcher | string {
  const parts = field.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return 'bad hashed host name (expected |1|salt|hash)';
  const salt = Buffer.from(parts[2] ?? '', 'base64');
  const hmac = Buffer.from(parts[3] ?? '', 'base64');
  if (salt.length !== SHA1_LENGTH || hmac.length !== SHA1_LENGTH) return 'bad hashed host name (salt and hash must be 20 bytes)';
  return { kind: 'hashed', salt, hmac };
}

/** Decodes the key and checks that the blob says the same type as the line, as `sshkey_read` does. */
function decodeKey(keyType: string, keyBase64: string): Buffer | string {
  if (/^\d+$/.test(keyType)) return 'SSH protocol 1 key (no longer supported)';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(keyBase64)) return 'key is not base64';
  const key = Buffer.from(keyBase64, 'base64');
  const blobType = sshKeyType(key);
  if (blobType === undefined) return 'key is not an SSH public key';
  if (blobType !== keyType) return `key type ${JSON.stringify(keyType)} does not match the key (${blobType})`;
  return key;
}

/**
 * The type name of an SSH wire-format public key: its first length-prefixed string
 * (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`). `undefined` when the blob is malformed.
 */
export function sshKeyType(key: Buffer): string | undefined {
  if (key.length < 4) return undefined;
  const length = key.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > key.length) return undefined;
  const name = key.toString('latin1', 4, 4 + length);
  return /^[\x21-\x7e]+$/.test(name) ? name : undefined;
}

async function readOptionalFile(file: string, warn: (warning: KnownHostsWarning) => void): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') warn({ where: file, message: `${file}: cannot read (${code ?? String(error)}); file skipped` });
    return '';
  }
}

function emitKnownHostsWarning(warning: KnownHostsWarning): void {
  process.emitWarning(warning.message, { code: 'MESH_KNOWN_HOSTS_LINE_SKIPPED' });
}
