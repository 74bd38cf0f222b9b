/**
 * A bare host's event stream, kept in the hub's memory only (a bare host has no durable event
 * log). Ids start at the feed's creation time in microseconds, so they only grow across hub
 * restarts; a reader resuming from an id this feed did not issue (an earlier hub process, or one
 * that fell out of the buffer) gets `resync` and re-reads the host's jobs and sessions, which the
 * host's files hold. The hub's host-event-sync reads this stream exactly as it reads a daemon's.
 */
import type { FlotillaEvent, TransportStream } from '@flotilla/protocol';
import type { BareChange } from './bare-derive.js';

/** Every bare feed id is above this (a start time after 2001, in µs); no daemon's outbox gets near it. */
export const BARE_EVENT_ID_FLOOR = 1e15;
/** Events kept for readers that reconnect (a link that dropped for a moment). */
const KEEP_EVENTS = 2_000;

export interface BareEventFeed {
  publish(changes: readonly BareChange[]): FlotillaEvent[];
  /** An SSE stream from `lastEventId` (none: live events only), ending when `signal` aborts. */
  stream(lastEventId: number | null, signal?: AbortSignal): TransportStream;
  /**
   * The host's objects were primed from the hub's mirror before the first look (a hub restart):
   * a reader resuming from an older id is then owed exactly the events published since, not a resync.
   */
  markSeeded(): void;
  /** Called after every publish; returns the unsubscribe function. */
  onPublish(listener: () => void): () => void;
  lastId(): number;
}

export function createBareEventFeed(options: { host: string; now?: () => Date }): BareEventFeed {
  const now = options.now ?? (() => new Date());
  const base = now().getTime() * 1_000;
  let next = base + 1;
  let seeded = false;
  const kept: FlotillaEvent[] = [];
  const listeners = new Set<() => void>();

  const publish = (changes: readonly BareChange[]): FlotillaEvent[] => {
    const events = changes.map((change) => ({ ...change, id: next++, at: now().toISOString(), host: options.host }) as FlotillaEvent);
    kept.push(...events);
    if (kept.length > KEEP_EVENTS) kept.splice(0, kept.length - KEEP_EVENTS);
    if (events.length > 0) for (const listener of [...listeners]) listener();
    return events;
  };

  /** What a reader resuming from `lastEventId` must get before live events. */
  const backlog = (lastEventId: number | null): FlotillaEvent[] => {
    if (lastEventId === null || lastEventId === next - 1) return [];
    const oldest = kept[0]?.id ?? next;
    if (lastEventId >= base && lastEventId < next && lastEventId >= oldest - 1) return kept.filter((event) => event.id > lastEventId);
    if (lastEventId < base && seeded && oldest === base + 1) return [...kept];
    const reason = lastEventId < base ? 'the bare host was read again after a hub restart (it keeps no event log)' : 'events were lost';
    return [{ type: 'resync', reason, id: next - 1, at: now().toISOString(), host: options.host } as FlotillaEvent];
  };

  return {
    publish,
    markSeeded: () => {
      seeded = true;
    },
    onPublish: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    lastId: () => next - 1,
    stream: (lastEventId, signal) => {
      const pending: FlotillaEvent[] = backlog(lastEventId);
      let sentUpTo = Math.max(lastEventId ?? next - 1, ...pending.map((event) => event.id));
      let wake: (() => void) | null = null;
      const unsubscribe = (): void => void listeners.delete(onPublish);
      const onPublish = (): void => {
        for (const event of kept) if (event.id > sentUpTo) pending.push(event);
        sentUpTo = Math.max(sentUpTo, next - 1);
        wake?.();
      };
      listeners.add(onPublish);
      let closed = false;
      const close = (): void => {
        closed = true;
        unsubscribe();
        wake?.();
      };
      signal?.addEventListener('abort', close, { once: true });
      async function* chunks(): AsyncGenerator<string> {
        try {
          while (!closed) {
            const event = pending.shift();
            if (event) {
              yield `id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`;
              continue;
            }
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
          }
        } finally {
          close();
        }
      }
      return { status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: chunks(), close };
    },
  };
}
