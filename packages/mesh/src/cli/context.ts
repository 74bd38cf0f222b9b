import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CliStreams } from '@flotilla/kit/cli';
import type { Transport } from '@flotilla/protocol';

export { ExitError, printJson, printLine, UsageError, type OutputStream } from '@flotilla/kit/cli';

export type MeshStreams = CliStreams;

/** Where the hub keeps its files: `hub.db`, `hosts.json`, the CLI socket and the token. */
export interface HubPaths {
  home: string;
  db: string;
  hosts: string;
  socket: string;
  token: string;
  log: string;
}

/** Everything a `mesh` command touches outside itself, injected so tests can replace it. */
export interface MeshCliContext {
  env: Readonly<Record<string, string | undefined>>;
  streams: MeshStreams;
  paths: HubPaths;
  /** A transport to the hub: `--hub URL` (token from FLOTILLA_HUB_TOKEN) or `$FLOTILLA_HOME/mesh.sock`. */
  hub(options?: { url?: string }): Promise<Transport>;
  now(): number;
}

export function hubPaths(env: Readonly<Record<string, string | undefined>> = process.env): HubPaths {
  const home = resolve(env.FLOTILLA_HOME || join(homedir(), '.flotilla'));
  return {
    home,
    db: join(home, 'hub.db'),
    hosts: join(home, 'hosts.json'),
    socket: join(home, 'mesh.sock'),
    token: join(home, 'hub-token'),
    log: join(home, 'hub.log'),
  };
}

export function processContext(): MeshCliContext {
  const env = process.env;
  const paths = hubPaths(env);
  return {
    env,
    streams: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
    paths,
    hub: async (options = {}) => {
      const { createHttpTransport, createSocketTransport } = await import('@flotilla/kit/transport');
      const headers = { 'x-flotilla-client': 'mesh' };
      const url = options.url ?? env.FLOTILLA_HUB;
      if (url) return createHttpTransport(url, { token: env.FLOTILLA_HUB_TOKEN, headers });
      return createSocketTransport(paths.socket, { headers });
    },
    now: () => Date.now(),
  };
}
