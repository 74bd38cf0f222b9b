/**
 * The outbound queue of messages and channel posts. Every message is committed to the database
 * before anyone is told anything, then sent in order by one loop: at least once, each with its
 * idempotency key (`x-flotilla-idempotency-key`) so the hub drops a repeat. While the hub is
 * unreachable, or answers 5xx, 408 or 429, the loop retries with a growing pause; a message the hub
 * refuses (any other 4xx) is final: set aside with the hub's words, so one bad message never blocks
 * the ones behind it, and — when its sender was no longer waiting for the answer — handed to
 * `onRefused` so that someone hears of it (see refusals.ts).
 */
import createDebug from 'debug';
import { ulid } from 'ulidx';
import { isProtocolError, type TransportResponse } from '@flotilla/protocol';
import type { HubClient } from './hub-client.js';
import { IDEMPOTENCY_HEADER, SENDER_ID_HEADER } from './identity.js';
import type { RefusedMessage } from './refusals.js';
import type { OutboundMessage, RelayPath, RelayStore } from './store.js';

const debug = createDebug('cb:relay');

export interface OutboxTiming {
  /** First pause after a failed send; doubled after each further one. */
  retryBaseMs: number;
  /** The longest pause: a hub that comes back is noticed within this long. */
  retryMaxMs: number;
  /** How long a request waits for its own message to reach the hub before answering 202 queued. */
  sendWaitMs: number;
}

export const DEFAULT_OUTBOX_TIMING: OutboxTiming = { retryBaseMs: 500, retryMaxMs: 15_000, sendWaitMs: 3_000 };

/**
 * Why a message is still queued when its sender is answered: no hub could be reached; a hub
 * answered that it cannot take it now (5xx, 408, 429); or the hub was reached but had not answered
 * within `sendWaitMs` (the request goes on: the message will be sent all the same).
 */
export type QueuedReason = 'hub_not_connected' | 'hub_busy' | 'hub_slow';

/** What a send came to: the hub's answer, or still queued, and why. */
export type SendOutcome = { sent: true; response: TransportResponse } | { sent: false; message: OutboundMessage; reason: QueuedReason; waitedMs: number };

type Settled = TransportResponse | QueuedReason;

export interface Outbox {
  /** Queues the message (committed), kicks the loop, and waits a little for the hub's answer. */
  send(path: RelayPath, body: unknown, headers: Record<string, string>): Promise<SendOutcome>;
  /** Runs the loop now (it also runs by itself after every send and on its retry timer). */
  drain(): Promise<void>;
  close(): void;
}

/** Answers worth sending again: the hub in trouble (5xx), or asking for time (408 timeout, 429 too many). */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export interface OutboxOptions {
  store: RelayStore;
  hub: HubClient;
  timing?: Partial<OutboxTiming>;
  /** A message the hub refused after its sender stopped waiting (it was told "queued"). */
  onRefused?: (refused: RefusedMessage) => Promise<void>;
}

export function createOutbox(options: OutboxOptions): Outbox {
  const { store, hub } = options;
  const timing = { ...DEFAULT_OUTBOX_TIMING, ...options.timing };
  const waiters = new Map<number, (settled: Settled) => void>();
  let running: Promise<void> | null = null;
  let again = false;
  let failures = 0;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  function settle(id: number, settled: Settled): void {
    waiters.get(id)?.(settled);
    waiters.delete(id);
  }

  /** One pass in order; the reason it stopped when the hub could not take a message (the rest waits for the retry). */
  async function pass(): Promise<QueuedReason | null> {
    for (;;) {
      const batch = await store.pendingMessages(50);
      if (batch.length === 0) return null;
      for (const message of batch) {
        let response: TransportResponse;
        try {
          response = await hub.request({ method: 'POST', path: message.path, body: message.body, headers: wireHeaders(message) });
        } catch (error) {
          const reason = isProtocolError(error) ? error.message : String(error);
          await store.messageFailed(message.id, reason, false);
          return 'hub_not_connected';
        }
        if (isRetryableStatus(response.status)) {
          await store.messageFailed(message.id, `the hub answered ${response.status}: ${JSON.stringify(response.body).slice(0, 500)}`, false);
          return 'hub_busy';
        }
        if (response.status >= 400) await refused(message, response);
        else await store.messageSent(message.id);
        settle(message.id, response);
      }
    }
  }

  /** Final: set aside, and told to someone unless its sender is still waiting for this very answer. */
  async function refused(message: OutboundMessage, response: TransportResponse): Promise<void> {
    await store.messageFailed(message.id, `the hub refused it (${response.status}): ${JSON.stringify(response.body).slice(0, 1000)}`, true);
    if (waiters.has(message.id) || !options.onRefused) return;
    await options.onRefused({ message, status: response.status, body: response.body }).catch((error: unknown) => debug('announcing refused message %d failed: %o', message.id, error));
  }

  function scheduleRetry(): void {
    if (closed || timer) return;
    const delay = Math.min(timing.retryMaxMs, timing.retryBaseMs * 2 ** Math.min(failures - 1, 20));
    timer = setTimeout(() => {
      timer = null;
      void drain();
    }, delay);
    timer.unref();
  }

  async function loop(): Promise<void> {
    do {
      again = false;
      const stopped = await pass().catch((error: unknown): QueuedReason => {
        debug('relay outbox pass failed: %o', error);
        return 'hub_not_connected';
      });
      if (stopped === null) failures = 0;
      else {
        failures += 1;
        // Whoever waits for a message behind an unreachable hub is answered "queued" now, not at its timeout.
        for (const id of [...waiters.keys()]) settle(id, stopped);
        scheduleRetry();
        return;
      }
    } while (again && !closed);
  }

  function drain(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = loop().finally(() => (running = null));
    return running;
  }

  return {
    async send(path, body, headers) {
      const message = await store.enqueueMessage({ key: ulid(), path, body, headers });
      const answered = new Promise<Settled>((resolve) => {
        waiters.set(message.id, resolve);
        setTimeout(() => settle(message.id, 'hub_slow'), timing.sendWaitMs).unref();
      });
      if (timer) {
        // A new message is a reason to try again now rather than at the end of the pause.
        clearTimeout(timer);
        timer = null;
      }
      void drain();
      const settled = await answered;
      if (typeof settled === 'string') return { sent: false, message, reason: settled, waitedMs: timing.sendWaitMs };
      return { sent: true, response: settled };
    },
    drain,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      // The daemon is stopping: the message stays queued and is sent by the next one.
      for (const id of [...waiters.keys()]) settle(id, 'hub_not_connected');
    },
  };
}

/** The headers a message goes to the hub with: its sender's identity and idempotency key, not what stays here. */
function wireHeaders(message: OutboundMessage): Record<string, string> {
  const { [SENDER_ID_HEADER]: _kept, ...headers } = message.headers;
  return { ...headers, [IDEMPOTENCY_HEADER]: message.key };
}
