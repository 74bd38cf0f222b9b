/**
 * Delivers stored messages into sessions. A message is committed before anyone hears of it; then
 * each delivery is tried at once. One that fails (the session is down, its host unreachable)
 * stays `queued` and is retried with backoff, and at once whenever `poke(session)` says the
 * session came up — so a session that was down gets its messages later, in order.
 */
import createDebug from 'debug';
import { ProtocolError, SessionNameSchema, type Message } from '@flotilla/protocol';
import type { PublishEvent } from './hub-events.js';
import { publishCommitted } from './board-routes-http.js';
import { CHANNEL_TARGET, type MessageStore, type QueuedDelivery } from './message-store.js';
import { deliveredText, parseMentions } from './message-text.js';

const debug = createDebug('mesh:messages');

/** The longest wait between two attempts at one session, however often it failed. */
const MAX_RETRY_MS = 5 * 60_000;
/** A delivery still queued after this long is given up (`failed`): its news is stale by then. */
const GIVE_UP_AFTER_MS = 24 * 60 * 60_000;

export interface DeliveryTarget {
  session: string;
  /** Null when the session is not running anywhere now (the delivery waits for it). */
  host: string | null;
}

export interface MessageDeliveryOptions {
  store: MessageStore;
  /** The sessions a session name or `@role` stands for, with their hosts. */
  resolveTarget: (to: string) => Promise<DeliveryTarget[]>;
  /** Types `text` into `session` on `host` as one turn; rejects when it cannot. */
  deliver: (host: string, session: string, text: string) => Promise<void>;
  publish: PublishEvent;
  /** The first retry's delay; it doubles with each failure, up to 5 minutes. */
  retryMs: number;
  now?: () => Date;
}

export interface Author {
  from: string;
  fromHost: string | null;
}

