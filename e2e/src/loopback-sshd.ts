import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A real OpenSSH sshd on 127.0.0.1 standing for a remote machine: every SSH session it opens gets
 * `env` (its HOME, FLOTILLA_HOME, PATH…) through `SetEnv`, so `cb` started over it is that
 * machine's daemon. Its client side (`sshHome/.ssh`) knows its key as `[127.0.0.1]:port` only, so
 * the same sshd reached as `localhost` presents a key nobody trusted yet.
 */
export interface LoopbackSshd {
  port: number;
  /** HOME of the hub's ssh client: `.ssh/config` (aliases), `id_ed25519`, `known_hosts`. */
  sshHome: string;
  /** The alias for `127.0.0.1` (trusted) and one for `localhost` (an unknown key). */
  trustedAlias: string;
  unknownAlias: string;
  /** Stops sshd and every connection it serves (sshd processes only): the machine drops off the network. */
  cut(): Promise<void>;
}

export async function startLoopbackSshd(dir: string, options: { env: Record<string, string>; trustedAlias: string; unknownAlias: string }): Promise<LoopbackSshd> {
  mkdirSync('/run/sshd', { recursive: true });
  mkdirSync(dir, { recursive: true });
  const sshHome = join(dir, 'client');
  mkdirSync(join(sshHome, '.ssh'), { recursive: true, mode: 0o700 });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(sshHome, '.ssh', 'id_ed25519')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(sshHome, '.ssh', 'id_ed25519.pub')), { mode: 0o600 });
  const port = await freePort();
  // One SetEnv line: sshd takes a keyword's first value only.
  const setEnv = `SetEnv ${Object.entries(options.env).map(([key, value]) => `${key}="${value.replace(/"/g, '')}"`).join(' ')}`;
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
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
  const block = (alias: string, hostname: string) => `Host ${alias}\n  HostName ${hostname}\n  Port ${port}\n  User root\n`;
  writeFileSync(join(sshHome, '.ssh', 'config'), `${block(options.trustedAlias, '127.0.0.1')}${block(options.unknownAlias, 'localhost')}`);
  await run('/usr/sbin/sshd', ['-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')]);
  const pidFile = join(dir, 'sshd.pid');
  for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  const master = Number(readFileSync(pidFile, 'utf8').trim());
  return {
    port,
    sshHome,
    trustedAlias: options.trustedAlias,
    unknownAlias: options.unknownAlias,
    async cut() {
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

/** The sshd processes below `root` (its per-connection children), never what they started (cb detaches). */
function sshdDescendants(root: number): number[] {
  const children = new Map<number, { ppid: number; comm: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(Number(entry), { ppid, comm });
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [pid, info] of children) {
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
