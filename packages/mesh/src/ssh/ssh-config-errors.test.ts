/**
 * Bad input: what OpenSSH itself rejects must be rejected here with a typed error (checked
 * against `ssh -G`, which must fail too), and what ssh merely ignores must not throw.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSshConfigError, resolveSshTarget, type SshConfigErrorCode } from './ssh-config.js';

const run = promisify(execFile);
const LOCAL_USER = userInfo().username;

const REJECTED: Array<{ name: string; config: string; target: string; code: SshConfigErrorCode }> = [
  { name: 'extra arguments to a single-valued keyword', config: 'Host x\n  HostName a b\n', target: 'x', code: 'SSH_CONFIG_INVALID' },
  { name: 'a bad port, even in a block that does not match', config: 'Host other\n  Port 70000\n', target: 'x', code: 'SSH_CONFIG_INVALID' },
  { name: 'an unterminated quote', config: 'Host x\n  User "bob\n', target: 'x', code: 'SSH_CONFIG_INVALID' },
  { name: 'a keyword without argument', config: 'Host x\n  User\n', target: 'x', code: 'SSH_CONFIG_INVALID' },
  { name: 'an unsupported Match attribute', config: 'Match colour blue\n  User x\n', target: 'x', code: 'SSH_CONFIG_INVALID' },
  { name: 'Match host without a pattern', config: 'Match host\n  User x\n', target: 'x', code: 'SSH_CONFIG_INVALID' },
  { name: 'Match all combined with host', config: 'Match all host x\n  User x\n', target: 'x', code: 'SSH_CONFIG_INVALID' },
  { name: 'an unknown token', config: 'Host x\n  UserKnownHostsFile ~/.ssh/kh_%z\n', target: 'x', code: 'SSH_TOKEN_INVALID' },
  { name: 'a token HostName does not accept', config: 'Host x\n  HostName %p.example\n', target: 'x', code: 'SSH_TOKEN_INVALID' },
  { name: 'a malformed ProxyJump', config: 'Host x\n  ProxyJump a@b:notaport\n', target: 'x', code: 'SSH_CONFIG_INVALID' },
  { name: 'a bad StrictHostKeyChecking value', config: 'Host x\n  StrictHostKeyChecking maybe\n', target: 'x', code: 'SSH_CONFIG_INVALID' },
];

let home = '';

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'mesh-ssh-errors-'));
  await mkdir(join(home, '.ssh'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

async function writeConfig(text: string): Promise<string> {
  const path = join(home, '.ssh', 'config');
  await writeFile(path, text);
  return path;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (isSshConfigError(error) ? error.code : `untyped: ${String(error)}`),
  );
}

describe('resolveSshTarget on configs ssh rejects', () => {
  for (const { name, config, target, code } of REJECTED) {
    it(`should reject ${name}, as ssh -G does`, async () => {
      const path = await writeConfig(config);
      const ssh = await run('ssh', ['-G', '-F', path, target], { env: { ...process.env, HOME: home } }).then(() => 'accepted', () => 'rejected');
      expect(ssh).toBe('rejected');
      expect(await codeOf(resolveSshTarget(target, { home, configPath: path, localUser: LOCAL_USER }))).toBe(code);
    });
  }
});

describe('resolveSshTarget on bad arguments', () => {
  it('should reject malformed targets with SSH_TARGET_INVALID', async () => {
    const path = await writeConfig('');
    for (const target of ['', '   ', '@host', 'user@', 'host:0', 'host:port', '[::1', '-oProxyCommand=x', 'a b']) {
      expect({ target, code: await codeOf(resolveSshTarget(target, { home, configPath: path, localUser: LOCAL_USER })) })
        .toEqual({ target, code: 'SSH_TARGET_INVALID' });
    }
  });

  it('should reject invalid options with SSH_OPTIONS_INVALID and say which', async () => {
    const error = await resolveSshTarget('x', { home: 'relative', localUser: '' }).catch((caught: unknown) => caught);
    expect(isSshConfigError(error, 'SSH_OPTIONS_INVALID')).toBe(true);
    expect(String(error)).toMatch(/home/);
    expect(String(error)).toMatch(/localUser/);
  });

  it('should reject shell metacharacters in a configured HostName (stricter than ssh 9.2, which checks only the command line)', async () => {
    const path = await writeConfig('Host x\n  HostName "a;b"\n');
    expect(await codeOf(resolveSshTarget('x', { home, configPath: path, localUser: LOCAL_USER }))).toBe('SSH_CONFIG_INVALID');
  });

  it('should reject an explicit config path that does not exist, like ssh -F', async () => {
    const code = await codeOf(resolveSshTarget('x', { home, configPath: join(home, 'missing'), localUser: LOCAL_USER }));
    expect(code).toBe('SSH_CONFIG_UNREADABLE');
  });

  it('should stop an Include loop with SSH_INCLUDE_TOO_DEEP', async () => {
    const path = await writeConfig('Include config\n');
    expect(await codeOf(resolveSshTarget('x', { home, configPath: path, localUser: LOCAL_USER }))).toBe('SSH_INCLUDE_TOO_DEEP');
  });
});

describe('resolveSshTarget on what ssh tolerates', () => {
  it('should treat a missing default ~/.ssh/config as empty and the name as a hostname', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'mesh-ssh-empty-'));
    const target = await resolveSshTarget('Build.Example', { home: empty, localUser: 'ada', systemConfigPath: null });
    await rm(empty, { recursive: true, force: true });
    expect(target).toMatchObject({ alias: 'Build.Example', hostname: 'build.example', user: 'ada', port: 22, source: 'literal', proxyJump: null });
  });

  it('should skip Include patterns that match nothing', async () => {
    const path = await writeConfig('Include nothing/*.conf missing-file\nHost x\n  Port 2222\n');
    const target = await resolveSshTarget('x', { home, configPath: path, localUser: LOCAL_USER });
    expect(target.port).toBe(2222);
  });

  it('should warn about Match exec, ProxyCommand and CanonicalizeHostname instead of carrying them out', async () => {
    const path = await writeConfig('Match exec "touch /tmp/should-not-run"\n  User never\nHost x\n  ProxyCommand nc %h %p\n  CanonicalizeHostname always\n');
    const target = await resolveSshTarget('x', { home, configPath: path, localUser: LOCAL_USER });
    expect(target.user).toBe(LOCAL_USER);
    expect(target.proxyJump).toBeNull();
    expect(target.warnings).toHaveLength(3);
    expect(target.warnings[0]).toMatch(/line 1: Match exec is not supported/);
    expect(target.warnings[1]).toMatch(/ProxyCommand "nc %h %p" is set/);
    expect(target.warnings[2]).toMatch(/CanonicalizeHostname always is set/);
  });
});
