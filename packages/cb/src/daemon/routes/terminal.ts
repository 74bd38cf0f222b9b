/**
 * `GET /api/sessions/:id/terminal` (a session's id or name) and `GET /api/jobs/:id/terminal` (the
 * job's running attempt): WebSocket upgrades to the live terminal stream (protocol: terminal.ts in
 * @flotilla/protocol). Read-only unless the client asks with `?input=1`, which needs the daemon's
 * full token — the unix socket, or the token file's token as Bearer or `?token=` — never a viewer
 * token minted by `cb serve` nor a cookie. Host, Origin and the token itself were checked by the
 * security middleware before this runs, for upgrades as for any request.
 */
import { Hono, type Context } from 'hono';
import { upgradeWebSocket } from '@hono/node-server';
import createDebug from 'debug';
import { hasOwnerToken } from '@flotilla/kit/http';
import { IdSchema, isProtocolError, isTerminal, MAX_TERMINAL_INPUT_BYTES, ProtocolError, TERMINAL_ERROR_HEADER, TerminalClientMessageSchema } from '@flotilla/protocol';
import type { WebSocket } from 'ws';
import { paneLogPath } from '../../sessions/output/pane-log.js';
import { terminalError, type TerminalConnection, type TerminalHub, type TerminalTarget, type Viewer } from '../../sessions/output/terminal-hub.js';
import type { DaemonContext } from '../context.js';

const debug = createDebug('cb:terminal');

export function terminalRoutes(ctx: DaemonContext, token: string, hub: TerminalHub): Hono {
  const app = new Hono();
  app.get('/sessions/:id/terminal', (c) => refusing(c, async () => stream(c, await sessionTarget(ctx, c.req.param('id')))));
  app.get('/jobs/:id/terminal', (c) => refusing(c, async () => stream(c, await jobTarget(ctx, c.req.param('id')))));

  function stream(c: Context, target: TerminalTarget): Promise<Response> {
    // The token is checked first: a browser never sees why an upgrade failed, and asks again with a plain GET.
    const input = c.req.query('input');
    const wantsInput = input === '1' || input === 'true';
    if (wantsInput && !hasOwnerToken(c, token)) {
      throw new ProtocolError('UNAUTHORIZED', 'terminal input needs the daemon\'s full token; a viewer token or cookie is read-only', {
        fix: 'connect over the unix socket, or send "Authorization: Bearer <token>" with the token from the token file; or drop ?input=1 to watch',
      });
    }
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      throw new ProtocolError('BAD_REQUEST', 'this is a WebSocket endpoint', { fix: 'connect with a WebSocket client, or print the screen once: cb peek NAME' });
    }
    const readOnly = !wantsInput;
    let connection: Promise<TerminalConnection | null> = Promise.resolve(null);
    let queue: Promise<void> = Promise.resolve();
    let closed = false;
    return upgradeWebSocket(c, {
      onOpen(_event, ws) {
        const viewer: Viewer = {
          send: (text) => ws.send(text),
          close: (code, reason) => ws.close(code, reason),
          bufferedAmount: () => (ws.raw as WebSocket | undefined)?.bufferedAmount ?? 0,
        };
        connection = hub.attach(target, viewer, { readOnly }).then(
          (conn) => {
            if (closed) conn.detach();
            return conn;
          },
          (error: unknown) => {
            debug('terminal for %s failed to start: %O', target.name, error);
            ws.send(terminalError('STREAM_FAILED', `the stream could not start: ${(error as Error).message}`));
            ws.close(1011, 'stream failed');
            return null;
          },
        );
      },
      onMessage(event, ws) {
        const data = event.data;
        queue = queue.then(async () => {
          const reply = await handle(data, await connection, readOnly);
          if (reply && !closed) ws.send(reply);
        });
      },
      onClose() {
        closed = true;
        void connection.then((conn) => conn?.detach());
      },
    });
  }
  return app;
}

/**
 * A refused upgrade reaches the client without its body (node-server answers upgrades with headers
 * only), so the error envelope also goes in the `x-flotilla-error` header, URI-encoded JSON.
 */