export interface Messenger extends AsyncDisposable {
  /** Stores a direct message (to a session or `@role`) and starts delivering it; resolves the stored message. */
  send(input: Author & { to: string; text: string }): Promise<Message>;
  /** Stores a channel post and starts delivering it to every mentioned session. */
  post(input: Author & { text: string }): Promise<Message>;
  /** The session is up (again): try its queued deliveries now. */
  poke(session: string): void;
  /** Resolves once no delivery attempt is running. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * @example
 * const messenger = startMessageDelivery({ store: messages, resolveTarget, deliver: (host, session, text) => fleet.send(host, session, text), publish, retryMs: 2_000 });
 * app.route('/api/messages', messageRoutes({ store: messages, messenger, caller }));
 */
export function startMessageDelivery(options: MessageDeliveryOptions): Messenger {
  const now = options.now ?? (() => new Date());
  const draining = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const backoff = new Map<string, { failures: number; nextAt: number }>();
  let stopped = false;

  const drain = (session: string): void => {
    if (stopped) return;
    if (draining.has(session)) {
      again.add(session);
      return;
    }
    const run = (async () => {
      do {
        again.delete(session);
        await drainSession(session);
      } while (again.has(session) && !stopped);
    })()
      .catch((error: unknown) => debug('delivering to %s failed: %o', session, error))
      .finally(() => draining.delete(session));
    draining.set(session, run);
  };

  /** Oldest first; stops at the first failure so that a session never gets messages out of order. */
  async function drainSession(session: string): Promise<void> {
    for (const queued of await options.store.queued(session)) {
      if (stopped) return;
      if (!(await attempt(queued))) {
        const failures = (backoff.get(session)?.failures ?? 0) + 1;
        backoff.set(session, { failures, nextAt: now().getTime() + Math.min(options.retryMs * 2 ** (failures - 1), MAX_RETRY_MS) });
        return;
      }
      backoff.delete(session);
    }
  }

  async function attempt({ message, delivery }: QueuedDelivery): Promise<boolean> {
    const { session } = delivery;
    if (now().getTime() - Date.parse(message.createdAt) > GIVE_UP_AFTER_MS) {
      await changed(await options.store.markFailed(message.id, session, `not delivered within ${GIVE_UP_AFTER_MS / 3_600_000} h; given up`));
      return true;
    }
    const host = (await currentHost(session)) ?? delivery.host;
    if (host === null) {
      await changed(await options.store.markAttemptFailed(message.id, session, { error: `session ${session} is not running on any host`, host: null }));
      return false;
    }
    try {
      await options.deliver(host, session, deliveredText(message));
    } catch (error) {
      await changed(await options.store.markAttemptFailed(message.id, session, { error: (error as Error).message, host }));
      return false;
    }
    await changed(await options.store.markDelivered(message.id, session, now()));
    return true;
  }

  async function currentHost(session: string): Promise<string | null> {
    try {
      return (await options.resolveTarget(session)).find((target) => target.session === session)?.host ?? null;
    } catch (error) {
      debug('cannot find the host of %s: %o', session, error);
      return null;
    }
  }

  const changed = (message: Message) => publishCommitted(options.publish, { type: 'message.updated', message });

  async function store(message: Parameters<MessageStore['create']>[0]): Promise<Message> {
    const stored = await options.store.create(message);
    await publishCommitted(options.publish, { type: 'message.created', message: stored });
    for (const delivery of stored.deliveries) drain(delivery.session);
    return stored;
  }

  const timer = setInterval(() => void retryDue().catch((error: unknown) => debug('retry pass failed: %o', error)), options.retryMs);
  timer.unref();
  async function retryDue(): Promise<void> {
    const at = now().getTime();
    for (const session of await options.store.queuedSessions()) if ((backoff.get(session)?.nextAt ?? 0) <= at) drain(session);
  }
  void retryDue().catch((error: unknown) => debug('resuming queued deliveries failed: %o', error));

  const settled = async (): Promise<void> => {
    while (draining.size > 0) await Promise.all(draining.values());
  };
  const stop = async (): Promise<void> => {
    stopped = true;
    clearInterval(timer);
    await settled();
  };
  return {
    send: async ({ to, text, from, fromHost }) => store({ from, fromHost, to, text, mentions: parseMentions(text), deliveries: await directTargets(options, to) }),
    post: async ({ text, from, fromHost }) => {
      const mentions = parseMentions(text);
      return store({ from, fromHost, to: CHANNEL_TARGET, text, mentions, deliveries: await mentionTargets(options, mentions, from) });
    },
    poke: (session) => {
      backoff.delete(session);
      drain(session);
    },
    settled,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** A session name or `@role`; a session nobody knows yet still gets its delivery, queued until it appears. */
async function directTargets(options: MessageDeliveryOptions, to: string): Promise<DeliveryTarget[]> {
  if (to === CHANNEL_TARGET) throw new ProtocolError('VALIDATION_FAILED', 'to: the channel takes posts, not messages', { fix: 'post with `mesh channel post "text"`' });
  const role = to.startsWith('@');
  if (!SessionNameSchema.safeParse(role ? to.slice(1) : to).success) {
    throw new ProtocolError('VALIDATION_FAILED', `to: "${to}" is neither a session name nor @role`, { fix: 'name a session (api-1) or a role (@reviewer)' });
  }
  const targets = unique(await options.resolveTarget(to));
  return targets.length === 0 && !role ? [{ session: to, host: null }] : targets;
}

/** Every session a mention names, as a role or as a running session; never the poster itself. */
async function mentionTargets(options: MessageDeliveryOptions, mentions: readonly string[], from: string): Promise<DeliveryTarget[]> {
  const found: DeliveryTarget[] = [];
  for (const mention of mentions) {
    const name = mention.slice(1);
    const [asRole, asSession] = await Promise.all([options.resolveTarget(mention), options.resolveTarget(name)]);
    found.push(...asRole, ...asSession.filter((target) => target.host !== null));
  }
  return unique(found).filter((target) => target.session !== from);
}

function unique(targets: readonly DeliveryTarget[]): DeliveryTarget[] {
  const bySession = new Map<string, DeliveryTarget>();
  for (const target of targets) if (!bySession.has(target.session) || bySession.get(target.session)!.host === null) bySession.set(target.session, target);
  return [...bySession.values()];
}
