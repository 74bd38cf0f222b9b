/**
 * Tests only: a real OpenSSH sshd on 127.0.0.1 standing for a remote machine. Every SSH session it
 * opens gets `env` (its HOME, FLOTILLA_HOME, PATH…) through `SetEnv`, so a `cb` started over it is
 * that machine's daemon. Its client side (`sshHome/.ssh`: config aliases, key, known_hosts) is what
 * a hub reads as its HOME; the known_hosts entry is `[127.0.0.1]:port` only, so an alias pointing
 * at `localhost` reaches the same sshd with a key nobody trusted yet.
 */
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
  /** HOME of the hub's ssh client: `.ssh/config` (the aliases), `id_ed25519`, `known_hosts`. */
  sshHome: string;
  /** Kills sshd and its per-connection children only (never what they started, e.g. a detached cb daemon): the machine drops off the network. */
  cut(): Promise<void>;
}

export interface LoopbackSshdOptions {
  /** The environment of every session. */
  env: Record<string, string>;
  /** `.ssh/config` aliases and the name each reaches the sshd by: `127.0.0.1` (trusted) or `localhost` (an unknown key). */
  aliases: Record<string, '127.0.0.1' | 'localhost'>;
}

/** Why this machine cannot run the loopback sshd (null when it can). */
export function sshdUnavailableReason(): string | null {
  if (!existsSync(SSHD)) return `${SSHD} is not installed`;
  if (process.getuid?.() !== 0) return 'sshd on loopback needs root here (its sessions run as the one login it allows)';
  return null;
}

export async function startLoopbackSshd(dir: string, options: LoopbackSshdOptions): Promise<LoopbackSshd> {
  mkdirSync('/run/sshd', { recursive: true });
  mkdirSync(dir, { recursive: true });
  const sshHome = join(dir, 'client');
  mkdirSync(join(sshHome, '.ssh'), { recursive: true, mode: 0o700 });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(sshHome, '.ssh', 'id_ed25519')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(sshHome, '.ssh', 'id_ed25519.pub')), { mode: 0o600 });
  const port = await freePort();
  const pidFile = join(dir, 'sshd.pid');
  writeFileSync(join(dir, 'sshd_config'), sshdConfig(dir, port, pidFile, options.env));
  const hostKey = readFileSync(join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(join(sshHome, '.ssh', 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
  const blocks = Object.entries(options.aliases).map(([alias, hostname]) => `Host ${alias}\n  HostName ${hostname}\n  Port ${port}\n  User root\n`);
  writeFileSync(join(sshHome, '.ssh', 'config'), blocks.join(''));
  await run(SSHD, ['-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')]);
  const master = await pidWritten(pidFile, join(dir, 'sshd.log'));
  const cut = async (): Promise<void> => {
    for (const pid of [master, ...sshdDescendants(master)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  return { port, sshHome, cut, [Symbol.asyncDispose]: cut };
}

/**
 * sshd's pid once its pid file holds one. The file exists, empty, before sshd writes the number:
 * read then, it gave 0, and `kill(0, SIGKILL)` at dispose killed this process's whole group (the
 * test runner and CI's shell with it).
 */
async function pidWritten(pidFile: string, logFile: string): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const text = existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : '';
    if (/^\d+\n$/.test(text) && Number(text) > 1) return Number(text);
    if (Date.now() > deadline) throw new Error(`sshd did not start (pid file: ${JSON.stringify(text)}):\n${readFileSync(logFile, 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function sshdConfig(dir: string, port: number, pidFile: string, env: Record<string, string>): string {
  // One SetEnv line: sshd takes a keyword's first value only.
  const setEnv = `SetEnv ${Object.entries(env).map(([key, value]) => `${key}="${value.replace(/"/g, '')}"`).join(' ')}`;
  return [
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
  ].join('\n');
}

/** The sshd processes below `root` (its per-connection children), never what they started. */
function sshdDescendants(root: number): number[] {
  const processes = new Map<number, { ppid: number; comm: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      processes.set(Number(entry), { ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), comm });
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [pid, info] of processes) {
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
