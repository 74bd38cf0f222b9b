/**
 * `/api/messages` (direct messages to a session or `@role`) and `/api/channel` (the shared,
 * stored stream). A message is stored before the 201 answers; delivery follows. An agent writes
 * as itself: `from` is its session (or job), whatever the request says.
 */
import { Hono, type Context } from 'hono';
import { ChannelPostRequestSchema, ChannelQuerySchema, MessageListQuerySchema, SendMessageRequestSchema } from '@flotilla/protocol';
import { agentName, type CallerOf } from './caller.js';
import type { Author, Messenger } from './message-delivery.js';
import type { MessageStore } from './message-store.js';
import { jsonBody, queryOf, routeErrorHandler } from './board-routes-http.js';

export interface MessageRoutesOptions {
  store: MessageStore;
  messenger: Messenger;
  caller: CallerOf;
}

function author(caller: CallerOf, c: Context, from: string | undefined): Author {
  const who = caller(c);
  return who.kind === 'agent' ? { from: agentName(who), fromHost: who.host } : { from: from ?? 'user', fromHost: null };
}

/**
 * Direct messages, to mount at `/api/messages`.
 *
 * @example app.route('/api/messages', messageRoutes({ store: messages, messenger, caller }));
 */
export function messageRoutes(options: MessageRoutesOptions): Hono {
  const app = new Hono();
  app.onError(routeErrorHandler);
  app.get('/', async (c) => c.json(await options.store.list(queryOf(c, MessageListQuerySchema))));
  app.post('/', async (c) => {
    const request = await jsonBody(c, SendMessageRequestSchema);
    return c.json(await options.messenger.send({ ...author(options.caller, c, request.from), to: request.to, text: request.text }), 201);
  });
  return app;
}

/**
 * The channel, to mount at `/api/channel`: posts oldest first; `@session` and `@role` mentions are delivered.
 *
 * @example app.route('/api/channel', channelRoutes({ store: messages, messenger, caller }));
 */
export function channelRoutes(options: MessageRoutesOptions): Hono {
  const app = new Hono();
  app.onError(routeErrorHandler);
  app.get('/', async (c) => c.json(await options.store.channel(queryOf(c, ChannelQuerySchema))));
  app.post('/', async (c) => {
    const request = await jsonBody(c, ChannelPostRequestSchema);
    return c.json(await options.messenger.post({ ...author(options.caller, c, request.from), text: request.text }), 201);
  });
  return app;
}
