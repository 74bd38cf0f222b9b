import type { Hono } from 'hono';
import { outboxEventRoutes } from '@flotilla/kit/http';
import type { Hub } from './hub.js';

/** `/api/events` on the hub: its outbox as SSE, exactly as a daemon streams its own (kit's outbox route). */
export function hubEventRoutes(hub: Hub): Hono {
  return outboxEventRoutes({
    bounds: () => hub.store.eventBounds(),
    after: (cursor, limit) => hub.store.eventsAfter(cursor, limit),
    subscribe: (listener) => hub.subscribe(listener),
    resync: (latest, cursor) => ({ id: latest, at: new Date().toISOString(), host: hub.name, type: 'resync', reason: `events after ${cursor} were pruned; reload state` }),
  });
}
