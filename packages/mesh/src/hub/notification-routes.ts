/**
 * `POST /api/notifications` on the hub: a client with the hub's token (the director's pause alert)
 * says something people should hear. It becomes a `notification` event in the hub's outbox, which
 * every dashboard shows as an alert and the Telegram bot sends — the same event a daemon writes
 * when a job ends or an agent is rate-limited.
 */
import { Hono } from 'hono';
import { NotificationRequestSchema } from '@flotilla/protocol';
import { jsonBody } from './board-routes-http.js';
import type { PublishEvent } from './hub-events.js';

/**
 * @example
 * app.route('/api', notificationRoutes({ publish: (event) => hub.publish(event) }));
 */
export function notificationRoutes(options: { publish: PublishEvent }): Hono {
  const app = new Hono();
  app.post('/notifications', async (c) => {
    const { title, body, level, kind } = await jsonBody(c, NotificationRequestSchema);
    // Not a job's or a session's: the bot sends it as it is.
    await options.publish({ type: 'notification', jobId: null, sessionId: null, title, body, level, ...(kind === undefined ? {} : { kind }) });
    return c.json({ published: true }, 201);
  });
  return app;
}
