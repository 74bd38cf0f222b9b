import { Hono } from 'hono';
import { z } from 'zod';
import { AnswerRequestSchema, CreateSessionRequestSchema, MAX_PEEK_LINES, SendRequestSchema } from '@flotilla/protocol';
import type { SessionManager } from '../../sessions/manager.js';
import { jsonBody, query } from './validate.js';

/** `?all`, `?all=true` and `?all=1` list ended sessions too; absent, `false` or `0` do not. */
const ListQuery = z.object({ all: z.string().optional().transform((v) => v !== undefined && v !== 'false' && v !== '0') });
const PeekQuery = z.object({ lines: z.coerce.number().int().positive().max(MAX_PEEK_LINES).default(50) });

/** `/api/sessions`: long-lived interactive agents in tmux. Every failure is a protocol error; none crashes the daemon. */
export function sessionRoutes(sessions: SessionManager): Hono {
  const app = new Hono();
  app.post('/', async (c) => c.json(await sessions.create(await jsonBody(c, CreateSessionRequestSchema)), 201));
  app.get('/', async (c) => c.json(await sessions.list({ all: query(c, ListQuery).all })));
  app.get('/:name', async (c) => c.json(await sessions.get(c.req.param('name'))));
  app.delete('/:name', async (c) => c.json(await sessions.stop(c.req.param('name'))));
  app.post('/:name/send', async (c) => c.json(await sessions.send(c.req.param('name'), await jsonBody(c, SendRequestSchema))));
  app.post('/:name/answer', async (c) => c.json(await sessions.answer(c.req.param('name'), (await jsonBody(c, AnswerRequestSchema)).answer)));
  app.get('/:name/peek', async (c) => c.json(await sessions.peek(c.req.param('name'), query(c, PeekQuery).lines)));
  app.get('/:name/log', async (c) => c.json(await sessions.log(c.req.param('name'))));
  app.post('/:name/adopt', async (c) => c.json(await sessions.adopt(c.req.param('name'))));
  return app;
}
