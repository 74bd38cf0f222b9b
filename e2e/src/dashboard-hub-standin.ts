import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { assetsDir } from '@flotilla/dashboard';
import {
  AddHostRequestSchema,
  AddTaskRequestSchema,
  ChannelPostRequestSchema,
  EventSchema,
  HostSchema,
  MessageSchema,
  SendMessageRequestSchema,
  TaskSchema,
  type AddTaskRequest,
  type FlotillaEvent,
  type Host,
  type Message,
  type Task,
  type TaskEvent,
} from '@flotilla/protocol';
import { iso, makeHost, makeMessage, seedWorld, ulid, type World } from './dashboard-hub-world.js';

/**
 * A STAND-IN for `mesh serve`, written while the real hub was being built beside the dashboard's
 * hub pages: an in-memory node server that serves the built dashboard and answers the hub's HTTP
 * contract (capabilities, jobs, sessions, hosts, board, channel, messages, profiles, SSE events)
 * with objects parsed by the protocol's own schemas. It keeps no store, no SSH, no leases and no
 * auth: it exists only so the browser test can run before the hub does, and the test must move to
 * the real `mesh serve` as soon as it serves these routes.
 */
export interface HubStandIn extends AsyncDisposable {
  url: string;
  world: World;
  /** Changes a host (its link, load…) and announces it with `host.changed`. */
  changeHost(name: string, patch: Partial<Host>): Host;
  /** Changes a task (by id or key) as an agent's claim or handoff would, and announces it with `task.changed`. */
  changeTask(ref: string, patch: Partial<Task>, event?: Omit<TaskEvent, 'at'>): Task;
  findTask(ref: string): Task | undefined;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };
