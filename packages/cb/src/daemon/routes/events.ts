import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { FlotillaEvent } from '@flotilla/protocol';
import type { DaemonContext } from '../context.js';

/** A comment line this often keeps proxies and idle-killing clients from dropping the stream. */
const HEARTBEAT_MS = 15_000;
const BATCH = 500;

function lastEventId(header: string | undefined, queryValue: string | undefined): number | null {
  const raw = header ?? queryValue;
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/**
 * SSE of the outbox: each row's id is the event id. A client resuming with a Last-Event-ID gets
 * every later row, or a `resync` event when its id is older than what the outbox still holds.
 */
export function eventRoutes(ctx: DaemonContext): Hono {
  const app = new Hono();
  app.get('/', (c) =>
    streamSSE(c, async (stream) => {
      const bounds = await ctx.store.eventBounds();
      let cursor = lastEventId(c.req.header('last-event-id'), c.req.query('lastEventId')) ?? bounds.latest;
      if (bounds.oldest !== null && cursor < bounds.oldest - 1) {
        const resync = { id: bounds.latest, at: ctx.now().toISOString(), host: ctx.host, type: 'resync', reason: `events after ${cursor} were pruned; reload state` };
        await stream.writeSSE({ id: String(bounds.latest), event: 'resync', data: JSON.stringify(resync) });
        cursor = bounds.latest;
      }
      let wake: (() => void) | null = null;
      let dirty = false;
      const unsubscribe = ctx.bus.subscribe(() => {
        dirty = true;
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      const send = async (event: FlotillaEvent) => {
        await stream.writeSSE({ id: String(event.id), event: event.type, data: JSON.stringify(event) });
        cursor = event.id;
      };
      while (!stream.aborted && !stream.closed) {
        dirty = false;
        const events = await ctx.store.eventsAfter(cursor, BATCH);
        for (const event of events) await send(event);
        if (events.length === BATCH || dirty) continue;
        const timedOut = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), HEARTBEAT_MS);
          wake = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
        wake = null;
        if (timedOut && !stream.aborted) await stream.write(': ping\n\n');
      }
      unsubscribe();
    }),
  );
  return app;
}
