/**
 * The CLI's client of the daemon's relay (`/api/relay`): inside a job or session (FLOTILLA_JOB_TOKEN
 * set) every request carries the job token, so the daemon answers as that agent; outside, the CLI
 * is the user, as for every other command.
 */
import {
  ClaimNamedTaskResponseSchema,
  ClaimTaskResponseSchema,
  errorFromEnvelope,
  ProtocolError,
  MessageSchema,
  TaskSchema,
  type ClaimTaskResponse,
  type Message,
  type Task,
  type TaskStatus,
  type Transport,
  type TransportRequest,
} from '@flotilla/protocol';
import { z } from 'zod';
import { createSocketTransport } from '@flotilla/kit/transport';
import type { HomePaths } from '../home.js';
import { readDaemonRecord } from './daemon-client.js';

/**
 * Answered by the relay when the hub did not take the message yet: it waits in the daemon's queue.
 * `reason` says why (no hub connected, a hub asking to retry later, or a hub slower than `waitedMs`);
 * a daemon older than the reason sends neither.
 */
export const QueuedSchema = z.object({
  queued: z.literal(true),
  id: z.string(),
  reason: z.enum(['hub_not_connected', 'hub_busy', 'hub_slow']).optional(),
  waitedMs: z.number().int().nonnegative().optional(),
});
export type Queued = z.infer<typeof QueuedSchema>;

export interface RelayClient {
  list(query: { status?: TaskStatus[]; tag?: string }): Promise<Task[]>;
  add(request: { title: string; body?: string; tags?: string[]; priority?: Task['priority']; for?: string; after?: string[] }): Promise<Task>;
  show(ref: string): Promise<Task>;
  claim(request: { tags?: string[] }): Promise<ClaimTaskResponse>;
  /** This one task; the hub's CONFLICT (with `details.reason`) when it is not claimable. */
  claimNamed(ref: string): Promise<Task>;
  finish(ref: string, outcome: 'done' | 'fail', request: { note: string; token?: number }): Promise<Task>;
  handoff(ref: string, request: { to: string; note: string; branch?: string; token?: number }): Promise<Task>;
  message(request: { to: string; text: string }): Promise<Message | Queued>;
  channelPost(request: { text: string }): Promise<Message | Queued>;
}

/** The job token from the environment, if this runs inside a job or session. */
export function jobToken(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const token = env.FLOTILLA_JOB_TOKEN?.trim();
  return token ? token : undefined;
}

export function createRelayClient(transport: Transport, token?: string): RelayClient {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  async function call<T extends z.ZodType>(schema: T, req: TransportRequest): Promise<z.infer<T>> {
    const res = await transport.request({ ...req, headers: { ...req.headers, ...auth } });
    if (res.status >= 400) throw errorFromEnvelope(res.status, res.body);
    return schema.parse(res.body);
  }
  const task = (ref: string, action = '') => `/api/relay/board/${encodeURIComponent(ref)}${action}`;
  const sent = z.union([QueuedSchema, MessageSchema]);
  return {
    list: (query) => call(TaskSchema.array(), { method: 'GET', path: '/api/relay/board', query: { status: query.status?.join(','), tag: query.tag } }),
    add: (body) => call(TaskSchema, { method: 'POST', path: '/api/relay/board', body }),
    show: (ref) => call(TaskSchema, { method: 'GET', path: task(ref) }),
    claim: (body) => call(ClaimTaskResponseSchema, { method: 'POST', path: '/api/relay/board/claim', body }),
    claimNamed: async (ref) => (await call(ClaimNamedTaskResponseSchema, { method: 'POST', path: task(ref, '/claim'), body: {} })).task,
    finish: (ref, outcome, body) => call(TaskSchema, { method: 'POST', path: task(ref, `/${outcome}`), body }),
    handoff: (ref, body) => call(TaskSchema, { method: 'POST', path: task(ref, '/handoff'), body }),
    message: (body) => call(sent, { method: 'POST', path: '/api/relay/messages', body }),
    channelPost: (body) => call(sent, { method: 'POST', path: '/api/relay/channel', body }),
  };
}

/**
 * The running daemon's socket, for a command inside a job: never starts a daemon, and says in words
 * when the socket cannot be reached (a sandbox that forbids sockets: Codex's workspace-write does).
 */
export async function socketFromJob(paths: HomePaths): Promise<Transport> {
  const socket = readDaemonRecord(paths.daemonJson)?.socket ?? paths.socket;
  const transport = createSocketTransport(socket);
  return {
    async request(req) {
      try {
        return await transport.request(req);
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
        throw new ProtocolError('DAEMON_UNAVAILABLE', `cannot reach the Flotilla daemon at ${socket} from inside this job (${cause})`, {
          fix:
            cause === 'EPERM'
              ? "the agent's sandbox forbids sockets (Codex's workspace-write does): run the job with --permissions bypass in a worktree, or allow the sandbox network access"
              : 'the daemon is not running; start it from outside any job (cb daemon start) — a daemon started inside a job would die with the job',
        });
      }
    },
    stream: (req) => transport.stream(req),
  };
}
