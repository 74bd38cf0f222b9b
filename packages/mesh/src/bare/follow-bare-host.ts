/**
 * A hub's session with a bare host, from its host connection: the host's jobs and sessions read
 * from its files (the first time in a hub process, on top of what the hub's mirror holds, so a
 * restart publishes only real changes), a look every few seconds, and the resulting events
 * followed into the hub store exactly as a daemon's are — until the session ends (link down, two
 * failed looks, or cb runs there now, asked again every so often).
 */
import createDebug from 'debug';
import type { DaemonStatus } from '@flotilla/protocol';
import { syncHostEvents } from '../hub/host-event-sync.js';
import type { HubStore } from '../hub/hub-store.js';
import { BARE_EVENT_ID_FLOOR } from './bare-event-feed.js';
import { pollBareHost } from './bare-poller.js';
import type { BareDriver } from './index.js';

const log = createDebug('flotilla:mesh:bare');
/** How many mirrored jobs seed a bare host after a hub restart (as many as a load reads). */
const SEED_JOBS = 500;

export interface FollowBareHostOptions {
  name: string;
  driver: BareDriver;
  store: HubStore;
  changed(): void;
  /** Aborting it ends the session; aborted here when the looks fail or cb runs there now. */
  session: AbortController;
  pollMs: number;
  recheckMs: number;
  /** Whether cb runs on the host now (asked every `recheckMs`). */
  daemonRuns(): Promise<boolean>;
  /** The host is attached (bare), with this status. */
  onAttached(status: DaemonStatus): void;
  /** After every look: its round trip and the status since. */
  onLook(ms: number, status: DaemonStatus): void;
}

export async function followBareHost(options: FollowBareHostOptions): Promise<void> {
  const { driver, store, session, name } = options;
  const seed = driver.host.loaded ? undefined : { jobs: store.listJobs({ host: name, limit: SEED_JOBS }).items, sessions: store.listSessions({ host: name, all: true }) };
  await driver.host.load(seed);
  options.onAttached(await driver.client.status());
  const onLook = async (ms: number): Promise<void> => options.onLook(ms, await driver.client.status());
  const polling = pollBareHost({ host: driver.host, intervalMs: options.pollMs, signal: session.signal, onLook, onGiveUp: () => session.abort() });
  const recheck = recheckDaemon(options);
  try {
    await syncHostEvents({ host: name, transport: driver.transport, client: driver.client, store, changed: options.changed, signal: session.signal });
  } finally {
    session.abort();
    await Promise.all([polling, recheck]);
  }
}

/** Ends the session when cb runs on the host now (after `mesh hosts bootstrap`). */
async function recheckDaemon(options: FollowBareHostOptions): Promise<void> {
  const { signal } = options.session;
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.recheckMs);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
    if (signal.aborted) return;
    if (await options.daemonRuns().catch(() => false)) {
      log('%s: cb runs there now; leaving bare mode', options.name);
      options.session.abort();
    }
  }
}

/**
 * For a host that was bare and runs cb now: the cursor the hub kept is the bare feed's (ids from
 * its start time in µs), far past any daemon event id, and a daemon would send nothing after it.
 * The host is forgotten (cursor and session mirror; jobs stay) so its daemon's events start from a
 * snapshot.
 */
export function forgetBareCursor(store: HubStore, host: string): void {
  const cursor = store.cursor(host);
  if (cursor === null || cursor < BARE_EVENT_ID_FLOOR) return;
  log('%s: was bare; starting its daemon events from a snapshot', host);
  store.forgetHost(host);
}
