/**
 * `/api/events` on the hub: its outbox as SSE, exactly as a daemon streams its own — each row's id
 * is the event id, a reader resuming with Last-Event-ID gets every later row, or `resync` when the
 * rows it missed were pruned.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Hub } from './hub.js';

const HEARTBEAT_MS = 15_000;
const BATCH = 500;

function lastEventId(header: string | undefined, queryValue: string | undefined): number | null {
  const raw = header ?? queryValue;
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

export function hubEventRoutes(hub: Hub): Hono {
  const app = new Hono();
  app.get('/', (c) =>
    streamSSE(c, async (stream) => {
      const bounds = hub.store.eventBounds();
      let cursor = lastEventId(c.req.header('last-event-id'), c.req.query('lastEventId')) ?? bounds.latest;
      if (bounds.oldest !== null && cursor < bounds.oldest - 1) {
        const resync = { id: bounds.latest, at: new Date().toISOString(), host: hub.name, type: 'resync', reason: `events after ${cursor} were pruned; reload state` };
        await stream.writeSSE({ id: String(bounds.latest), event: 'resync', data: JSON.stringify(resync) });
        cursor = bounds.latest;
      }
      let wake: (() => void) | null = null;
      let dirty = false;
      const unsubscribe = hub.subscribe(() => {
        dirty = true;
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      while (!stream.aborted && !stream.closed) {
        dirty = false;
        const events = hub.store.eventsAfter(cursor, BATCH);
        for (const event of events) {
          await stream.writeSSE({ id: String(event.id), event: event.type, data: JSON.stringify(event) });
          cursor = event.id;
        }
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
