// Tests only: "hosts" that are network namespaces, each with its own OpenSSH sshd, FLOTILLA_HOME
// and tmux server (see ../shared/environment.md, "sshd in network namespaces"). Root only.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SshConfigOptions } from '../ssh/ssh-config.js';
import { knownHostsLine } from '../ssh/known-hosts.js';
import { generateKey, type GeneratedKey } from './sshd.test-support.js';
import { allocateNetwork, type NetworkLease } from './netns-network.test-support.js';
import { makeUserHome, sshdConfig, startSshdIn, stopSshd } from './netns-sshd.test-support.js';

const run = promisify(execFile);

/** The cb bin a host's PATH holds (as `cb`). */
export const CB_BIN = resolve(fileURLToPath(new URL('../../../cb/bin/cb.cjs', import.meta.url)));

/** Why the namespace hosts cannot run here, or null when they can. */
export function netnsUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  if (!existsSync('/usr/sbin/ip') && !existsSync('/sbin/ip') && !existsSync('/usr/bin/ip')) return 'no `ip` (iproute2)';
  if (!existsSync('/usr/sbin/sshd')) return 'no /usr/sbin/sshd (openssh-server)';
  if (!existsSync(CB_BIN)) return `no cb bin at ${CB_BIN}`;
  return namespacesWork();
}

let probed: string | null | undefined;

