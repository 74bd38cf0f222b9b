/**
 * `POST /api/notifications` on a lone cb daemon, as on a hub: a client with the daemon's token (a
 * director dispatching through this daemon, raising its pause alert) says something people should
 * hear. It becomes a `notification` event, which the dashboard shows as an alert and the Telegram
 * bot sends. Job tokens (agents) never reach it: the gated app lets them into the relay only.
 */
import { Hono } from 'hono';
import { NotificationRequestSchema } from '@flotilla/protocol';
import type { DaemonContext } from '../context.js';
import { jsonBody } from './validate.js';

export function notificationRoutes(ctx: Pick<DaemonContext, 'store' | 'bus'>): Hono {
  const app = new Hono();
  app.post('/notifications', async (c) => {
    const { title, body, level, kind } = await jsonBody(c, NotificationRequestSchema);
    await ctx.store.appendEvents([{ type: 'notification', jobId: null, sessionId: null, title, body, level, ...(kind === undefined ? {} : { kind }) }]);
    ctx.bus.notify();
    return c.json({ published: true }, 201);
  });
  return app;
}
