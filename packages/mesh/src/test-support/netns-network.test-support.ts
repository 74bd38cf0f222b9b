// Tests only: the network under the namespace hosts — a bridge and a /24 of its own per call, so
// several vitest workers (and several engineers) can run namespace hosts at the same time.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One directory per network in use: mkdir is the atomic claim; `owner` holds the claimer's pid. */
const LEASE_ROOT = '/tmp/flotilla-netns';
/** Networks are 10.77.<index>.0/24, index 1..250; the bridge is .1, host n is .(10+n). */
const FIRST_INDEX = 1;
const LAST_INDEX = 250;

export interface NetworkLease {
  index: number;
  /** Namespace names start with this (`fl<index>`). */
  namePrefix: string;
  /** Interface names start with this (≤ 15 characters in all). */
  shortPrefix: string;
  bridge: string;
  hostIp(n: number): string;
  /** Creates namespace `namespace` with `eth0` = `ip`/24 on the bridge; `veth` is the bridge-side end. */
  addNamespace(namespace: string, veth: string, ip: string): void;
  /** Deletes the namespaces and the bridge and gives the index back. */
  release(): void;
}

/** Claims a free network index and creates its bridge (deleting one a crashed run left behind). */
export function allocateNetwork(): NetworkLease {
  mkdirSync(LEASE_ROOT, { recursive: true });
  for (let index = FIRST_INDEX; index <= LAST_INDEX; index += 1) {
    if (claim(index)) return createLease(index);
  }
  throw new Error(`no free namespace network: ${LEASE_ROOT} holds ${LAST_INDEX} live claims`);
}

function claim(index: number): boolean {
  const dir = join(LEASE_ROOT, String(index));
  try {
    mkdirSync(dir);
  } catch {
    if (!takeOverStale(dir)) return false;
    try {
      mkdirSync(dir);
    } catch {
      return false;
    }
  }
  writeFileSync(join(dir, 'owner'), String(process.pid));
  return true;
}

/** A claim whose owner is dead (a crashed run) is moved aside; rename lets only one taker win. */
function takeOverStale(dir: string): boolean {
  let owner: number;
  try {
    owner = Number.parseInt(readFileSync(join(dir, 'owner'), 'utf8'), 10);
  } catch {
    return false; // being claimed right now (owner not written yet), or gone
  }
  if (Number.isInteger(owner) && isAlive(owner)) return false;
  const aside = `${dir}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(dir, aside);
  } catch {
    return false;
  }
  rmSync(aside, { recursive: true, force: true });
  return true;
}

function createLease(index: number): NetworkLease {
  const prefix = `fl${index}`;
  const bridge = `flbr${index}`;
  const subnet = `10.77.${index}`;
  const namespaces: string[] = [];
  // Whatever a crashed run with this index left: its namespaces (and with them their veths) and bridge.
  for (const stale of listNamespaces().filter((name) => name.startsWith(`${prefix}-`))) ip(['netns', 'del', stale], true);
  ip(['link', 'del', bridge], true);
  ip(['link', 'add', bridge, 'type', 'bridge']);
  ip(['addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
  ip(['link', 'set', bridge, 'up']);
  return {
    index,
    namePrefix: prefix,
    shortPrefix: prefix,
    bridge,
    hostIp: (n) => `${subnet}.${10 + n}`,
    addNamespace: (namespace, veth, address) => {
      const peer = `${veth}p`;
      ip(['netns', 'del', namespace], true);
      ip(['link', 'del', veth], true);
      ip(['netns', 'add', namespace]);
      namespaces.push(namespace);
      ip(['link', 'add', veth, 'type', 'veth', 'peer', 'name', peer]);
      ip(['link', 'set', veth, 'master', bridge]);
      ip(['link', 'set', veth, 'up']);
      ip(['link', 'set', peer, 'netns', namespace]);
      ip(['-n', namespace, 'link', 'set', peer, 'name', 'eth0']);
      ip(['-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      ip(['-n', namespace, 'link', 'set', 'eth0', 'up']);
      ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
    },
    release: () => {
      for (const namespace of namespaces) ip(['netns', 'del', namespace], true);
      ip(['link', 'del', bridge], true);
      rmSync(join(LEASE_ROOT, String(index)), { recursive: true, force: true });
    },
  };
}

function listNamespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(Boolean);
}

function ip(args: string[], ignoreFailure = false): void {
  try {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    if (!ignoreFailure) throw new Error(`ip ${args.join(' ')} failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`);
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
