// Tests only: several real `cb` daemons on this machine, each under its own FLOTILLA_HOME and host
// name, reached through local links — a fleet without SSH, for the hub's own logic.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLocalLink } from '../hub/local-link.js';
import type { HostEntry } from '../hub/host-connection.js';
import type { HostLink } from '../link/host-link.js';

const run = promisify(execFile);
export const CB_BIN = fileURLToPath(new URL('../../../cb/bin/cb.cjs', import.meta.url));

/** A custom agent that runs its prompt as a shell script: jobs that finish in milliseconds. */
export const SHELL_AGENT = { sh: { argv: ['sh', '-c', '{prompt}'], outputFormat: 'text' } };

export interface LocalHost {
  name: string;
  home: string;
  env: Record<string, string>;
}

export interface LocalFleet extends AsyncDisposable {
  dir: string;
  hubHome: string;
  hosts: LocalHost[];
  entries(): HostEntry[];
  openLink(entry: HostEntry): HostLink;
  /** Runs `cb …` as that host. */
  cb(host: LocalHost, ...args: string[]): Promise<string>;
  close(): Promise<void>;
}

export function startLocalFleet(names: readonly string[], options: { slots?: number } = {}): LocalFleet {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-fleet-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(CB_BIN, join(bin, 'cb'));
  const hosts = names.map((name) => {
    const home = join(dir, name);
    mkdirSync(home);
    writeFileSync(join(home, 'config.json'), JSON.stringify({ agents: SHELL_AGENT, notifySend: false, slots: options.slots ?? 4 }));
    const env = {
      FLOTILLA_HOME: home,
      FLOTILLA_HOST_NAME: `daemon-${name}`,
      FLOTILLA_DISCOVERY: 'off',
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    };
    return { name, home, env };
  });
  const hubHome = join(dir, 'hub');
  mkdirSync(hubHome);
  const cb = async (host: LocalHost, ...args: string[]): Promise<string> =>
    (await run(process.execPath, [CB_BIN, ...args], { env: { ...process.env, ...host.env } })).stdout;
  const close = async (): Promise<void> => {
    await Promise.all(hosts.map((host) => cb(host, 'daemon', 'stop').catch(() => undefined)));
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    dir,
    hubHome,
    hosts,
    entries: () => hosts.map((host) => ({ name: host.name, spec: `local:${host.name}`, target: 'local' })),
    openLink: (entry) => createLocalLink({ name: entry.name, env: hosts.find((host) => host.name === entry.name)!.env }),
    cb,
    close,
    [Symbol.asyncDispose]: close,
  };
}
