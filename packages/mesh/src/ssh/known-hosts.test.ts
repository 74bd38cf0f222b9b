import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../test-support/sshd.test-support.js';
import type { GeneratedKey } from '../test-support/sshd.test-support.js';
import { appendKnownHost, checkHostKey, fingerprintSha256, hostLookupName, knownHostKeyTypes, knownHostsLine, parseKnownHosts, readKnownHosts } from './known-hosts.js';
import type { KnownHostsWarning } from './known-hosts.js';

let dir: string;
let ed: GeneratedKey;
let ed2: GeneratedKey;
let rsa: GeneratedKey;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mesh-kh-'));
  [ed, ed2, rsa] = await Promise.all([generateKey(join(dir, 'ed'), 'ed25519'), generateKey(join(dir, 'ed2'), 'ed25519'), generateKey(join(dir, 'rsa'), 'rsa')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `type base64` of a generated key, for writing fixture lines. */
const keyOf = (key: GeneratedKey): string => key.publicLine.split(' ').slice(0, 2).join(' ');

function entriesOf(text: string): { entries: ReturnType<typeof parseKnownHosts>; warnings: KnownHostsWarning[] } {
  const warnings: KnownHostsWarning[] = [];
  return { entries: parseKnownHosts(text, 'kh', (w) => warnings.push(w)), warnings };
}

describe('hostLookupName', () => {
  it('should use the bare host for port 22 and [host]:port otherwise, lowercased', () => {
    expect([hostLookupName({ host: 'Box.LAN' }), hostLookupName({ host: 'box', port: 22 }), hostLookupName({ host: 'box', port: 2222 })]).toEqual(['box.lan', 'box', '[box]:2222']);
  });
});

describe('checkHostKey', () => {
  it('should say known for a host whose key is listed, and name the line', () => {
    const { entries } = entriesOf(`# comment\n\nother ${keyOf(ed2)}\nbox,box.lan ${keyOf(ed)} me@laptop\n`);
    const verdict = checkHostKey(entries, { host: 'box.lan', key: ed.blob });
    expect(verdict.kind).toBe('known');
    expect(verdict.kind === 'known' && verdict.entry.where).toBe('kh:4');
    expect(verdict.kind === 'known' && verdict.entry.comment).toBe('me@laptop');
  });

  it('should say unknown, with the fingerprint, for a host with no line', () => {
    const { entries } = entriesOf(`other ${keyOf(ed)}\n[box]:2222 ${keyOf(ed)}\n`);
    expect(checkHostKey(entries, { host: 'box', key: ed.blob })).toEqual({ kind: 'unknown', lookupName: 'box', keyType: 'ssh-ed25519', fingerprint: fingerprintSha256(ed.blob) });
  });

  it('should say changed when the host is listed with another key of the same type', () => {
    const { entries } = entriesOf(`box ${keyOf(ed2)}\n`);
    const verdict = checkHostKey(entries, { host: 'box', key: ed.blob });
    expect(verdict).toMatchObject({ kind: 'changed', expected: [{ type: 'ssh-ed25519', fingerprint: fingerprintSha256(ed2.blob), where: 'kh:1' }] });
  });

  it('should say changed, like OpenSSH 9.2, when the host is known only with another key type', () => {
    const { entries } = entriesOf(`box ${keyOf(rsa)}\n`);
    expect(checkHostKey(entries, { host: 'box', key: ed.blob })).toMatchObject({ kind: 'changed', expected: [{ type: 'ssh-rsa' }] });
    expect(knownHostKeyTypes(entries, { host: 'box' })).toEqual(['ssh-rsa']);
  });

  it('should accept one matching key among several for the host', () => {
    const { entries } = entriesOf(`box ${keyOf(rsa)}\nbox ${keyOf(ed)}\n`);
    expect(checkHostKey(entries, { host: 'box', key: ed.blob }).kind).toBe('known');
  });

  it('should say revoked for an @revoked key even when a plain line lists it', () => {
    const { entries } = entriesOf(`box ${keyOf(ed)}\n@revoked * ${keyOf(ed)}\n`);
    expect(checkHostKey(entries, { host: 'box', key: ed.blob })).toMatchObject({ kind: 'revoked', entry: { where: 'kh:2', marker: 'revoked' } });
  });

  it('should ignore @cert-authority lines for a plain host key', () => {
    const { entries } = entriesOf(`@cert-authority * ${keyOf(ed2)}\n`);
    expect(checkHostKey(entries, { host: 'box', key: ed.blob }).kind).toBe('unknown');
  });

  it('should honour wildcards and let a negated pattern win', () => {
    const { entries } = entriesOf(`*.lan,!bad.lan ${keyOf(ed)}\nb?x ${keyOf(ed)}\n`);
    const kinds = ['good.lan', 'bad.lan', 'box', 'boox'].map((host) => checkHostKey(entries, { host, key: ed.blob }).kind);
    expect(kinds).toEqual(['known', 'unknown', 'known', 'unknown']);
  });

  it('should match hashed names it wrote, only for that host and port', () => {
    const line = knownHostsLine({ host: 'box', port: 2222, key: ed.blob, hashed: true });
    expect(line).toMatch(/^\|1\|[A-Za-z0-9+/=]{28}\|[A-Za-z0-9+/=]{28} ssh-ed25519 /);
    const { entries } = entriesOf(`${line}\n`);
    const kinds = [2222, 22, 2223].map((port) => checkHostKey(entries, { host: 'box', port, key: ed.blob }).kind);
    expect(kinds).toEqual(['known', 'unknown', 'unknown']);
  });
});

describe('parseKnownHosts', () => {
  it('should skip bad lines with a warning naming file and line, and keep the good ones', () => {
    const text = [`@bogus box ${keyOf(ed)}`, 'box ssh-ed25519', `box ssh-rsa ${keyOf(ed).split(' ')[1]}`, 'box ssh-ed25519 !!!', '|1|abc|def ssh-ed25519 AAAA', 'box 2048 35 1234', `ok ${keyOf(ed)}`].join('\n');
    const { entries, warnings } = entriesOf(text);
    expect(entries.map((e) => e.where)).toEqual(['kh:7']);
    expect(warnings.map((w) => w.where)).toEqual(['kh:1', 'kh:2', 'kh:3', 'kh:4', 'kh:5', 'kh:6']);
    expect(warnings[2]?.message).toContain('does not match the key (ssh-ed25519)');
  });

  it('should accept CRLF line ends and tabs between fields', () => {
    const { entries, warnings } = entriesOf(`box\t${keyOf(ed).replace(' ', '\t')}\r\n`);
    expect([entries.length, warnings.length, entries[0]?.comment]).toEqual([1, 0, '']);
  });
});

describe('readKnownHosts', () => {
  it('should read files in order and treat a missing file as empty', async () => {
    writeFileSync(join(dir, 'kh1'), `a ${keyOf(ed)}\n`);
    writeFileSync(join(dir, 'kh2'), `b ${keyOf(ed2)}\n`);
    const warnings: KnownHostsWarning[] = [];
    const entries = await readKnownHosts([join(dir, 'kh1'), join(dir, 'missing'), join(dir, 'no', 'such'), join(dir, 'kh2')], { onWarning: (w) => warnings.push(w) });
    expect(entries.map((e) => e.where)).toEqual([`${join(dir, 'kh1')}:1`, `${join(dir, 'kh2')}:1`]);
    expect(warnings).toEqual([]);
  });

  it('should warn about, not throw on, a path that cannot be read', async () => {
    const warnings: KnownHostsWarning[] = [];
    expect(await readKnownHosts([dir], { onWarning: (w) => warnings.push(w) })).toEqual([]);
    expect(warnings[0]?.message).toContain('EISDIR');
  });
});

describe('knownHostsLine', () => {
  it('should write plain lines OpenSSH style, with an optional comment', () => {
    expect(knownHostsLine({ host: 'Box', port: 2222, key: ed.blob, comment: 'added by mesh' })).toBe(`[box]:2222 ${keyOf(ed)} added by mesh`);
    expect(knownHostsLine({ host: 'box', key: ed.blob })).toBe(`box ${keyOf(ed)}`);
  });

  it('should refuse host names that would match more than the trusted host', () => {
    for (const host of ['*', 'a,b', '!a', '|1|x', 'a b', '']) expect(() => knownHostsLine({ host, key: ed.blob })).toThrow(TypeError);
  });

  it('should salt each hashed line afresh', () => {
    expect(knownHostsLine({ host: 'box', key: ed.blob, hashed: true })).not.toBe(knownHostsLine({ host: 'box', key: ed.blob, hashed: true }));
  });
});

describe('appendKnownHost', () => {
  it('should create the file 0600 in a new 0700 directory', async () => {
    const path = join(dir, 'fresh', '.ssh', 'known_hosts');
    await appendKnownHost(path, `box ${keyOf(ed)}`);
    expect([statSync(path).mode & 0o777, statSync(join(dir, 'fresh', '.ssh')).mode & 0o777]).toEqual([0o600, 0o700]);
    expect(readFileSync(path, 'utf8')).toBe(`box ${keyOf(ed)}\n`);
  });

  it('should keep existing lines byte for byte and end a last line lacking its newline', async () => {
    const path = join(dir, 'existing');
    writeFileSync(path, '# mine\r\nold  ssh-ed25519   KEEP-AS-IS');
    await appendKnownHost(path, 'new-line');
    await appendKnownHost(path, 'another');
    expect(readFileSync(path, 'utf8')).toBe('# mine\r\nold  ssh-ed25519   KEEP-AS-IS\nnew-line\nanother\n');
  });

  it('should refuse a line with a newline in it', async () => {
    await expect(appendKnownHost(join(dir, 'x'), 'a\nb')).rejects.toThrow(TypeError);
  });
});
