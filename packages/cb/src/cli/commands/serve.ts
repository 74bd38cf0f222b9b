import { errorFromEnvelope, ProtocolError, type Transport } from '@flotilla/protocol';
import { printJson, printLine, type CliStreams } from '../streams.js';

export interface ServeOptions {
  /** Transport to the running daemon (started if needed). */
  transport: Transport;
  streams: CliStreams;
  port: number;
  json?: boolean;
  /** Aborted on SIGINT: then this returns and the daemon keeps serving. */
  signal: AbortSignal;
}

export interface ServeResult {
  url: string;
  token: string;
  /** The URL to open: `url` with the one-time token. */
  openUrl: string;
}

/**
 * `cb serve --port N`: asks the daemon to also listen on 127.0.0.1:N (`POST /api/daemon/serve`),
 * prints the URL with a one-time token as the first line, and stays in the foreground until
 * Ctrl-C. The daemon keeps running (and serving) afterwards.
 */
export async function serve(options: ServeOptions): Promise<ServeResult> {
  const res = await options.transport.request({ method: 'POST', path: '/api/daemon/serve', body: { port: options.port } });
  if (res.status >= 400) throw errorFromEnvelope(res.status, res.body);
  const body = res.body as { url?: unknown; token?: unknown } | null;
  if (typeof body?.url !== 'string' || typeof body.token !== 'string') {
    throw new ProtocolError('INTERNAL', `unexpected response to POST /api/daemon/serve: ${JSON.stringify(res.body)?.slice(0, 300)}`);
  }
  const result: ServeResult = {
    url: body.url,
    token: body.token,
    openUrl: `${body.url.replace(/\/+$/, '')}/?token=${encodeURIComponent(body.token)}`,
  };
  if (options.json) printJson(options.streams.stdout, result);
  else printLine(options.streams.stdout, result.openUrl);
  printLine(options.streams.stderr, 'serving; Ctrl-C to leave (the daemon keeps running)');
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  return result;
}
