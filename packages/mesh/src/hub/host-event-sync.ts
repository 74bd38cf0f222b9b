/**
 * Copies one host's daemon events into the hub: resumes from the host's cursor (kept in hub.db in
 * the same transaction as each re-sequenced event), and takes a snapshot of the host's jobs and
 * sessions when there is no cursor yet or the daemon says `resync`. Snapshot and stream may
 * arrive in either order: the mirror keeps the newer copy of each object.
 */
import { createSseParser, parseEvent, type FlotillaClient, type FlotillaEvent, type Job, type Transport } from '@flotilla/protocol';
import type { HubStore } from './hub-store.js';

/** How many of a host's newest jobs a snapshot copies (live ones are always among them in practice). */
const SNAPSHOT_JOBS = 1_000;
const PAGE = 200;

export interface SyncHostEventsOptions {
  host: string;
  /** The raw transport to the daemon: the stream must be open before a first snapshot is read. */
  transport: Transport;
  client: FlotillaClient;
  store: HubStore;
  changed(): void;
  signal: AbortSignal;
}

/** Resolves when the stream ends (link lost, daemon gone, or `signal` aborted). */
export async function syncHostEvents(options: SyncHostEventsOptions): Promise<void> {
  const { host, transport, store, changed, signal } = options;
  const cursor = store.cursor(host);
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (cursor !== null) headers['last-event-id'] = String(cursor);
  const stream = await transport.stream({ method: 'GET', path: '/api/events', headers, signal });
  try {
    if (stream.status >= 400) throw new Error(`the daemon refused its event stream (HTTP ${stream.status})`);
    // The daemon fixed where this stream starts before it answered: a snapshot read now misses nothing.
    if (cursor === null) await snapshot(options);
    const parse = createSseParser();
    for await (const chunk of stream.chunks) {
      for (const message of parse(chunk)) {
        const event = readEvent(message.data);
        if (event === null) continue;
        if (event.type === 'resync') {
          store.applyHostEvent(host, event);
          await snapshot(options);
        } else if (store.applyHostEvent(host, event)) changed();
      }
    }
  } finally {
    stream.close();
  }
}

/** The event in an SSE message; null for a type this hub does not know or a malformed one (skipped). */
function readEvent(data: string): FlotillaEvent | null {
  try {
    return parseEvent(JSON.parse(data) as unknown);
  } catch {
    return null;
  }
}

async function snapshot({ host, client, store, changed }: SyncHostEventsOptions): Promise<void> {
  const jobs: Job[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listJobs({ limit: PAGE, cursor });
    jobs.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && jobs.length < SNAPSHOT_JOBS);
  const sessions = await client.listSessions({ all: true });
  if (store.applySnapshot(host, jobs, sessions).length > 0) changed();
}