async function refusing(c: Context, fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (error) {
    if (!isProtocolError(error)) throw error;
    const envelope = error.toEnvelope();
    return c.json(envelope, error.status as 400, { [TERMINAL_ERROR_HEADER]: encodeURIComponent(JSON.stringify(envelope)) });
  }
}

/** Handles one client message; returns the error to send back, if any. Never throws. */
async function handle(data: unknown, connection: TerminalConnection | null, readOnly: boolean): Promise<string | null> {
  if (typeof data !== 'string') return terminalError('BAD_MESSAGE', 'messages are JSON text frames');
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return terminalError('BAD_MESSAGE', 'not JSON');
  }
  const result = TerminalClientMessageSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    return terminalError('BAD_MESSAGE', `not a terminal message: ${issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'invalid'}`);
  }
  const message = result.data;
  // The pane keeps Flotilla's size: a viewer's size never reaches tmux.
  if (message.type === 'resize') return null;
  if (readOnly) return terminalError('READ_ONLY', 'this stream is read-only: reconnect with ?input=1 (needs the full token) to type');
  const bytes = Buffer.from(message.data, 'base64');
  if (bytes.length > MAX_TERMINAL_INPUT_BYTES) return terminalError('BAD_MESSAGE', `input is at most ${MAX_TERMINAL_INPUT_BYTES} bytes`);
  if (!connection) return terminalError('INPUT_FAILED', 'the stream is not running');
  try {
    await connection.input(bytes);
    return null;
  } catch (error) {
    return terminalError('INPUT_FAILED', `the pane did not take the input: ${(error as Error).message}`);
  }
}

async function sessionTarget(ctx: DaemonContext, idOrName: string): Promise<TerminalTarget> {
  const byId = IdSchema.safeParse(idOrName).success ? await ctx.store.getSession(idOrName) : null;
  const session = byId ?? (await ctx.store.findSession(idOrName));
  if (!session) throw new ProtocolError('SESSION_NOT_FOUND', `no session called "${idOrName}"`, { fix: 'list them with: cb session ls --all' });
  if (session.external) {
    throw new ProtocolError('CONFLICT', `session ${session.name} was started outside Flotilla: it has no stream`, { fix: `adopt it first: cb session adopt ${session.name}` });
  }
  if (session.tmuxSocket) {
    throw new ProtocolError('CONFLICT', `session ${session.name} runs in a pane of your own tmux server, which Flotilla does not pipe: it has no stream`, {
      fix: `look at its screen: cb peek ${session.name}, or attach: cb attach ${session.name}`,
    });
  }
  if (session.state === 'exited') {
    throw new ProtocolError('SESSION_NOT_RUNNING', `session ${session.name} has exited`, { fix: `read what happened: cb session log ${session.name}` });
  }
  const id = session.id;
  return {
    kind: 'session',
    id,
    name: session.name,
    tmuxSession: session.tmuxSession,
    logPath: paneLogPath(ctx.paths.sessionDir(id)),
    async ended() {
      const now = await ctx.store.getSession(id);
      return !now || now.state === 'exited' ? { reason: 'exited', state: now?.state ?? null } : null;
    },
  };
}

async function jobTarget(ctx: DaemonContext, id: string): Promise<TerminalTarget> {
  const job = await ctx.store.getJob(id);
  if (!job) throw new ProtocolError('JOB_NOT_FOUND', `no job ${id}`, { fix: 'list jobs with `cb ls`' });
  const attempt = job.attempts.at(-1);
  if (!attempt || attempt.endedAt !== null || isTerminal(job.status)) {
    throw new ProtocolError('CONFLICT', `job ${job.id} is not running (${job.status})`, { fix: `read its output: cb logs ${job.id}` });
  }
  const n = attempt.n;
  return {
    kind: 'job',
    id: job.id,
    name: `${job.id}#${n}`,
    tmuxSession: attempt.tmuxSession,
    logPath: paneLogPath(ctx.paths.attemptDir(job.id, n)),
    async ended() {
      const now = await ctx.store.getJob(job.id);
      const a = now?.attempts.find((x) => x.n === n);
      if (now && a && a.endedAt === null && !isTerminal(now.status)) return null;
      return { reason: 'exited', state: a?.status ?? now?.status ?? null };
    },
  };
}
