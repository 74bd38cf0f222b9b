// Tests only: a throwaway OpenSSH sshd on 127.0.0.1 (see ../shared/environment.md, "sshd on loopback").
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** sshd daemonizes before its pid file appears; poll this often, this long, before giving up. */
const PID_POLL_MS = 25;
const START_TIMEOUT_MS = 10_000;

export type SshKeyKind = 'ed25519' | 'ecdsa' | 'rsa';

/** A key pair made by `ssh-keygen -N ''`: the private key path and the `.pub` line. */
export interface GeneratedKey {
  path: string;
  publicLine: string;
  /** The wire-format public key, as ssh2's `hostVerifier` receives it. */
  blob: Buffer;
}

/** Generates an unencrypted key pair with the real `ssh-keygen`. */
export async function generateKey(path: string, kind: SshKeyKind = 'ed25519'): Promise<GeneratedKey> {
  const bits = kind === 'rsa' ? ['-b', '2048'] : [];
  await run('ssh-keygen', ['-q', '-t', kind, ...bits, '-N', '', '-C', `test-${kind}`, '-f', path]);
  const publicLine = readFileSync(`${path}.pub`, 'utf8').trim();
  return { path, publicLine, blob: Buffer.from(publicLine.split(' ')[1] ?? '', 'base64') };
}

export interface LoopbackSshd extends AsyncDisposable {
  host: '127.0.0.1';
  port: number;
  dir: string;
  /** The client key that `authorized_keys` accepts. */
  clientKey: GeneratedKey;
  /** The first host key sshd serves now. */
  hostKey: GeneratedKey;
  /** Every host key sshd serves now, one per kind asked for. */
  hostKeys: GeneratedKey[];
  /** Stops sshd and starts it again on the same port with only this host key (a reinstalled host). */
  restartWithHostKey(key: GeneratedKey): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `/usr/sbin/sshd` on a free loopback port with generated host keys; `await using` it. */
export async function startLoopbackSshd(options: { hostKeyKinds?: SshKeyKind[] } = {}): Promise<LoopbackSshd> {
  mkdirSync('/run/sshd', { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'mesh-sshd-'));
  const clientKey = await generateKey(join(dir, 'client_key'));
  writeFileSync(join(dir, 'authorized_keys'), `${clientKey.publicLine}\n`, { mode: 0o600 });
  const port = await freePort();
  const kinds = options.hostKeyKinds ?? ['ed25519'];
  let hostKeys = await Promise.all(kinds.map((kind, index) => generateKey(join(dir, `host_key_${index}`), kind)));
  let running = false;
  const stop = async (): Promise<void> => {
    if (!running) return;
    running = false;
    await stopSshd(join(dir, 'sshd.pid'));
  };
  const start = async (keys: GeneratedKey[]): Promise<void> => {
    writeFileSync(join(dir, 'sshd_config'), sshdConfig(dir, port, keys));
    await startSshd(dir);
    running = true;
    hostKeys = keys;
  };
  await start(hostKeys);
  return {
    host: '127.0.0.1',
    port,
    dir,
    clientKey,
    get hostKey() {
      const [first] = hostKeys;
      if (first === undefined) throw new Error('sshd has no host key');
      return first;
    },
    get hostKeys() {
      return hostKeys;
    },
    restartWithHostKey: async (key) => {
      await stop();
      await start([key]);
    },
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function sshdConfig(dir: string, port: number, hostKeys: readonly GeneratedKey[]): string {
  return [
    'ListenAddress 127.0.0.1',
    `Port ${port}`,
    ...hostKeys.map((key) => `HostKey ${key.path}`),
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'UsePAM no',
    'StrictModes no',
    '',
  ].join('\n');
}

async function startSshd(dir: string): Promise<void> {
  const pidFile = join(dir, 'sshd.pid');
  rmSync(pidFile, { force: true });
  await run('/usr/sbin/sshd', ['-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')]);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (readPid(pidFile) === undefined) {
    if (Date.now() > deadline) throw new Error(`sshd did not start: ${readFileSync(join(dir, 'sshd.log'), 'utf8')}`);
    await sleep(PID_POLL_MS);
  }
}

/** Kills sshd by its pid file and waits until the process is gone, so the port is free again. */
export async function stopSshd(pidFile: string): Promise<void> {
  const pid = readPid(pidFile);
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (isAlive(pid) && Date.now() < deadline) await sleep(PID_POLL_MS);
}

export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A port the kernel just handed out on 127.0.0.1; sshd binds it right after. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
