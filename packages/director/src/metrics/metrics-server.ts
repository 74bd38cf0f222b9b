/**
 * `GET /metrics` on 127.0.0.1 only (the numbers say what the fleet works on and what it costs: not
 * for the network), rendered afresh from the ledger at each scrape.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXPOSITION_CONTENT_TYPE } from './exposition.js';

export const METRICS_HOST = '127.0.0.1';

export interface MetricsServer {
  /** The port it listens on (the one asked for, or the one given for 0). */
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * @example
 * const server = await startMetricsServer({ port: 9464, render: () => ledgerMetricsText(ledgerPath) });
 */
export async function startMetricsServer(options: { port: number; render: () => string | Promise<string> }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('GET /metrics\n');
      return;
    }
    Promise.resolve()
      .then(options.render)
      .then(
        (text) => void res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE }).end(req.method === 'HEAD' ? undefined : text),
        (error: unknown) => void res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`the metrics could not be read: ${(error as Error).message}\n`),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, METRICS_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${METRICS_HOST}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
