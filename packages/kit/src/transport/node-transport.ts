// On the CLI's start-up path: node built-ins and type-only imports only (no hono, zod or debug).
import { request as httpRequest, type Agent, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import type { Transport, TransportRequest, TransportResponse, TransportStream } from '@flotilla/protocol';
import { KitError, errnoCode, isKitError } from '../internal/errors.js';

export type TransportErrorCode = 'DAEMON_UNAVAILABLE' | 'TRANSPORT_ABORTED' | 'TRANSPORT_FAILED';

/**
 * Where requests go: a unix socket, an http(s) origin with an optional path prefix, or whatever
 * connections an `http.Agent` makes (`label` names the far end in errors).
 */
export type TransportTarget =
  | { kind: 'socket'; socketPath: string }
  | { kind: 'url'; url: URL }
  | { kind: 'agent'; agent: Agent; label: string };

type RequestFn = (options: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest;

/** Connection errors that mean "nobody is listening there". */
const UNAVAILABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENOTFOUND', 'EADDRNOTAVAIL']);
/** How a response ends early when we (or the server) close a stream; not an error for a stream. */
const STREAM_END = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'ABORT_ERR']);

/** Builds a `Transport` over node:http for `target`, adding `defaultHeaders` to every request. */
export function createNodeTransport(target: TransportTarget, defaultHeaders: Record<string, string>): Transport {
  return {
    async request(req: TransportRequest): Promise<TransportResponse> {
      const res = await open(target, req, { accept: 'application/json', ...defaultHeaders });
      const text = await readAll(res, req.signal);
      const headers = flattenHeaders(res);
      return { status: res.statusCode ?? 0, headers, body: parseBody(text, headers['content-type']) };
    },
    async stream(req: TransportRequest): Promise<TransportStream> {
      const res = await open(target, req, { accept: 'text/event-stream, text/plain, */*', ...defaultHeaders });
      let closed = false;
      const close = (): void => {
        closed = true;
        res.destroy();
      };
      req.signal?.addEventListener('abort', close, { once: true });
      res.once('close', () => req.signal?.removeEventListener('abort', close));
      return { status: res.statusCode ?? 0, headers: flattenHeaders(res), chunks: decode(res, () => closed), close };
    },
  };
}

async function* decode(res: IncomingMessage, isClosed: () => boolean): AsyncGenerator<string> {
  res.setEncoding('utf8');
  try {
    for await (const chunk of res) yield chunk as string;
  } catch (error) {
    // Closing (ours or the server's) ends the stream; anything else is a real failure.
    if (isClosed() || STREAM_END.has(errnoCode(error) ?? '') || res.aborted) return;
    throw new KitError<TransportErrorCode>('TRANSPORT_FAILED', `stream failed: ${(error as Error).message}`, { cause: error });
  } finally {
    res.destroy();
  }
}

async function open(target: TransportTarget, req: TransportRequest, baseHeaders: Record<string, string>): Promise<IncomingMessage> {
  const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body), 'utf8');
  const headers: Record<string, string> = { ...baseHeaders, ...req.headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(body.length);
  }
  const { requestFn, options } = await requestOptions(target, pathWithQuery(target, req));
  return new Promise((resolve, reject) => {
    const request = requestFn({ ...options, method: req.method, headers, signal: req.signal }, resolve);
    request.once('error', (error) => reject(toTransportError(error, target, req.signal)));
    request.end(body);
  });
}

async function requestOptions(target: TransportTarget, path: string): Promise<{ requestFn: RequestFn; options: RequestOptions }> {
  // `servername: ''` spares node's agent a net.isIP('localhost') call per request (~10 ms on a cold start).
  if (target.kind === 'agent') return { requestFn: httpRequest, options: { agent: target.agent, host: 'localhost', path } };
  if (target.kind === 'socket') return { requestFn: httpRequest, options: { socketPath: target.socketPath, path, ...({ servername: '' } as RequestOptions) } };
  const { url } = target;
  const requestFn: RequestFn = url.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { requestFn, options: { protocol: url.protocol, hostname, port: url.port || undefined, path } };
}

function pathWithQuery(target: TransportTarget, req: TransportRequest): string {
  const prefix = target.kind === 'url' ? target.url.pathname.replace(/\/+$/, '') : '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(req.query ?? {})) {
    if (value !== undefined) params.append(key, String(value));
  }
  const query = params.toString();
  return `${prefix}${req.path}${query === '' ? '' : `?${query}`}`;
}

function readAll(res: IncomingMessage, signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.once('error', (error) => reject(toTransportError(error, undefined, signal)));
    res.once('aborted', () => reject(new KitError<TransportErrorCode>('TRANSPORT_FAILED', 'the connection closed mid-response')));
  });
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '' || contentType === undefined || !/[/+]json\b/i.test(contentType)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function flattenHeaders(res: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function toTransportError(error: unknown, target: TransportTarget | undefined, signal: AbortSignal | undefined): KitError<TransportErrorCode> {
  if (signal?.aborted) return new KitError('TRANSPORT_ABORTED', 'the request was aborted', { cause: signal.reason });
  // An agent's connection factory reports its own failures (e.g. DAEMON_UNAVAILABLE): keep them.
  if (isKitError<TransportErrorCode>(error)) return error;
  const code = errnoCode(error) ?? '';
  if (target !== undefined && UNAVAILABLE.has(code)) {
    const where = target.kind === 'socket' ? target.socketPath : target.kind === 'url' ? target.url.origin : target.label;
    return new KitError('DAEMON_UNAVAILABLE', `nothing is listening on ${where} (${code}); is the daemon running?`, { cause: error });
  }
  return new KitError('TRANSPORT_FAILED', `request failed: ${(error as Error).message}`, { cause: error });
}
