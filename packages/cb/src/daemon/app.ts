import { Hono } from 'hono';
import createDebug from 'debug';
import { GcRequestSchema, isProtocolError, PROTOCOL_VERSION, ProtocolError } from '@flotilla/protocol';
import { z } from 'zod';
import { defaultSlots } from '../config.js';
import type { DaemonContext } from './context.js';
import { doctor } from './doctor.js';
import { gc } from './gc.js';
import { inbox, metrics, repos, stats } from './reports.js';
import { eventRoutes } from './routes/events.js';
import { jobRoutes } from './routes/jobs.js';
import { knowledgeRoutes } from './routes/knowledge.js';
import { notificationRoutes } from './routes/notifications.js';
import type { Knowledge } from './knowledge.js';
import { sessionRoutes } from './routes/sessions.js';
import { terminalRoutes } from './routes/terminal.js';
import { createTerminalHub, type TerminalHub } from '../sessions/output/terminal-hub.js';
import { jsonBody, query } from './routes/validate.js';
import { dashboardRoutes, tokenToCookie, type SessionTokens, type StaticSite, type TelegramAddon } from '@flotilla/kit/web';
import { browserTokenRoutes } from './routes/tokens.js';
import { createGatedApp } from './routes/relay-auth.js';
import { relayRoutes } from './routes/relay.js';
import type { Scheduler } from './scheduler.js';

const debug = createDebug('cb:http');

/** What the process around the app can do on request: stop, and listen on a loopback port. */
export interface DaemonControl {
  stop(): void;
  /** Listens on 127.0.0.1:port (0: any free port); returns the URL and a token minted for this request. */
  serve(port: number): Promise<{ url: string; token: string }>;
  httpUrl(): string | null;
}

/** Optional packages found at run time (addons.ts): `cb` works without each of them. */
export interface DaemonAddons {
  /** The dashboard's built page, served at `/`. */
  dashboard?: StaticSite | null;
  /** codekb's read-only queries over indexed repositories, at `/api/knowledge`. */
  knowledge?: Knowledge | null;
  /** The Telegram bot this daemon runs while it serves HTTP, at `/api/addons/telegram`. */
  telegram?: TelegramAddon | null;
}

