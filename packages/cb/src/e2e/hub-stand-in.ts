/**
 * A recording stand-in for the mesh hub, for cb's relay tests: it listens on a unix socket (the
 * real `$FLOTILLA_HOME/hub.sock` path the hub's reverse forward creates), speaks the hub's board and
 * message contract with the protocol's own schemas, keeps tasks in memory with leases and fencing
 * tokens, drops repeated idempotency keys, and records every request. The real hub is
 * `@flotilla/mesh`; its own tests run cb against it end to end.
 */
import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ulid } from 'ulidx';
import {
  AddTaskRequestSchema,
  ChannelPostRequestSchema,
  ClaimNamedTaskRequestSchema,
  ClaimTaskRequestSchema,
  FinishTaskRequestSchema,
  HandoffTaskRequestSchema,
  MessageSchema,
  RenewTaskRequestSchema,
  SendMessageRequestSchema,
  TaskSchema,
  type Message,
  type Task,
} from '@flotilla/protocol';
import type { z } from 'zod';

export interface RecordedHubRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: unknown;
  at: number;
}

export interface HubStandIn {
  socket: string;
  requests: RecordedHubRequest[];
  tasks: Map<string, Task>;
  messages: Message[];
  /** The next `n` message posts are answered 503 (a hub in trouble): the relay must retry with the same key. */
  failNextMessages(n: number): void;
  close(): Promise<void>;
}

type Answer = { status: number; body: unknown };
const fail = (status: number, code: string, message: string): Answer => ({ status, body: { error: { code, message } } });

