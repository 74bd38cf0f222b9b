import type { Hono } from 'hono';
import { outboxEventRoutes } from '@flotilla/kit/http';
import type { DaemonContext } from '../context.js';

/** `/api/events`: the daemon's outbox as SSE (kit's outbox route; see there for resume and resync). */
export function eventRoutes(ctx: DaemonContext): Hono {
  return outboxEventRoutes({
    bounds: () => ctx.store.eventBounds(),
    after: (cursor, limit) => ctx.store.eventsAfter(cursor, limit),
    subscribe: (listener) => ctx.bus.subscribe(listener),
    resync: (latest, cursor) => ({ id: latest, at: ctx.now().toISOString(), host: ctx.host, type: 'resync', reason: `events after ${cursor} were pruned; reload state` }),
  });
}