/** `terminals`: the live terminal streams (main.ts passes its own, to close them on shutdown). */
export function createDaemonApp(
  ctx: DaemonContext,
  scheduler: Scheduler,
  control: DaemonControl,
  token: string,
  sessions: SessionTokens,
  terminals: TerminalHub = createTerminalHub(ctx),
  addons: DaemonAddons = {},
): Hono {
  // Job tokens (agents) reach only the relay and their own job or session; everyone else meets the usual guard.
  const app = createGatedApp(ctx.access ?? null, { token, extraTokens: sessions.all, deniedPage });
  app.use('*', tokenToCookie(sessions, token));
  app.onError((error, c) => {
    if (isProtocolError(error)) return c.json(error.toEnvelope(), error.status as 400);
    debug('internal error on %s %s: %o', c.req.method, c.req.path, error);
    const internal = new ProtocolError('INTERNAL', `internal error: ${(error as Error).message}`, {
      fix: `this is a bug in cb ${ctx.version}; please open an issue with ${ctx.paths.daemonLog}`,
    });
    return c.json(internal.toEnvelope(), 500);
  });
  app.notFound((c) => c.json(new ProtocolError('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`).toEnvelope(), 404));
  app.get('/health', (c) => c.json({ pid: process.pid, version: ctx.version, protocol: PROTOCOL_VERSION }));
  // Without the dashboard package, the root says what this server is and where the API lives.
  const host = escapeHtml(ctx.host);
  if (!addons.dashboard) app.get('/', (c) =>
    c.html(
      `<!doctype html><meta charset="utf-8"><title>Flotilla · ${host}</title><h1>Flotilla cb ${escapeHtml(ctx.version)} on ${host}</h1>` +
        '<p>The dashboard is not installed. The API is here: <a href="/api/jobs">/api/jobs</a>, <a href="/api/sessions">/api/sessions</a>, ' +
        '<a href="/api/inbox">/api/inbox</a>, <a href="/api/stats">/api/stats</a>, events at /api/events, <a href="/metrics">/metrics</a>.</p>',
    ),
  );
  app.route('/api', terminalRoutes(ctx, token, terminals));
  app.route('/api/jobs', jobRoutes(ctx, scheduler));
  app.route('/api/sessions', sessionRoutes(ctx.sessions));
  app.route('/api/events', eventRoutes(ctx));
  if (addons.knowledge) app.route('/api/knowledge', knowledgeRoutes(ctx, addons.knowledge));
  app.route('/api', miscRoutes(ctx, control, addons));
  app.route('/api', notificationRoutes(ctx));
  app.route('/api/tokens', browserTokenRoutes(sessions));
  if (ctx.relay) app.route('/api/relay', relayRoutes(ctx.relay));
  app.get('/metrics', async (c) => c.text(await metrics(ctx), 200, { 'content-type': 'text/plain; version=0.0.4' }));
  if (addons.dashboard) dashboardRoutes(app, addons.dashboard);
  return app;
}

/** What a browser sees instead of a JSON 401/403: what happened and how to get in. */
function deniedPage(code: string, message: string): string {
  const how =
    code === 'UNAUTHORIZED'
      ? '<p>This page needs a fresh link: run <code>cb serve</code> and open the URL it prints. Each printed link works once; the browser then keeps a cookie.</p>'
      : '<p>Open the page at <code>http://127.0.0.1:PORT/</code> as <code>cb serve</code> printed it.</p>';
  return `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Flotilla · ${escapeHtml(code)}</title><h1>Flotilla: ${escapeHtml(message)}</h1>${how}`;
}

function addonNames(addons: DaemonAddons): string[] {
  return [...(addons.dashboard ? ['dashboard'] : []), ...(addons.knowledge ? ['knowledge'] : []), ...(addons.telegram ? ['telegram'] : [])];
}

function miscRoutes(ctx: DaemonContext, control: DaemonControl, addons: DaemonAddons): Hono {
  const app = new Hono();
  app.get('/daemon', async (c) => {
    const [running, queued] = await Promise.all([ctx.store.jobsWithStatus(['starting', 'running']), ctx.store.jobsWithStatus(['queued'])]);
    return c.json({
      pid: process.pid,
      version: ctx.version,
      protocol: PROTOCOL_VERSION,
      host: ctx.host,
      home: ctx.paths.home,
      socket: ctx.paths.socket,
      startedAt: ctx.startedAt.toISOString(),
      uptimeMs: Date.now() - ctx.startedAt.getTime(),
      httpUrl: control.httpUrl(),
      slots: ctx.config.slots ?? defaultSlots(),
      running: running.length,
      queued: queued.length,
    });
  });
  app.post('/daemon/stop', (c) => {
    setTimeout(() => control.stop(), 50);
    return c.json({ stopping: true });
  });
  app.post('/daemon/serve', async (c) => {
    const { port } = await jsonBody(c, z.object({ port: z.number().int().min(0).max(65535) }));
    return c.json(await control.serve(port));
  });
  app.get('/capabilities', (c) =>
    c.json({ kind: 'daemon', host: ctx.host, version: ctx.version, protocol: PROTOCOL_VERSION, agents: ctx.agents.names(), addons: addonNames(addons), features: ['jobs', 'sessions', 'worktrees', 'events', 'metrics', 'inbox', 'stats', ...(ctx.relay ? ['relay'] : [])] }),
  );
  app.get('/inbox', async (c) => c.json(await inbox(ctx)));
  app.get('/stats', async (c) => c.json(await stats(ctx, query(c, z.object({ days: z.coerce.number().positive().max(3650).default(30) })).days)));
  app.get('/repos', async (c) => c.json(await repos(ctx)));
  app.get('/doctor', async (c) => c.json(await doctor(ctx)));
  app.get('/pauses', async (c) => c.json(await ctx.store.activePauses()));
  app.get('/addons/telegram', async (c) => c.json(addons.telegram ? await addons.telegram.status() : { installed: false, process: null, bot: null }));
  app.post('/gc', async (c) => c.json(await gc(ctx, await jsonBody(c, GcRequestSchema))));
  return app;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
