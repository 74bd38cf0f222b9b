/**
 * `/api/events` for any Flotilla outbox (a daemon's, a hub's): SSE where each row's id is the event
 * id. A reader resuming with Last-Event-ID (header, or `?lastEventId=`) gets every later row, or a
 * `resync` event when the rows it missed were pruned; new rows are pushed as they are written, with
 * a comment line every 15 s so idle-killing proxies keep the stream.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';

const HEARTBEAT_MS = 15_000;
const BATCH = 500;

export interface OutboxEventSource<E extends { id: number; type: string }> {
  bounds(): Promise<{ oldest: number | null; latest: number }> | { oldest: number | null; latest: number };
  after(cursor: number, limit: number): Promise<E[]> | E[];
  /** Calls `listener` whenever rows may have been written; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** The `resync` event (id `latest`) for a reader whose rows after `cursor` are gone. */
  resync(latest: number, cursor: number): { id: number; type: 'resync' } & Record<string, unknown>;
}

function lastEventId(header: string | undefined, queryValue: string | undefined): number | null {
  const raw = header ?? queryValue;
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/** The route to mount at `/api/events`. */
export function outboxEventRoutes<E extends { id: number; type: string }>(source: OutboxEventSource<E>): Hono {
  const app = new Hono();
  app.get('/', (c) =>
    streamSSE(c, async (stream) => {
      const bounds = await source.bounds();
      let cursor = lastEventId(c.req.header('last-event-id'), c.req.query('lastEventId')) ?? bounds.latest;
      if (bounds.oldest !== null && cursor < bounds.oldest - 1) {
        await stream.writeSSE({ id: String(bounds.latest), event: 'resync', data: JSON.stringify(source.resync(bounds.latest, cursor)) });
        cursor = bounds.latest;
      }
      let wake: (() => void) | null = null;
      let dirty = false;
      const unsubscribe = source.subscribe(() => {
        dirty = true;
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      while (!stream.aborted && !stream.closed) {
        dirty = false;
        const events = await source.after(cursor, BATCH);
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