/** After this long a queued delivery is marked delivered, as a session taking the turn would. */
const DELIVERY_MS = 400;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startHubStandIn(): Promise<HubStandIn> {
  const world = seedWorld();
  const outbox: FlotillaEvent[] = [];
  const streams = new Set<ServerResponse>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  function emit(body: Record<string, unknown>): void {
    const event = EventSchema.parse({ id: outbox.length + 1, at: iso(), host: 'hub', ...body });
    outbox.push(event);
    for (const res of streams) res.write(`id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`);
  }
  const findTask = (ref: string) => world.tasks.get(ref) ?? [...world.tasks.values()].find((t) => t.key === ref.toUpperCase());
  function mustTask(ref: string): Task {
    const task = findTask(ref);
    if (!task) throw new HttpError(404, 'NOT_FOUND', `no task ${ref}`);
    return task;
  }
  function changeTask(ref: string, patch: Partial<Task>, event?: Omit<TaskEvent, 'at'>): Task {
    const old = mustTask(ref);
    const history = event ? [...old.history, { at: iso(), ...event }] : old.history;
    const task = TaskSchema.parse({ ...old, ...patch, history, updatedAt: iso() });
    world.tasks.set(task.id, task);
    emit({ type: 'task.changed', task });
    return task;
  }
  function changeHost(name: string, patch: Partial<Host>): Host {
    const old = world.hosts.get(name);
    if (!old) throw new HttpError(404, 'NOT_FOUND', `no host ${name}`);
    const host = HostSchema.parse({ ...old, ...patch, since: patch.state && patch.state !== old.state ? iso() : old.since });
    world.hosts.set(name, host);
    emit({ type: 'host.changed', hostInfo: host });
    return host;
  }

  /** The sessions a target reaches: a session by name, or every session whose profile holds the `@role`. */
  function recipients(target: string): string[] {
    if (target.startsWith('@')) return world.profiles.filter((p) => p.roles.includes(target.slice(1)) || p.session === target.slice(1)).map((p) => p.session);
    return world.sessions.some((s) => s.name === target) ? [target] : [];
  }
  function writeMessage(fields: { seq: number | null; to: string; text: string; mentions: string[]; reach: string[] }): Message {
    const deliveries = [...new Set(fields.reach)].map((session) => ({ session, host: world.sessions.find((s) => s.name === session)?.host ?? null, state: 'queued', attempts: 0, deliveredAt: null, error: null }));
    const message = makeMessage({ seq: fields.seq, from: 'user', to: fields.to, text: fields.text, mentions: fields.mentions, deliveries: deliveries as Message['deliveries'] });
    world.messages.push(message);
    emit({ type: 'message.created', message });
    if (deliveries.length) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        const delivered = MessageSchema.parse({ ...message, deliveries: message.deliveries.map((d) => ({ ...d, state: 'delivered', attempts: 1, deliveredAt: iso() })) });
        world.messages[world.messages.indexOf(message)] = delivered;
        emit({ type: 'message.updated', message: delivered });
      }, DELIVERY_MS);
      timers.add(timer);
    }
    return message;
  }
  function mentionsOf(text: string): string[] {
    const words = [...text.matchAll(/(?:^|[^\w@])@([A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]|[A-Za-z0-9])/g)].map((m) => m[1]!);
    return [...new Set(words)].filter((word) => recipients(`@${word}`).length > 0).map((word) => `@${word}`);
  }

  type Handler = (req: IncomingMessage, params: string[], q: URLSearchParams) => unknown;
  /** The hub contract, route by route: `:x` segments are passed to the handler in order. */
  const routes: Array<[string, Handler]> = [
    ['GET /api/capabilities', () => ({ kind: 'hub', host: 'hub', version: '0.0.0-standin', protocol: 1, agents: ['claude'], addons: [], features: ['hosts', 'board', 'messages', 'channel', 'profiles'] })],
    ['GET /api/jobs', () => ({ items: world.jobs, nextCursor: null })],
    ['GET /api/sessions', () => world.sessions],
    ['GET /api/pauses', () => []],
    ['GET /api/inbox', () => []],
    ['GET /api/profiles', () => world.profiles],
    ['GET /api/hosts', () => [...world.hosts.values()]],
    ['POST /api/hosts', async (req) => addHost(AddHostRequestSchema.parse(await json(req)))],
    ['DELETE /api/hosts/:name', (_req, [name]) => removeHost(name!)],
    ['GET /api/board', (_req, _params, q) => listTasks(q)],
    ['POST /api/board', async (req) => addTask(AddTaskRequestSchema.parse(await json(req)))],
    ['GET /api/board/:ref', (_req, [ref]) => mustTask(ref!)],
    ['POST /api/board/:ref/approve', (_req, [ref]) => changeTask(ref!, { status: 'todo' }, { kind: 'approved', by: 'user' })],
    ['GET /api/channel', (_req, _params, q) => channelAfter(Number(q.get('after') ?? 0), Number(q.get('limit') ?? 100))],
    ['POST /api/channel', async (req) => post(ChannelPostRequestSchema.parse(await json(req)).text)],
    ['POST /api/messages', async (req) => direct(SendMessageRequestSchema.parse(await json(req)))],
    ['GET /api/messages', () => world.messages.filter((m) => m.seq === null)],
  ];

  function addHost(body: { spec: string; name?: string }): Host {
    const host = makeHost(body.name ?? body.spec, { spec: body.spec, state: 'connecting', since: iso() });
    world.hosts.set(host.name, host);
    emit({ type: 'host.changed', hostInfo: host });
    return host;
  }
  function removeHost(name: string): { ok: true } {
    world.hosts.delete(name);
    emit({ type: 'host.removed', name });
    return { ok: true };
  }
  function listTasks(q: URLSearchParams): Task[] {
    const status = q.get('status')?.split(',');
    const tag = q.get('tag');
    return [...world.tasks.values()].filter((t) => (!status || status.includes(t.status)) && (!tag || t.tags.includes(tag)));
  }
  function addTask(body: AddTaskRequest): Task {
    const after = (body.after ?? []).map((ref) => mustTask(ref).id);
    const fields = { title: body.title, body: body.body ?? '', tags: body.tags ?? [], priority: body.priority ?? 'normal', for: body.for ?? null, after };
    const history = [{ at: iso(), kind: 'added', by: body.by ?? 'user' }];
    const task = TaskSchema.parse({ ...seedTask(), ...fields, id: ulid(), key: `WEB-${world.tasks.size + 1}`, status: body.proposed ? 'proposed' : 'todo', history });
    world.tasks.set(task.id, task);
    emit({ type: 'task.changed', task });
    return task;
  }
  /** Posts after `after`, oldest first; without `after`, the newest `limit`. */
  function channelAfter(after: number, limit: number): Message[] {
    const posts = world.messages.filter((m) => m.seq !== null && m.seq > after);
    return after ? posts.slice(0, limit) : posts.slice(-limit);
  }
  function post(text: string): Message {
    const mentions = mentionsOf(text);
    const seq = world.messages.filter((m) => m.seq !== null).length + 1;
    return writeMessage({ seq, to: '#channel', text, mentions, reach: mentions.flatMap(recipients) });
  }
  function direct(body: { to: string; text: string }): Message {
    return writeMessage({ seq: null, to: body.to, text: body.text, mentions: mentionsOf(body.text), reach: recipients(body.to) });
  }

  async function api(req: IncomingMessage, url: URL): Promise<unknown> {
    const got = `${req.method} ${url.pathname}`.split('/');
    for (const [pattern, handler] of routes) {
      const want = pattern.split('/');
      if (want.length !== got.length || !want.every((part, i) => part.startsWith(':') || part === got[i])) continue;
      const params = want.flatMap((part, i) => (part.startsWith(':') ? [decodeURIComponent(got[i]!)] : []));
      return handler(req, params, url.searchParams);
    }
    throw new HttpError(404, 'NOT_FOUND', `the stand-in hub has no ${req.method} ${url.pathname}`);
  }

  function events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const last = Number(req.headers['last-event-id'] ?? 0);
    for (const event of outbox.filter((e) => e.id > last)) res.write(`id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`);
    res.write(': connected\n\n');
    streams.add(res);
    req.on('close', () => streams.delete(res));
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    if (url.pathname === '/api/events') return events(req, res);
    if (!url.pathname.startsWith('/api/')) return serveAsset(url.pathname, res);
    api(req, url).then(
      (body) => send(res, 200, body),
      (error: unknown) => {
        const status = error instanceof HttpError ? error.status : 400;
        const code = error instanceof HttpError ? error.code : 'VALIDATION_FAILED';
        send(res, status, { error: { code, message: error instanceof Error ? error.message : String(error) } });
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    world,
    changeHost,
    changeTask,
    findTask,
    async [Symbol.asyncDispose]() {
      for (const timer of timers) clearTimeout(timer);
      for (const res of streams) res.end();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function seedTask(): Omit<Task, 'id' | 'key' | 'title'> {
  const now = iso();
  return { body: '', tags: [], priority: 'normal', for: null, after: [], status: 'todo', holder: null, leaseExpiresAt: null, token: 0, attempts: 0, branch: null, previousJobId: null, history: [], createdAt: now, updatedAt: now };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function serveAsset(path: string, res: ServerResponse): void {
  const file = normalize(join(assetsDir, path));
  const found = file.startsWith(assetsDir) && existsSync(file) && statSync(file).isFile() ? file : join(assetsDir, 'index.html');
  res.writeHead(200, { 'content-type': TYPES[extname(found)] ?? 'application/octet-stream' });
  res.end(readFileSync(found));
}

async function json(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text ? JSON.parse(text) : {};
}
