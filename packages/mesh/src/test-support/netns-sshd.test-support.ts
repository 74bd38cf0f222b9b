// Tests only: one OpenSSH sshd inside a namespace host, its environment set by sshd_config.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readPid, stopSshd as stopSshdByPidFile } from './sshd.test-support.js';

const run = promisify(execFile);
const PID_POLL_MS = 25;
const START_TIMEOUT_MS = 10_000;

interface SshdHost {
  name: string;
  ip: string;
  namespace: string;
  dir: string;
  home: string;
  tmuxDir: string;
  hostKey: { path: string };
}

/** The SSH user's HOME on a namespace host: a directory of its own, as on another machine. */
export function userHomeOf(host: { dir: string }): string {
  return join(host.dir, 'user-home');
}

/**
 * A namespace host user's ~/.bashrc: small, but doing what users' do. bash sources it for every
 * command sshd runs (the product must cope with that); the test machine's own ~/.bashrc (root's,
 * e.g. `pyenv init`, seconds a command on a loaded machine) is not this host's.
 */
export const USER_BASHRC = [
  '# a namespace host user\'s ~/.bashrc',
  'export PATH="$HOME/.local/bin:$PATH"',
  "alias ll='ls -l'",
  '',
].join('\n');

/** Creates the host user's HOME (see `userHomeOf`) with its ~/.bashrc. */
export function makeUserHome(host: { dir: string }): string {
  const home = userHomeOf(host);
  mkdirSync(join(home, '.local', 'bin'), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, '.bashrc'), USER_BASHRC);
  return home;
}

/**
 * sshd listening on the host's address only, with the host user's own HOME, the host's
 * FLOTILLA_HOME, TMUX_TMPDIR, name and a PATH whose first directory holds `cb`. SetEnv wins over
 * sshd's own HOME and PATH for exec sessions.
 */
export function sshdConfig(host: SshdHost, binDir: string, extra: readonly string[]): string {
  return [
    `ListenAddress ${host.ip}`,
    'Port 22',
    `HostKey ${host.hostKey.path}`,
    `PidFile ${join(host.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(host.dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'UsePAM no',
    'StrictModes no',
    'Subsystem sftp internal-sftp',
    `SetEnv HOME=${userHomeOf(host)} FLOTILLA_HOME=${host.home} TMUX_TMPDIR=${host.tmuxDir} FLOTILLA_HOST_NAME=${host.name} PATH=${binDir}:/usr/local/bin:/usr/bin:/bin`,
    ...extra,
    '',
  ].join('\n');
}

export async function startSshdIn(host: SshdHost): Promise<void> {
  const pidFile = join(host.dir, 'sshd.pid');
  const log = join(host.dir, 'sshd.log');
  rmSync(pidFile, { force: true });
  await run('ip', ['netns', 'exec', host.namespace, '/usr/sbin/sshd', '-f', join(host.dir, 'sshd_config'), '-E', log]);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (readPid(pidFile) === undefined) {
    if (Date.now() > deadline) throw new Error(`sshd of ${host.name} did not start: ${readFileSync(log, 'utf8')}`);
    await sleep(PID_POLL_MS);
  }
}

/** Stops the listening sshd (sessions it forked live on until the namespace's processes are killed). */
export async function stopSshd(host: SshdHost): Promise<void> {
  await stopSshdByPidFile(join(host.dir, 'sshd.pid'));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
