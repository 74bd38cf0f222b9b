/**
 * Which files are read, and in what order, with injected readFile/readDir: without an explicit
 * configPath ssh reads ~/.ssh/config and then the system config, whose relative Includes
 * start at /etc/ssh (ssh itself takes ~ from the passwd entry, so these cases cannot use the
 * `ssh -G` oracle with a temporary HOME).
 */
import { describe, expect, it } from 'vitest';
import { resolveSshTarget, type SshConfigOptions } from './ssh-config.js';

function inMemory(files: Record<string, string>): Pick<SshConfigOptions, 'readFile' | 'readDir'> {
  const readFile = async (path: string) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };
  const readDir = async (dir: string) =>
    Object.keys(files).filter((path) => path.startsWith(`${dir}/`)).map((path) => path.slice(dir.length + 1).split('/')[0] ?? '');
  return { readFile, readDir };
}

const FILES = {
  '/home/ada/.ssh/config': 'Host build\n  HostName build.internal\n  IdentityFile ${KEYS}/build\nInclude ~/.ssh/extra\n',
  '/home/ada/.ssh/extra': 'Host build\n  User from-extra\n',
  '/etc/ssh/ssh_config': 'Include ssh_config.d/*.conf\nHost *\n  Port 2200\n  User from-system\n',
  '/etc/ssh/ssh_config.d/10-corp.conf': 'Host build\n  StrictHostKeyChecking yes\n  IdentitiesOnly yes\n  HostKeyAlias build-key\n',
};

describe('resolveSshTarget config files', () => {
  it('should read the user config before the system config, with system Includes relative to /etc/ssh', async () => {
    const target = await resolveSshTarget('build', {
      home: '/home/ada', localUser: 'ada', localHostname: 'laptop.lan', env: { KEYS: '/keys' }, ...inMemory(FILES),
    });
    expect(target).toMatchInlineSnapshot(`
      {
        "alias": "build",
        "globalKnownHostsFiles": [
          "/etc/ssh/ssh_known_hosts",
          "/etc/ssh/ssh_known_hosts2",
        ],
        "hostKeyAlias": "build-key",
        "hostname": "build.internal",
        "identitiesOnly": true,
        "identityFiles": [
          "/keys/build",
        ],
        "port": 2200,
        "proxyJump": null,
        "source": "config",
        "strictHostKeyChecking": "yes",
        "user": "from-extra",
        "userKnownHostsFiles": [
          "/home/ada/.ssh/known_hosts",
          "/home/ada/.ssh/known_hosts2",
        ],
        "warnings": [],
      }
    `);
  });

  it('should skip the system config when configPath is given, like ssh -F', async () => {
    const target = await resolveSshTarget('build', {
      home: '/home/ada', localUser: 'ada', configPath: '/home/ada/.ssh/config', env: { KEYS: '/keys' }, ...inMemory(FILES),
    });
    expect({ port: target.port, user: target.user }).toEqual({ port: 22, user: 'from-extra' });
  });

  it('should skip the system config when systemConfigPath is null', async () => {
    const target = await resolveSshTarget('other', { home: '/home/ada', localUser: 'ada', systemConfigPath: null, env: {}, ...inMemory(FILES) });
    expect({ port: target.port, user: target.user, source: target.source }).toEqual({ port: 22, user: 'ada', source: 'literal' });
  });

  it('should refuse an unset ${VAR} as ssh does', async () => {
    const failure = resolveSshTarget('build', { home: '/home/ada', localUser: 'ada', env: {}, ...inMemory(FILES) });
    await expect(failure).rejects.toMatchObject({ code: 'SSH_TOKEN_INVALID' });
  });
});
