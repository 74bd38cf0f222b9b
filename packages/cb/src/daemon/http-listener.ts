/**
 * The daemon's loopback HTTP listener (`cb serve`). The port it was asked for is remembered in
 * `serve.json`, and a restarted daemon listens there again: an open dashboard reconnects by itself
 * after `cb daemon stop` / a crash / an upgrade, with no new `cb serve`.
 */
import { readFileSync } from 'node:fs';
import createDebug from 'debug';
import type { WebSocketServer } from 'ws';
import { writeFileAtomic } from '@flotilla/kit/fs';
import { serveOnPort, type FetchHandler, type PortServer } from '@flotilla/kit/http';

const debug = createDebug('cb:http');

export interface HttpListener {
  /** Listens on 127.0.0.1:port (0: any free port; an existing listener is kept when it fits) and remembers the port. */
  serve(port: number): Promise<string>;
  /** Listens on the remembered port, if any; a port now taken is logged and skipped. */
  resume(): Promise<void>;
  url(): string | null;
  close(): Promise<void>;
}

export function createHttpListener(options: { fetch: FetchHandler; wss: WebSocketServer; recordPath: string }): HttpListener {
  let server: PortServer | null = null;
  async function listen(port: number): Promise<PortServer> {
    if (server && (port === 0 || server.port === port)) return server;
    await server?.close();
    server = null;
    server = await serveOnPort(options.fetch, { port, hostname: '127.0.0.1', websocket: { server: options.wss } });
    return server;
  }
  return {
    async serve(port) {
      const listening = await listen(port);
      await writeFileAtomic(options.recordPath, JSON.stringify({ port: listening.port }) + '\n', { mode: 0o600 });
      return listening.url;
    },
    async resume() {
      const port = rememberedPort(options.recordPath);
      if (port === null) return;
      try {
        await listen(port);
        debug('listening again on %s', server?.url);
      } catch (error) {
        debug('could not listen on the remembered port %d: %o', port, error);
      }
    },
    url: () => server?.url ?? null,
    close: async () => {
      await server?.close();
    },
  };
}

function rememberedPort(path: string): number | null {
  try {
    const port = (JSON.parse(readFileSync(path, 'utf8')) as { port?: unknown }).port;
    return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
  } catch {
    return null;
  }
}
