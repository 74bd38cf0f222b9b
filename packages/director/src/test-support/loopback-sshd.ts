// Tests only: a real OpenSSH sshd on 127.0.0.1 standing for a fleet host (as e2e/src/loopback-sshd.ts
// does for the dashboard): every session it opens gets `env` through SetEnv, so the cb daemon a hub
// starts over it is that host's. Its client side (`sshHome/.ssh`: config alias, key, known_hosts)
// is what `mesh serve` reads as its HOME.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';
const START_TIMEOUT_MS = 10_000;

export interface LoopbackSshd extends AsyncDisposable {
  port: number;
  /** HOME for the hub's ssh client: `.ssh/config` (the alias), `id_ed25519`, `known_hosts`. */
  sshHome: string;
  alias: string;
}

/** Why this machine cannot run the loopback sshd (null when it can). */
export function sshdUnavailableReason(): string | null {
  if (!existsSync(SSHD)) return `${SSHD} is not installed`;
  if (process.getuid?.() !== 0) return 'sshd on loopback needs root here (its sessions run as the one login it allows)';
  return null;
}

export async function startLoopbackSshd(dir: string, options: { env: Record<string, string>; alias: string }): Promise<LoopbackSshd> {
  mkdirSync('/run/sshd', { recursive: true });
  const sshHome = join(dir, 'client');
  mkdirSync(join(sshHome, '.ssh'), { recursive: true, mode: 0o700 });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(sshHome, '.ssh', 'id_ed25519')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(sshHome, '.ssh', 'id_ed25519.pub')), { mode: 0o600 });
  const port = await freePort();
  // One SetEnv line: sshd takes a keyword's first value only.
  const setEnv = `SetEnv ${Object.entries(options.env).map(([key, value]) => `${key}="${value.replace(/"/g, '')}"`).join(' ')}`;
  const pidFile = join(dir, 'sshd.pid');
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${pidFile}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      setEnv,
      '',
    ].join('\n'),
  );
  const hostKey = readFileSync(join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(join(sshHome, '.ssh', 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
  writeFileSync(join(sshHome, '.ssh', 'config'), `Host ${options.alias}\n  HostName 127.0.0.1\n  Port ${port}\n  User root\n`);
  await run(SSHD, ['-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')]);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!existsSync(pidFile)) {
    if (Date.now() > deadline) throw new Error(`sshd did not start:\n${readFileSync(join(dir, 'sshd.log'), 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const master = Number(readFileSync(pidFile, 'utf8').trim());
  return {
    port,
    sshHome,
    alias: options.alias,
    // sshd and its per-connection children only: what they started (the detached cb daemon) is the caller's.
    async [Symbol.asyncDispose]() {
      for (const pid of [master, ...sshdDescendants(master)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

function sshdDescendants(root: number): number[] {
  const parents = new Map<number, { ppid: number; comm: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      parents.set(Number(entry), { ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), comm });
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [pid, info] of parents) {
      if (info.ppid !== parent || !info.comm.startsWith('sshd')) continue;
      found.push(pid);
      walk(pid);
    }
  };
  walk(root);
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
