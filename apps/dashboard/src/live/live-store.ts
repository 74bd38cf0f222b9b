import type { Capabilities, FlotillaClient, FlotillaEvent } from '@flotilla/protocol';
import type { HubClient } from '../api/hub';
import { hubFeatures } from '../api/hub-features';
import type { HubUpdate } from './hub-state';
import { applyEvent, initialState, withSnapshot, type LiveState, type Snapshot } from './live-state';

/** No byte for this long (the daemon sends a ping every 15 s) means the stream is dead. */
const SILENCE_MS = 35_000;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;
/** Events that change what `/api/inbox` answers; it is refetched (coalesced) after them. */
const INBOX_EVENTS = new Set(['inbox.changed', 'notification', 'session.state', 'session.ended', 'job.ended']);

export interface LiveStore {
  getState(): LiveState;
  subscribe(listener: () => void): () => void;
  /** Loads a snapshot, then follows the event stream, reconnecting by itself, until `stop`. */
  start(): void;
  stop(): void;
  /** Fetches the snapshot again (after an action whose result the page wants at once). */
  refresh(): Promise<void>;
  /** Called with every applied event (pages that follow one object's details listen here). */
  onEvent(listener: (event: FlotillaEvent) => void): () => void;
  /**
   * An object a hub call just answered with (an added task, a posted message): shown at once, not
   * when its event arrives; the event, when it comes, carries the same or a newer copy.
   */
  received(update: HubUpdate): void;
}

export interface LiveStoreOptions {
  jobLimit?: number;
  /**
   * Loads the hub's client: with it, a server that says it is a hub is asked for hosts, board and
   * channel too. A loader, so that a lone daemon's page never fetches the code.
   */
  hub?: () => Promise<HubClient>;
}

/** The hub's reducers and snapshot, a chunk of their own: loaded only when the server is a hub. */
type HubModule = typeof import('./hub-live');

export function createLiveStore(client: FlotillaClient, options: LiveStoreOptions = {}): LiveStore {
  let state = initialState;
  let hub: HubModule | null = null;
  const listeners = new Set<() => void>();
  const eventListeners = new Set<(event: FlotillaEvent) => void>();
  let controller: AbortController | null = null;
  let inboxTimer: ReturnType<typeof setTimeout> | null = null;

  let notifying = false;
  /**
   * The state changes at once (getState is always current); listeners hear of it once per task, so
   * the events of one network chunk — applied one microtask apart — cause one render, not one each.
   */
  function set(next: LiveState): void {
    if (next === state) return;
    state = next;
    if (notifying) return;
    notifying = true;
    setTimeout(() => {
      notifying = false;
      for (const listener of listeners) listener();
    }, 0);
  }

  async function snapshot(): Promise<Snapshot> {
    const asked = client.capabilities();
    // The hub's part starts as soon as the server has said what it is, beside the rest.
    const [capabilities, page, sessions, pauses, inbox, hub] = await Promise.all([
      asked,
      client.listJobs({ limit: options.jobLimit ?? 200 }),
      client.listSessions({ all: true }),
      client.pauses(),
      client.inbox(),
      asked.then((capabilities) => hubPart(capabilities)),
    ]);
    return { capabilities, jobs: page.items, sessions, pauses, inbox, hub };
  }

  async function hubPart(capabilities: Capabilities): Promise<Snapshot['hub']> {
    if (!options.hub || hubFeatures(capabilities).size === 0) return null;
    const [hubClient, module] = await Promise.all([options.hub(), import('./hub-live')]);
    hub = module;
    return module.hubSnapshot(hubClient, capabilities);
  }

  function scheduleInbox(): void {
    if (inboxTimer !== null) return;
    inboxTimer = setTimeout(() => {
      inboxTimer = null;
      client.inbox().then(
        (inbox) => set({ ...state, inbox }),
        () => undefined,
      );
    }, 150);
  }

  function apply(event: FlotillaEvent): void {
    if (event.type === 'resync') {
      void refresh();
      return;
    }
    const next = applyEvent(state, event);
    set(hub ? hub.applyHubEvent(next, event) : next);
    if (INBOX_EVENTS.has(event.type)) scheduleInbox();
    for (const listener of eventListeners) listener(event);
  }

  async function refresh(): Promise<void> {
    const fetched = await snapshot();
    const next = withSnapshot(state, fetched);
    set(fetched.hub && hub ? hub.withHubSnapshot(next, fetched.hub, Date.now()) : next);
  }

  /** One connection: snapshot when there is nothing to resume from, then events until it breaks. */
  async function follow(signal: AbortSignal): Promise<void> {
    if (state.lastEventId === null) await refresh();
    const silence = new AbortController();
    signal.addEventListener('abort', () => silence.abort(), { once: true });
    let timer = setTimeout(() => silence.abort(), SILENCE_MS);
    const stream = client.events({ lastEventId: state.lastEventId ?? undefined, signal: silence.signal });
    set({ ...state, connection: 'live', offlineSince: null });
    try {
      for await (const event of stream) {
        clearTimeout(timer);
        timer = setTimeout(() => silence.abort(), SILENCE_MS);
        apply(event);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async function loop(signal: AbortSignal): Promise<void> {
    let delay = RETRY_MIN_MS;
    while (!signal.aborted) {
      const startedAt = Date.now();
      try {
        await follow(signal);
      } catch {
        // offline: shown below, retried with backoff
      }
      if (signal.aborted) return;
      if (state.connection !== 'offline') set({ ...state, connection: 'offline', offlineSince: Date.now() });
      if (Date.now() - startedAt > RETRY_MAX_MS) delay = RETRY_MIN_MS;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      if (controller) return;
      controller = new AbortController();
      void loop(controller.signal);
    },
    stop() {
      controller?.abort();
      controller = null;
    },
    refresh,
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    received(update) {
      // The hub's pages call this only on a hub, whose reducers the snapshot loaded.
      if (hub) set(hub.withHubUpdate(state, update, Date.now()));
    },
  };
}

