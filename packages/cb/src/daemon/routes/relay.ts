/**
 * `/api/relay`: the board and messages of the mesh hub, for agents (with their job token) and the
 * user, through this daemon. Bodies are checked here with the protocol's schemas; the caller's
 * identity is added by the relay, never taken from the body.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { AddTaskRequestSchema, ChannelPostRequestSchema, ProtocolError, SendMessageRequestSchema, TaskListQuerySchema, TaskRefSchema, TaskStatusSchema } from '@flotilla/protocol';
import type { Relay } from '../../relay/relay.js';
import { relayCaller, type RelayEnv } from './relay-auth.js';
import { jsonBody, query } from './validate.js';

const ClaimBody = z.object({
  tags: z.array(z.string().min(1).max(64)).max(32).optional(),
  /** Tests and special holders only; agents get the daemon's default lease. */
  leaseMs: z.number().int().min(1_000).max(24 * 3600_000).optional(),
});
/** A named claim: the task is named, so no tags; the same lease rule as any claim. */
const ClaimNamedBody = ClaimBody.omit({ tags: true }).strict();
const FinishBody = z.object({ token: z.number().int().nonnegative().optional(), note: z.string().max(100_000) });
const HandoffBody = FinishBody.extend({ to: z.string().min(1).max(128), branch: z.string().min(1).optional(), jobId: z.string().min(1).optional() });
const ListQuery = TaskListQuerySchema.extend({
  status: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',').map((x) => TaskStatusSchema.parse(x.trim())) : undefined)),
});
const ChannelQuery = z.object({ after: z.coerce.number().int().nonnegative().optional(), limit: z.coerce.number().int().positive().max(500).optional() });
/** The sender is who the relay says it is: a `from` in the body is refused rather than ignored. */
const MessageBody = SendMessageRequestSchema.omit({ from: true }).strict();
const ChannelBody = ChannelPostRequestSchema.omit({ from: true }).strict();

function ref(value: string): string {
  const parsed = TaskRefSchema.safeParse(value);
  if (!parsed.success) throw new ProtocolError('VALIDATION_FAILED', `not a task id or key: ${JSON.stringify(value.slice(0, 80))}`);
  return parsed.data;
}

export function relayRoutes(relay: Relay): Hono {
  const app = new Hono<RelayEnv>();
  app.get('/board', async (c) => c.json(await relay.list(relayCaller(c), query(c, ListQuery))));
  app.post('/board', async (c) => c.json(await relay.add(relayCaller(c), await jsonBody(c, AddTaskRequestSchema.omit({ by: true }))), 201));
  app.get('/board/claims', async (c) => c.json(await relay.claims(relayCaller(c))));
  app.post('/board/claim', async (c) => c.json(await relay.claim(relayCaller(c), await jsonBody(c, ClaimBody))));
  app.post('/board/:ref/claim', async (c) => c.json(await relay.claimNamed(relayCaller(c), ref(c.req.param('ref')), await jsonBody(c, ClaimNamedBody))));
  app.get('/board/:ref', async (c) => c.json(await relay.get(relayCaller(c), ref(c.req.param('ref')))));
  app.post('/board/:ref/done', async (c) => c.json(await relay.finish(relayCaller(c), ref(c.req.param('ref')), 'done', await jsonBody(c, FinishBody))));
  app.post('/board/:ref/fail', async (c) => c.json(await relay.finish(relayCaller(c), ref(c.req.param('ref')), 'fail', await jsonBody(c, FinishBody))));
  app.post('/board/:ref/handoff', async (c) => c.json(await relay.handoff(relayCaller(c), ref(c.req.param('ref')), await jsonBody(c, HandoffBody))));
  app.post('/messages', async (c) => {
    const answer = await relay.post(relayCaller(c), '/api/messages', await jsonBody(c, MessageBody));
    return c.json(answer.body as object, answer.status as 200);
  });
  app.post('/channel', async (c) => {
    const answer = await relay.post(relayCaller(c), '/api/channel', await jsonBody(c, ChannelBody));
    return c.json(answer.body as object, answer.status as 200);
  });
  app.get('/channel', async (c) => c.json(await relay.channel(relayCaller(c), query(c, ChannelQuery))));
  return app as unknown as Hono;
}
