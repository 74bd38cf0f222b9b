/**
 * A `HostLink` to the hub's own machine, without SSH: the daemon's socket directly, commands
 * through `sh -c`, the reverse socket as a plain unix-socket server, files copied. It serves a host
 * entry `local` (or a daemon under another FLOTILLA_HOME on this machine) with the same code path
 * as a remote host.
 */
import { execFile } from 'node:child_process';
import { copyFile, rm } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { createSocketTransport } from '@flotilla/kit/transport';
import type { ExecOptions, ExecResult, HostLink, LinkStatus } from '../link/host-link.js';

export interface LocalLinkOptions {
  name: string;
  /** The environment commands run with (e.g. another FLOTILLA_HOME and FLOTILLA_HOST_NAME). */
  env?: Record<string, string | undefined>;
}

export function createLocalLink(options: LocalLinkOptions): HostLink {
  const env = { ...process.env, ...options.env };
  const status: LinkStatus = { state: 'up', since: new Date().toISOString(), error: null, hostKey: null };
  const servers = new Set<Server>();
  return {
    name: options.name,
    status: () => ({ ...status }),
    onStatus: () => () => undefined,
    ready: async () => undefined,
    transport: (socketPath, transportOptions) => createSocketTransport(socketPath, { headers: transportOptions?.headers }),
    openStream: (socketPath) =>
      new Promise((resolve, reject) => {
        const socket = connect({ path: socketPath });
        socket.once('connect', () => {
          socket.off('error', reject);
          resolve(socket);
        });
        socket.once('error', reject);
      }),
    exec: (command, execOptions) => runShell(command, env, execOptions),
    serveReverse: async (socketPath, onConnection: (stream: Duplex) => void) => {
      await rm(socketPath, { force: true });
      const server = createServer((socket) => onConnection(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, () => resolve());
      });
      servers.add(server);
      return async () => {
        servers.delete(server);
        await new Promise<void>((resolve) => server.close(() => resolve()));
      };
    },
    putFile: (from, to) => copyFile(from, to),
    getFile: (from, to) => copyFile(from, to),
    close: async () => {
      await Promise.all([...servers].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      servers.clear();
    },
  };
}

function runShell(command: string, env: NodeJS.ProcessEnv, options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile('/bin/sh', ['-c', command], { env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const failure = error as (Error & { code?: unknown; signal?: string | null; killed?: boolean }) | null;
      if (failure && typeof failure.code !== 'number' && !failure.signal) return reject(failure);
      resolve({
        code: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0,
        signal: failure?.signal ?? null,
        stdout,
        stderr,
      });
    });
    // A command that exits without reading its input closes the pipe: its exit status says what happened.
    child.stdin?.on('error', () => undefined);
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    else child.stdin?.end();
  });
}
