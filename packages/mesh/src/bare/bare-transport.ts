/**
 * The protocol `Transport` of a bare host, answered in the hub's own process: the part of a
 * daemon's API the hub forwards (jobs, their output, cancel and wait; sessions, peek, send, stop;
 * health, status, capabilities and the event stream) from a `BareHost`, and for everything else a
 * `NOT_FOUND` that says what to install. A request whose exec lost the link throws
 * `HOST_UNREACHABLE`, as a daemon's transport throws when its channel drops, so a keyed dispatch is
 * retried.
 */
import {
  CreateJobRequestSchema,
  PROTOCOL_VERSION,
  ProtocolError,
  SendRequestSchema,
  isProtocolError,
  type Capabilities,
  type DaemonStatus,
  type Job,
  type LogChunk,
  type Transport,
  type TransportRequest,
  type TransportResponse,
  type TransportStream,
} from '@flotilla/protocol';
import { isLinkError } from '../link/link-errors.js';
import { BARE_AGENTS } from './bare-agents.js';
import type { BareHost } from './bare-host.js';
import { decodeUtf8Chunk } from './bare-result.js';
import { readOutputScript } from './bare-scripts.js';
import type { BareSessions } from './bare-sessions.js';

/** What `version` a bare host reports where a daemon reports cb's. */
export const BARE_VERSION = 'bare';
/** How many jobs `--any` counts a bare host able to run at once (it has no scheduler: jobs start at once). */
export const BARE_SLOTS = 4;
const LOG_CHUNK_BYTES = 256 * 1024;
const WAIT_DEFAULT_MS = 30_000;

type Handler = (match: string[], req: TransportRequest) => Promise<unknown> | unknown;
interface Route {
  method: TransportRequest['method'];
  path: RegExp;
  status?: number;
  handle: Handler;
}

export function createBareTransport(host: BareHost, sessions: BareSessions, startedAt: Date): Transport {
  const routes = bareRoutes(host, sessions, startedAt);
  return {
    async request(req) {
      try {
        for (const route of routes) {
          const match = route.method === req.method ? route.path.exec(req.path) : null;
          if (match) return json(route.status ?? 200, await route.handle(match.slice(1).map(decodeURIComponent), req));
        }
        throw host.notHere(`${req.method} ${req.path}`);
      } catch (error) {
        if (isLinkError(error)) throw new ProtocolError('HOST_UNREACHABLE', `${host.name}: ${error.message}`, { cause: error });
        if (isProtocolError(error)) return json(error.status, error.toEnvelope());
        return json(500, new ProtocolError('INTERNAL', (error as Error).message).toEnvelope());
      }
    },
    async stream(req): Promise<TransportStream> {
      if (req.method === 'GET' && req.path === '/api/events') {
        const last = Number(req.headers?.['last-event-id'] ?? Number.NaN);
        return host.feed.stream(Number.isSafeInteger(last) ? last : null, req.signal);
      }
      const envelope = JSON.stringify(host.notHere(`streaming ${req.path}`).toEnvelope());
      return { status: 404, headers: { 'content-type': 'application/json' }, chunks: (async function* () { yield envelope; })(), close: () => undefined };
    },
  };
}

function json(status: number, body: unknown): TransportResponse {
  return { status, headers: { 'content-type': 'application/json' }, body };
}

