import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Transport } from '@flotilla/protocol';

/** The user-facing output of the CLI, injected so tests can capture it. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface MeshStreams {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: AsyncIterable<string | Buffer> & { isTTY?: boolean };
}

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

/** Prints exactly one JSON document. */
export function printJson(out: OutputStream, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(out: OutputStream, text = ''): void {
  out.write(`${text}\n`);
}

/** Ends the CLI with `exitCode` after whatever needed saying was printed (e.g. 3: nothing to claim). */
export class ExitError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message = '') {
    super(message);
    this.name = 'ExitError';
    this.exitCode = exitCode;
  }
}

/** The user asked for something malformed. Exit code 2. */
export class UsageError extends Error {
  readonly fix: string | undefined;
  constructor(message: string, fix?: string) {
    super(message);
    this.name = 'UsageError';
    this.fix = fix;
  }
}
