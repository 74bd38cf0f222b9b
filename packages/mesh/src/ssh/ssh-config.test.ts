/**
 * Oracle tests: every fixture config is resolved by resolveSshTarget and by the installed
 * OpenSSH client (`ssh -G -F config target`, which resolves without connecting), and the two
 * must agree on hostname, user, port, identity files, ProxyJump and UserKnownHostsFile.
 * `ssh -G` prints IdentityFile unexpanded, so the identity files come from a second run that
 * loads them (`ssh -v` with a ProxyCommand that exits at once: nothing is contacted).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHostSpec, resolveSshTarget, type SshTarget } from './ssh-config.js';

const run = promisify(execFile);

/** ssh expands `~` and `%d` from the passwd entry, not $HOME; Include globs use $HOME. */
const PASSWD_HOME = userInfo().homedir;
const LOCAL_USER = userInfo().username;

interface OracleCase {
  name: string;
  /** Files under `$HOME/.ssh/`; `config` is the one passed with -F. */
  files: Record<string, string>;
  /** What the user types; `ssh` gets `sshArgs` when the form is not one ssh takes. */
  targets: Array<string | { target: string; sshArgs: string[] }>;
}

interface Compared {
  hostname: string;
  user: string;
  port: number;
  identityFiles: string[];
  proxyJump: string | null;
  userKnownHostsFiles: string[];
}

const CASES: OracleCase[] = [
  {
    name: 'aliases with HostName, User, Port, IdentityFile and first-obtained-wins',
    files: {
      config: `
# a comment
Host web
  HostName 10.0.0.5
  User deploy
  Port 2222
  IdentityFile ~/.ssh/web_ed25519
  IdentityFile ~/.ssh/second
  IdentityFile ~/.ssh/web_ed25519
Host web db
  User ignored-because-web-has-one
  Port 2200
  IdentityFile ~/.ssh/shared
HOST  db
  hostname=DB.Internal.Example
  USER = "data base"
Host *
  User fallback
  IdentitiesOnly yes
`,
    },
    targets: ['web', 'db', 'other', 'WEB'],
  },
  {
    name: 'wildcards, negation and comma-is-literal on Host lines',
    files: {
      config: `
Host *.corp !bastion.corp
  ProxyJump ops@bastion.corp:2200
  User corp
Host app?
  Port 2001
Host a,b
  Port 9999
Host !nothing-matches-this
  IdentityFile ~/.ssh/neg_only
Host * !db*
  UserKnownHostsFile ~/.ssh/known_hosts_%h %d/kh_%n_%p
`,
    },
    targets: ['x.corp', 'bastion.corp', 'app1', 'app12', 'a', 'db7', 'elsewhere'],
  },
  {
    name: 'Include with globs, relative and absolute paths, nesting and Host blocks',
    files: {
      config: `
Include conf.d/*.conf
Host jump
  Include hosts/jump-only
Host *
  Include ~/.ssh/defaults
`,
      'conf.d/10-web.conf': 'Host web\n  HostName web.example.com\n  Include nested/inner\n',
      'conf.d/20-other.conf': 'Port 2020\nHost db\n  User dba\n',
      'conf.d/.hidden.conf': 'Host web\n  User hidden-files-are-not-globbed\n',
      'conf.d/not-matched.txt': 'Host web\n  User wrong-extension\n',
      'nested/inner': 'User inner\nHost db\n  IdentityFile ~/.ssh/db_key\n',
      'hosts/jump-only': 'HostName jump.example.net\nUser jumper\n',
      defaults: 'IdentityFile ~/.ssh/default_key\nStrictHostKeyChecking accept-new\n',
    },
    targets: ['web', 'db', 'jump', 'elsewhere'],
  },
  {
    name: 'Match all, host, originalhost, user and negations',
    files: {
      config: `
Host short
  HostName long.example.org
Match host long.example.org
  User matched-by-hostname
Match originalhost short,!nope
  Port 2022
Match !host *.example.org user root,deploy
  IdentityFile ~/.ssh/match_user
Match host=other.example.org
  Port 3033
Match exec "false"
  User never
Match all
  IdentityFile ~/.ssh/all_%n
`,
    },
    targets: ['short', 'other.example.org', 'plain', { target: 'deploy@plain', sshArgs: ['deploy@plain'] }],
  },
  {
    name: 'tokens in HostName, IdentityFile, UserKnownHostsFile and ProxyJump',
    files: {
      config: `
Host box*
  HostName %h.lan
  User tok
  Port 2323
  IdentityFile ~/.ssh/%r@%h-%p_%n
  IdentityFile %d/keys/%u_%l_%%
  UserKnownHostsFile ~/.ssh/kh/%h_%p "%d/kh2"
  ProxyJump %r@gw-%h,bastion.lan:2200
Host box-two
  HostKeyAlias two-key
Host *
  IdentityFile ~/.ssh/%C_%i_%k_%L
`,
    },
    targets: ['box1', 'box-two'],
  },
  {
    name: 'ProxyJump chains, none and ProxyCommand precedence',
    files: {
      config: `
Host chain
  ProxyJump alice@j1.example.com:2201,[fd00::1]:23,ssh://bob@j3.example.com:2203
Host direct
  ProxyJump none
Host cmd
  ProxyCommand nc %h %p
Host ipv4jump
  ProxyJump 192.0.2.10:22
Host *
  ProxyJump fallback-jump
  ProxyCommand never-used
`,
    },
    targets: ['chain', 'direct', 'cmd', 'ipv4jump', 'anything'],
  },
  {
    name: 'literal user@host[:port], [ipv6]:port and ssh:// targets',
    files: {
      config: `
Host box
  User config-user
  Port 1111
  HostName box.example.com
Host ::1 fe80::*
  User v6
Host *
  UserKnownHostsFile none
`,
    },
    targets: [
      { target: 'alice@box:2200', sshArgs: ['-p', '2200', 'alice@box'] },
      { target: 'box:2200', sshArgs: ['-p', '2200', 'box'] },
      { target: '[::1]:2222', sshArgs: ['-p', '2222', '::1'] },
      { target: 'root@fe80::2', sshArgs: ['root@fe80::2'] },
      'ssh://carol@box:2022',
      'unknown-host.example',
    ],
  },
  {
    name: 'syntax: Key=value, quotes, escapes, tabs and comments',
    files: {
      config: [
        'Host "quoted" plain\t# trailing comment',
        '\tHostName=Quoted.Example  ',
        '  Port = 2024',
        "  User 'o''brien' # a comment",
        '  IdentityFile "~/.ssh/with space"',
        '  IdentityFile ~/.ssh/hash#inside',
        '  IdentityFile ~/.ssh/back\\slash',
        'Host *',
        '  UserKnownHostsFile=~/.ssh/kh_a ~/.ssh/kh_b',
      ].join('\n'),
    },
    targets: ['quoted', 'plain'],
  },
  {
    name: 'Include inside a Host block whose file has its own Host lines',
    files: {
      config: 'Host web\n  Include web.d/*\n  User web-outer\nHost *\n  Port 2099\n',
      'web.d/a': 'Port 2001\nHost nomatch\n  User never\nHost web\n  IdentityFile ~/.ssh/from_a\n',
      'web.d/b': 'Host *\n  User from-b\n',
    },
    targets: ['web', 'db'],
  },
];