function bareRoutes(host: BareHost, sessions: BareSessions, startedAt: Date): Route[] {
  const status = (): DaemonStatus => {
    const jobs = host.listJobs();
    return {
      pid: 0,
      version: BARE_VERSION,
      protocol: PROTOCOL_VERSION,
      host: host.name,
      home: '${FLOTILLA_HOME:-~/.flotilla}/bare',
      socket: '',
      startedAt: startedAt.toISOString(),
      uptimeMs: Math.max(0, host.now().getTime() - startedAt.getTime()),
      httpUrl: null,
      slots: BARE_SLOTS,
      running: jobs.filter((job) => job.status === 'running' || job.status === 'starting').length,
      queued: jobs.filter((job) => job.status === 'queued').length,
      bare: true,
    };
  };
  const capabilities = (): Capabilities => ({
    kind: 'daemon',
    host: host.name,
    version: BARE_VERSION,
    protocol: PROTOCOL_VERSION,
    agents: [...BARE_AGENTS],
    addons: [],
    features: ['bare'],
  });
  const query = (req: TransportRequest, key: string): string | undefined => {
    const value = req.query?.[key];
    return value === undefined ? undefined : String(value);
  };
  return [
    { method: 'GET', path: /^\/health$/, handle: () => ({ pid: 0, version: BARE_VERSION, protocol: PROTOCOL_VERSION }) },
    { method: 'GET', path: /^\/api\/(?:daemon|status)$/, handle: status },
    { method: 'GET', path: /^\/api\/capabilities$/, handle: capabilities },
    { method: 'GET', path: /^\/api\/pauses$/, handle: () => [] },
    { method: 'GET', path: /^\/api\/jobs$/, handle: (_m, req) => jobPage(host.listJobs(), Number(query(req, 'limit') ?? 50), query(req, 'cursor')) },
    { method: 'POST', path: /^\/api\/jobs$/, status: 201, handle: (_m, req) => host.createJob(parseBody(CreateJobRequestSchema, req.body)) },
    { method: 'GET', path: /^\/api\/jobs\/([^/]+)$/, handle: ([id]) => host.job(id!) },
    { method: 'POST', path: /^\/api\/jobs\/([^/]+)\/cancel$/, handle: ([id]) => host.cancelJob(id!) },
    { method: 'GET', path: /^\/api\/jobs\/([^/]+)\/wait$/, handle: ([id], req) => host.waitJob(id!, Number(query(req, 'timeoutMs') ?? WAIT_DEFAULT_MS)) },
    { method: 'GET', path: /^\/api\/jobs\/([^/]+)\/log$/, handle: ([id], req) => readLog(host, id!, Number(query(req, 'offset') ?? 0)) },
    { method: 'POST', path: /^\/api\/sessions$/, status: 201, handle: (_m, req) => sessions.create(req.body) },
    { method: 'GET', path: /^\/api\/sessions$/, handle: (_m, req) => sessions.list(['true', '1'].includes(query(req, 'all') ?? '')) },
    { method: 'GET', path: /^\/api\/sessions\/([^/]+)$/, handle: ([name]) => sessions.get(name!) },
    { method: 'DELETE', path: /^\/api\/sessions\/([^/]+)$/, handle: ([name]) => sessions.stop(name!) },
    { method: 'POST', path: /^\/api\/sessions\/([^/]+)\/stop$/, handle: ([name]) => sessions.stop(name!) },
    { method: 'GET', path: /^\/api\/sessions\/([^/]+)\/peek$/, handle: ([name], req) => sessions.peek(name!, optionalNumber(query(req, 'lines'))) },
    { method: 'POST', path: /^\/api\/sessions\/([^/]+)\/send$/, handle: ([name], req) => sessions.send(name!, parseBody(SendRequestSchema, req.body)) },
  ];
}

function parseBody<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ProtocolError('VALIDATION_FAILED', parsed.error.issues.map((issue) => issue.message).join('; '));
  return parsed.data;
}

function optionalNumber(text: string | undefined): number | undefined {
  const value = Number(text);
  return text === undefined || !Number.isFinite(value) ? undefined : value;
}

/** A page of jobs, newest first; the cursor is the last id of the previous page. */
export function jobPage(jobs: readonly Job[], limit: number, cursor: string | undefined): { items: Job[]; nextCursor: string | null } {
  const size = Number.isInteger(limit) && limit > 0 ? Math.min(limit, 500) : 50;
  const start = cursor ? jobs.findIndex((job) => job.id === cursor) + 1 : 0;
  const items = jobs.slice(start, start + size);
  return { items, nextCursor: start + size < jobs.length ? (items.at(-1)?.id ?? null) : null };
}

async function readLog(host: BareHost, id: string, offset: number): Promise<LogChunk> {
  const job = host.job(id);
  const from = Number.isInteger(offset) && offset >= 0 ? offset : 0;
  const { stdout } = await host.run(readOutputScript(job.id, from, LOG_CHUNK_BYTES));
  const [first = 'S 0', ...rest] = stdout.split('\n');
  const size = Number(/^S (\d+)/.exec(first)?.[1] ?? 0);
  const { text, bytes } = decodeUtf8Chunk(rest.join(''));
  const nextOffset = Math.min(size, from + bytes);
  return { attempt: 1, offset: from, nextOffset, data: text, complete: job.endedAt !== null && nextOffset >= size };
}
