/**
 * Reverse forwarding of unix sockets (`ssh -R /remote.sock:…`, `streamlocal-forward@openssh.com`):
 * the host's processes connect to a socket file on the host and reach a handler in this process.
 * sshd leaves the socket file behind when a connection drops (StreamLocalBindUnlink defaults to
 * no), so a stale file is removed with `rm -f` before every bind, and every registered socket is
 * bound again on each new connection.
 */
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { shellQuote } from '@flotilla/kit/tmux';
import { LinkError } from './link-errors.js';

export type ReverseHandler = (stream: Duplex) => void;

export interface ReverseForwards {
  /** Listens on every registered path over a new connection; failures go to `onError`. */
  establishAll(client: Client): Promise<void>;
  /** Registers `path` and binds it now when `client` is given (rejects if that fails). */
  add(path: string, handler: ReverseHandler, client: Client | null): Promise<void>;
  /** Unregisters `path`, unbinding it and removing its socket file when `client` is given. */
  remove(path: string, client: Client | null): Promise<void>;
}

export function createReverseForwards(hostName: string, run: (client: Client, command: string) => Promise<unknown>, onError: (message: string) => void): ReverseForwards {
  const handlers = new Map<string, ReverseHandler>();
  const wired = new WeakSet<Client>();
  const wire = (client: Client): void => {
    if (wired.has(client)) return;
    wired.add(client);
    client.on('unix connection', (info, accept, reject) => {
      const handler = handlers.get(info.socketPath);
      if (handler === undefined) return reject();
      handler(accept());
    });
  };
  const bind = async (client: Client, path: string): Promise<void> => {
    wire(client);
    await run(client, shellQuote(['rm', '-f', '--', path]));
    await new Promise<void>((resolve, reject) => {
      client.openssh_forwardInStreamLocal(path, (error) => {
        if (error) reject(new LinkError('CHANNEL_FAILED', `cannot listen on ${path} on ${hostName}: ${error.message}`, { cause: error }));
        else resolve();
      });
    });
  };
  return {
    establishAll: async (client) => {
      await Promise.all(
        [...handlers.keys()].map((path) => bind(client, path).catch((error: Error) => onError(error.message))),
      );
    },
    add: async (path, handler, client) => {
      if (handlers.has(path)) throw new LinkError('CHANNEL_FAILED', `${path} on ${hostName} is already served by this link`);
      handlers.set(path, handler);
      if (client === null) return;
      try {
        await bind(client, path);
      } catch (error) {
        handlers.delete(path);
        throw error;
      }
    },
    remove: async (path, client) => {
      if (!handlers.delete(path) || client === null) return;
      await new Promise<void>((resolve) => client.openssh_unforwardInStreamLocal(path, () => resolve()));
      await run(client, shellQuote(['rm', '-f', '--', path]));
    },
  };
}