let home = '';

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'mesh-ssh-config-'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('resolveSshTarget against ssh -G', () => {
  for (const oracleCase of CASES) {
    it(`should agree with OpenSSH: ${oracleCase.name}`, async () => {
      const sshDir = join(home, '.ssh');
      await rm(sshDir, { recursive: true, force: true });
      for (const [relative, text] of Object.entries(oracleCase.files)) {
        await mkdir(dirname(join(sshDir, relative)), { recursive: true });
        await writeFile(join(sshDir, relative), text);
      }
      const config = join(sshDir, 'config');
      for (const entry of oracleCase.targets) {
        const { target, sshArgs } = typeof entry === 'string' ? { target: entry, sshArgs: [entry] } : entry;
        const ours = await resolveSshTarget(target, { home, configPath: config, localUser: LOCAL_USER });
        const theirs = await resolveWithOpenSsh(config, sshArgs, ours.alias);
        expect({ target, ...compared(ours) }).toEqual({ target, ...theirs });
      }
    });
  }
});

function compared(target: SshTarget): Compared {
  return {
    hostname: target.hostname,
    user: target.user,
    port: target.port,
    identityFiles: target.identityFiles,
    proxyJump: target.proxyJump === null ? null : target.proxyJump.map(formatHostSpec).join(','),
    userKnownHostsFiles: target.userKnownHostsFiles,
  };
}

async function resolveWithOpenSsh(config: string, sshArgs: string[], alias: string): Promise<Compared> {
  const env = { ...process.env, HOME: home };
  const { stdout } = await run('ssh', ['-G', '-F', config, ...sshArgs], { env });
  const fields = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0 && !fields.has(line.slice(0, space))) fields.set(line.slice(0, space), line.slice(space + 1));
  }
  const hostname = fields.get('hostname') ?? '';
  const user = fields.get('user') ?? '';
  const port = fields.get('port') ?? '';
  const knownHosts = fields.get('userknownhostsfile') ?? '';
  const jump = fields.get('proxyjump');
  return {
    hostname,
    user,
    port: Number(port),
    identityFiles: await identityFilesWithOpenSsh(config, sshArgs),
    proxyJump: jump === undefined ? null : normaliseJump(jump, { h: hostname, n: alias, p: port, r: user }),
    userKnownHostsFiles: knownHosts === 'none' ? [] : knownHosts.split(' ').map(toTestHome),
  };
}

/**
 * The identity files ssh loads, fully expanded; ssh's extra defaults (id_xmss, id_dsa) are
 * dropped, and the log's strnvis() doubling of backslashes is undone.
 */
async function identityFilesWithOpenSsh(config: string, sshArgs: string[]): Promise<string[]> {
  const env = { ...process.env, HOME: home };
  const args = ['-v', '-F', config, '-o', 'ProxyCommand=exit 0', '-o', 'BatchMode=yes', ...sshArgs, 'true'];
  const { stderr } = await run('ssh', args, { env }).catch((error: { stderr: string }) => error);
  return [...stderr.matchAll(/^debug1: identity file (.*) type -?\d+$/gm)]
    .map((match) => (match[1] ?? '').replace(/\\\\/g, '\\'))
    .filter((file) => !file.endsWith('-cert') && !/\/\.ssh\/id_(xmss|dsa)$/.test(file))
    .map(toTestHome);
}

function toTestHome(path: string): string {
  return path.startsWith(`${PASSWD_HOME}/`) ? home + path.slice(PASSWD_HOME.length) : path;
}

/**
 * ssh prints ProxyJump as written (tokens and all) and expands %h %n %p %r only when it builds
 * the jump command; it brackets a numeric last hop. Expand and unbracket IPv4 to compare.
 */
function normaliseJump(jump: string, values: Record<string, string>): string {
  return jump
    .replace(/%([%hnpr])/g, (_whole, letter: string) => (letter === '%' ? '%' : values[letter] ?? ''))
    .split(',')
    .map((hop) => hop.replace(/^ssh:\/\//, '').replace(/\[([0-9.]+)\]/, '$1'))
    .join(',');
}