export async function startHubStandIn(socket: string, options: { host?: string } = {}): Promise<HubStandIn> {
  const tasks = new Map<string, Task>();
  const messages: Message[] = [];
  const seenKeys = new Map<string, Message>();
  const requests: RecordedHubRequest[] = [];
  let seq = 0;
  let failing = 0;
  const now = () => new Date().toISOString();

  function find(ref: string): Task | undefined {
    const task = tasks.get(ref) ?? [...tasks.values()].find((t) => t.key === ref);
    if (task && task.status === 'doing' && task.leaseExpiresAt && Date.parse(task.leaseExpiresAt) < Date.now()) {
      const expired: Task = { ...task, status: 'todo', holder: null, leaseExpiresAt: null, token: task.token + 1, history: [...task.history, { at: now(), kind: 'expired' }] };
      tasks.set(task.id, expired);
      return expired;
    }
    return task;
  }

  function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> | Answer {
    const parsed = schema.safeParse(body);
    return parsed.success ? parsed.data : fail(400, 'VALIDATION_FAILED', parsed.error.issues[0]?.message ?? 'invalid');
  }
  const isAnswer = (value: unknown): value is Answer => typeof value === 'object' && value !== null && 'status' in value && 'body' in value && !('id' in value);

  function held(ref: string, token: number): Task | Answer {
    const task = find(ref);
    if (!task) return fail(404, 'NOT_FOUND', `no task ${ref}`);
    if (task.status !== 'doing' || task.token !== token) return fail(409, 'STALE_TOKEN', `token ${token} is stale for ${task.key} (now ${task.token})`);
    return task;
  }

  function save(task: Task): Answer {
    const next = TaskSchema.parse({ ...task, updatedAt: now() });
    tasks.set(next.id, next);
    return { status: 200, body: next };
  }

  function board(method: string, parts: string[], body: unknown, url: URL): Answer {
    if (parts.length === 0 && method === 'GET') {
      const status = url.searchParams.get('status')?.split(',');
      return { status: 200, body: [...tasks.values()].map((t) => find(t.id)!).filter((t) => !status || status.includes(t.status)) };
    }
    if (parts.length === 0 && method === 'POST') {
      const req = parse(AddTaskRequestSchema, body);
      if (isAnswer(req)) return req;
      const at = now();
      const task: Task = {
        id: ulid(), key: `T-${tasks.size + 1}`, title: req.title, body: req.body ?? '', tags: req.tags ?? [], priority: req.priority ?? 'normal', for: req.for ?? null,
        after: req.after ?? [], status: 'todo', holder: null, leaseExpiresAt: null, token: 0, attempts: 0, branch: null, previousJobId: null,
        history: [{ at, kind: 'added', ...(req.by ? { by: req.by } : {}) }], createdAt: at, updatedAt: at,
      };
      return { ...save(task), status: 201 };
    }
    if (parts[0] === 'claim' && method === 'POST') {
      const req = parse(ClaimTaskRequestSchema, body);
      if (isAnswer(req)) return req;
      const free = [...tasks.values()].map((t) => find(t.id)!).find((t) => t.status === 'todo' && (!req.tags?.length || t.tags.some((x) => req.tags!.includes(x))));
      if (!free) return { status: 200, body: { task: null } };
      const claimed = save({ ...free, status: 'doing', holder: req.holder, token: free.token + 1, attempts: free.attempts + 1, leaseExpiresAt: new Date(Date.now() + req.leaseMs).toISOString(), history: [...free.history, { at: now(), kind: 'claimed', by: req.holder.who }] });
      return { status: 200, body: { task: claimed.body } };
    }
    const ref = decodeURIComponent(parts[0] ?? '');
    if (parts.length === 1 && method === 'GET') {
      const task = find(ref);
      return task ? { status: 200, body: task } : fail(404, 'NOT_FOUND', `no task ${ref}`);
    }
    const action = parts[1];
    if (action === 'claim' && method === 'POST') {
      const req = parse(ClaimNamedTaskRequestSchema, body);
      if (isAnswer(req)) return req;
      const task = find(ref);
      if (!task) return fail(404, 'NOT_FOUND', `no task ${ref}`);
      if (task.status !== 'todo') {
        const reason = task.status === 'doing' ? 'held' : 'not_todo';
        return { status: 409, body: { error: { code: 'CONFLICT', message: `task ${task.key} cannot be claimed: it is ${task.status}`, details: { reason } } } };
      }
      const claimed = save({ ...task, status: 'doing', holder: req.holder, token: task.token + 1, leaseExpiresAt: new Date(Date.now() + req.leaseMs).toISOString(), history: [...task.history, { at: now(), kind: 'claimed', by: req.holder.who }] });
      return { status: 200, body: { task: claimed.body } };
    }
    if (action === 'renew') {
      const req = parse(RenewTaskRequestSchema, body);
      if (isAnswer(req)) return req;
      const task = held(ref, req.token);
      return isAnswer(task) ? task : save({ ...task, leaseExpiresAt: new Date(Date.now() + req.leaseMs).toISOString() });
    }
    if (action === 'done' || action === 'fail') {
      const req = parse(FinishTaskRequestSchema, body);
      if (isAnswer(req)) return req;
      const task = held(ref, req.token);
      if (isAnswer(task)) return task;
      const kind = action === 'done' ? 'completed' : 'failed';
      return save({ ...task, status: action === 'done' ? 'done' : 'failed', holder: null, leaseExpiresAt: null, history: [...task.history, { at: now(), kind, note: req.note }] });
    }
    if (action === 'handoff') {
      const req = parse(HandoffTaskRequestSchema, body);
      if (isAnswer(req)) return req;
      const task = held(ref, req.token);
      if (isAnswer(task)) return task;
      const entry = { at: now(), kind: 'handed_off' as const, to: req.to, note: req.note, ...(req.branch ? { branch: req.branch } : {}), ...(req.jobId ? { jobId: req.jobId } : {}) };
      return save({ ...task, status: 'todo', for: req.to, holder: null, leaseExpiresAt: null, token: task.token + 1, branch: req.branch ?? task.branch, previousJobId: req.jobId ?? null, history: [...task.history, entry] });
    }
    return fail(404, 'NOT_FOUND', `no route ${method} /api/board/${parts.join('/')}`);
  }

  function message(path: string, body: unknown, headers: Record<string, string>): Answer {
    if (failing > 0) {
      failing -= 1;
      return fail(503, 'INTERNAL', 'the stand-in was told to fail this one');
    }
    const key = headers['x-flotilla-idempotency-key'];
    const repeat = key ? seenKeys.get(key) : undefined;
    if (repeat) return { status: 200, body: repeat };
    const channel = path === '/api/channel';
    const req = channel ? parse(ChannelPostRequestSchema, body) : parse(SendMessageRequestSchema, body);
    if (isAnswer(req)) return req;
    const to = 'to' in req ? req.to : '#channel';
    const sent = MessageSchema.parse({
      id: ulid(), seq: channel ? ++seq : null, from: req.from ?? 'user', fromHost: options.host ?? headers['x-flotilla-agent-host'] ?? null, to, text: req.text,
      mentions: req.text.match(/@[\w-]+/g) ?? [], deliveries: [], createdAt: now(),
    });
    messages.push(sent);
    if (key) seenKeys.set(key, sent);
    return { status: 201, body: sent };
  }

  function route(method: string, url: URL, body: unknown, headers: Record<string, string>): Answer {
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'api') return fail(404, 'NOT_FOUND', 'no route');
    if (parts[1] === 'board') return board(method, parts.slice(2), body, url);
    if ((url.pathname === '/api/messages' || url.pathname === '/api/channel') && method === 'POST') return message(url.pathname, body, headers);
    if (url.pathname === '/api/channel' && method === 'GET') return { status: 200, body: messages.filter((m) => m.seq !== null && m.seq > Number(url.searchParams.get('after') ?? 0)) };
    return fail(404, 'NOT_FOUND', `no route ${method} ${url.pathname}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text ? JSON.parse(text) : undefined;
    const url = new URL(req.url ?? '/', 'http://hub');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search, headers, body, at: Date.now() });
    const answer = route(req.method ?? 'GET', url, body, headers);
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }

  rmSync(socket, { force: true });
  const server: Server = createServer((req, res) => void handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error))));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socket, resolve));
  return {
    socket,
    requests,
    tasks,
    messages,
    failNextMessages: (n) => void (failing = n),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