/** Root and iproute2 are not enough in every container: create and delete one namespace, once. */
function namespacesWork(): string | null {
  if (probed !== undefined) return probed;
  const name = `flprobe${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', name], { stdio: 'pipe' });
    probed = null;
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    probed = `cannot create a network namespace here (${stderr || (error as Error).message})`;
  }
  return probed;
}

export interface NetnsHost {
  /** The host's name: its FLOTILLA_HOST_NAME and its alias in `ssh_config`. */
  name: string;
  ip: string;
  namespace: string;
  /** The host-side end of its veth pair (what `cut` takes down). */
  veth: string;
  dir: string;
  /** Its FLOTILLA_HOME. */
  home: string;
  /** Its TMUX_TMPDIR. */
  tmuxDir: string;
  hostKey: GeneratedKey;
}

export interface NetnsHosts extends AsyncDisposable {
  hosts: NetnsHost[];
  dir: string;
  clientKey: GeneratedKey;
  /** Lists every host's key (plain names). */
  knownHostsPath: string;
  /** An alias per host, and `<host>-via-<first>` through the first host (ProxyJump) for the others. */
  sshConfigPath: string;
  /** Options for `resolveSshTarget` that read `sshConfigPath` only. */
  sshConfig: SshConfigOptions;
  host(name: string): NetnsHost;
  /** Runs `command` on the host with the real OpenSSH client (`ssh -F sshConfigPath`). */
  ssh(host: NetnsHost, command: string): Promise<{ stdout: string; stderr: string }>;
  /** Runs `argv` inside the host's network namespace (`ip netns exec`), e.g. `ss` to count its connections. */
  inNamespace(host: NetnsHost, argv: string[]): Promise<string>;
  /** Starts `cb daemon` there (over ssh) and returns `cb daemon status --json`. */
  startDaemon(host: NetnsHost): Promise<DaemonStatusJson>;
  /** Takes the host's link to the bridge down / up (`ip link set <veth> down|up`). */
  cut(host: NetnsHost): Promise<void>;
  restore(host: NetnsHost): Promise<void>;
  /**
   * Restarts the host's sshd, optionally with extra sshd_config lines (before the run's own: sshd
   * takes a keyword's first value) or a new host key (a reinstalled host).
   */
  restartSshd(host: NetnsHost, options?: { extraConfig?: string[]; hostKey?: GeneratedKey }): Promise<void>;
  down(): Promise<void>;
}

export interface DaemonStatusJson {
  pid: number;
  version: string;
  socket: string;
  [key: string]: unknown;
}

export interface StartNetnsHostsOptions {
  count: number;
  /** Host names are `<prefix><n>` (default `h`). */
  prefix?: string;
  /** Extra sshd_config lines for every host (e.g. `MaxSessions 10`). */
  sshdExtra?: string[];
}

/** Creates `count` namespace hosts on a bridge of their own; `await using` it (or call `down`). */
export async function startNetnsHosts(options: StartNetnsHostsOptions): Promise<NetnsHosts> {
  const reason = netnsUnavailableReason();
  if (reason !== null) throw new Error(`cannot start namespace hosts: ${reason}`);
  mkdirSync('/run/sshd', { recursive: true });
  const lease = allocateNetwork();
  const dir = mkdtempSync(join(tmpdir(), `mesh-netns-${lease.index}-`));
  const hosts: NetnsHost[] = [];
  let downed = false;
  const down = async (): Promise<void> => {
    if (downed) return;
    downed = true;
    await Promise.all(hosts.map((host) => stopHost(host)));
    lease.release();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const clientKey = await generateKey(join(dir, 'client_key'));
    const binDir = makeBinDir(dir);
    const prefix = options.prefix ?? 'h';
    for (let n = 1; n <= options.count; n += 1) {
      hosts.push(await startHost({ lease, dir, name: `${prefix}${n}`, n, clientKey, binDir, extra: options.sshdExtra ?? [] }));
    }
    return buildHosts({ dir, hosts, clientKey, lease, down, extra: options.sshdExtra ?? [] });
  } catch (error) {
    await down();
    throw error;
  }
}

function makeBinDir(dir: string): string {
  const binDir = join(dir, 'bin');
  mkdirSync(binDir);
  symlinkSync(CB_BIN, join(binDir, 'cb'));
  return binDir;
}

interface HostSetup {
  lease: NetworkLease;
  dir: string;
  name: string;
  n: number;
  clientKey: GeneratedKey;
  binDir: string;
  extra: string[];
}

async function startHost(setup: HostSetup): Promise<NetnsHost> {
  const { lease, n, name } = setup;
  const hostDir = join(setup.dir, name);
  const host: NetnsHost = {
    name,
    ip: lease.hostIp(n),
    namespace: `${lease.namePrefix}-${name}`,
    veth: `${lease.shortPrefix}v${n}`,
    dir: hostDir,
    home: join(hostDir, 'home'),
    tmuxDir: join(hostDir, 'tmux'),
    hostKey: { path: '', publicLine: '', blob: Buffer.alloc(0) },
  };
  for (const sub of [hostDir, host.home, host.tmuxDir]) mkdirSync(sub, { recursive: true, mode: 0o700 });
  makeUserHome(host);
  host.hostKey = await generateKey(join(hostDir, 'host_key'));
  writeFileSync(join(hostDir, 'authorized_keys'), `${setup.clientKey.publicLine}\n`, { mode: 0o600 });
  writeFileSync(join(hostDir, 'bin-path'), setup.binDir);
  lease.addNamespace(host.namespace, host.veth, host.ip);
  writeFileSync(join(hostDir, 'sshd_config'), sshdConfig(host, setup.binDir, setup.extra));
  await startSshdIn(host);
  return host;
}

function buildHosts(parts: { dir: string; hosts: NetnsHost[]; clientKey: GeneratedKey; lease: NetworkLease; down: () => Promise<void>; extra: string[] }): NetnsHosts {
  const { dir, hosts, clientKey } = parts;
  const knownHostsPath = join(dir, 'known_hosts');
  writeFileSync(knownHostsPath, hosts.map((host) => `${knownHostsLine({ host: host.ip, port: 22, key: host.hostKey.blob })}\n`).join(''), { mode: 0o600 });
  const sshConfigPath = join(dir, 'ssh_config');
  writeFileSync(sshConfigPath, clientConfig(hosts, clientKey.path, knownHostsPath));
  const clientHome = join(dir, 'client-home');
  mkdirSync(join(clientHome, '.ssh'), { recursive: true, mode: 0o700 });
  const byName = (name: string): NetnsHost => {
    const host = hosts.find((candidate) => candidate.name === name);
    if (host === undefined) throw new Error(`no namespace host ${name}`);
    return host;
  };
  const ssh = async (host: NetnsHost, command: string) => run('ssh', ['-F', sshConfigPath, host.name, command], { timeout: 60_000 });
  return {
    hosts,
    dir,
    clientKey,
    knownHostsPath,
    sshConfigPath,
    sshConfig: { home: clientHome, localUser: 'root', configPath: sshConfigPath },
    host: byName,
    ssh,
    inNamespace: async (host, argv) => (await run('ip', ['netns', 'exec', host.namespace, ...argv])).stdout,
    startDaemon: async (host) => {
      await ssh(host, 'cb daemon start');
      const { stdout } = await ssh(host, 'cb daemon status --json');
      return JSON.parse(stdout) as DaemonStatusJson;
    },
    cut: async (host) => {
      await run('ip', ['link', 'set', host.veth, 'down']);
    },
    restore: async (host) => {
      await run('ip', ['link', 'set', host.veth, 'up']);
    },
    restartSshd: async (host, options = {}) => {
      await stopSshd(host);
      if (options.hostKey !== undefined) host.hostKey = options.hostKey;
      const binDir = readFileSync(join(host.dir, 'bin-path'), 'utf8');
      writeFileSync(join(host.dir, 'sshd_config'), sshdConfig(host, binDir, [...(options.extraConfig ?? []), ...parts.extra]));
      await startSshdIn(host);
    },
    down: parts.down,
    [Symbol.asyncDispose]: parts.down,
  };
}

function clientConfig(hosts: readonly NetnsHost[], identityFile: string, knownHostsPath: string): string {
  const [first] = hosts;
  const lines: string[] = [];
  for (const host of hosts) lines.push(`Host ${host.name}`, `  HostName ${host.ip}`, '');
  for (const host of hosts.slice(1)) {
    if (first !== undefined) lines.push(`Host ${host.name}-via-${first.name}`, `  HostName ${host.ip}`, `  ProxyJump ${first.name}`, '');
  }
  lines.push(
    'Host *',
    '  User root',
    `  IdentityFile ${identityFile}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${knownHostsPath}`,
    '  GlobalKnownHostsFile none',
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    '  ConnectTimeout 10',
    '',
  );
  return lines.join('\n');
}

/** Stops the host's cb daemon, tmux server and sshd, then whatever still runs in its namespace. */
async function stopHost(host: NetnsHost): Promise<void> {
  const env = { ...process.env, FLOTILLA_HOME: host.home, TMUX_TMPDIR: host.tmuxDir, FLOTILLA_HOST_NAME: host.name };
  if (existsSync(join(host.home, 'cb.sock')) || existsSync(join(host.home, 'daemon.json'))) {
    await run('node', [CB_BIN, 'daemon', 'stop'], { env, timeout: 20_000 }).catch(() => undefined);
  }
  await run('tmux', ['-S', join(host.tmuxDir, 'tmux-0', 'default'), 'kill-server'], { env }).catch(() => undefined);
  await stopSshd(host);
  killNamespaceProcesses(host.namespace);
}

function killNamespaceProcesses(namespace: string): void {
  let pids: number[] = [];
  try {
    pids = execFileSync('ip', ['netns', 'pids', namespace], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
