/**
 * The hub's coordination services, wired to its hosts: messages and the channel (delivered into
 * sessions on whatever host they run), agent profiles, the lease sweeper (frozen leases for
 * unreachable hosts, attempts counted only when the holder's job ended), and a tail of the hub's
 * own outbox that pokes queued deliveries when a session comes up and hands idle `--auto`
 * sessions a task.
 */
import type { Hono, MiddlewareHandler } from 'hono';
import createDebug from 'debug';
import { isTerminal, type FlotillaEvent } from '@flotilla/protocol';
import type { Task } from '../board/board-store.js';
import { autoClaimOnIdle } from './auto-claim.js';
import type { CallerOf } from './caller.js';
import { findJob } from './fleet-proxy.js';
import type { Hub } from './hub.js';
import { startLeaseSweeper, type LeaseSweeper } from './lease-sweeper.js';
import { startMessageDelivery, type Messenger } from './message-delivery.js';
import { channelRoutes, messageRoutes } from './message-routes.js';
import { createSqliteMessageStore } from './message-sqlite-store.js';
import type { MessageStore } from './message-store.js';
import { createTargetResolver } from './message-targets.js';
import { profileRoutes } from './profile-routes.js';
import { createSqliteProfileStore, type ProfileStore } from './profile-store.js';

const log = createDebug('flotilla:mesh:services');

export interface HubServiceOptions {
  dbPath: string;
  defaultLeaseMs: number;
  /** How long an unreachable host's leases stay frozen (default 30 min). */
  unreachableGraceMs: number;
  sweepIntervalMs: number;
  messageRetryMs: number;
}

export interface HubServices {
  /** Mounts messages, channel and profiles on an app (the user's or an agents' one). */
  mount(app: Hono, caller: CallerOf): void;
  start(hub: Hub): Promise<void>;
  stop(): Promise<void>;
}

export function createHubServices(options: HubServiceOptions): HubServices {
  const messages: MessageStore = createSqliteMessageStore({ path: options.dbPath });
  const profiles: ProfileStore = createSqliteProfileStore({ path: options.dbPath });
  let hub: Hub | null = null;
  let messenger: Messenger | null = null;
  let sweeper: LeaseSweeper | null = null;
  let unsubscribe: (() => void) | null = null;
  const sessionHost = async (name: string): Promise<string | null> => hub?.store.sessionsNamed(name).find((s) => s.endedAt === null)?.host ?? null;
  const deliver = async (host: string, session: string, text: string): Promise<void> => {
    const client = hub?.connection(host)?.client();
    if (!client) throw new Error(`${host} is unreachable`);
    const receipt = await client.send(session, { text });
    if (!receipt.delivered) throw new Error(`not confirmed in ${session}`);
  };
  return {
    mount(app, caller) {
      if (!messenger) throw new Error('hub services mounted before start');
      app.use('/api/messages', idempotent(() => hub));
      app.use('/api/channel', idempotent(() => hub));
      app.route('/api/messages', messageRoutes({ store: messages, messenger, caller }));
      app.route('/api/channel', channelRoutes({ store: messages, messenger, caller }));
      app.route('/api/profiles', profileRoutes({ store: profiles, caller, sessionHost }));
    },
    async start(started) {
      hub = started;
      const publish = (event: Parameters<Hub['publish']>[0]) => started.publish(event);
      messenger = startMessageDelivery({ store: messages, resolveTarget: createTargetResolver({ profiles, sessionHost }), deliver, publish, retryMs: options.messageRetryMs });
      sweeper = await startLeaseSweeper({
        store: started.board,
        intervalMs: options.sweepIntervalMs,
        frozenHosts: () => started.frozenHosts(options.unreachableGraceMs),
        holderEnded: async (task) => holderEnded(started, task),
        publish,
        graceOnStartMs: options.defaultLeaseMs,
      });
      const onIdle = autoClaimOnIdle({ board: started.board, profiles, deliver, publish, leaseMs: options.defaultLeaseMs });
      unsubscribe = tailOutbox(started, (event) => {
        if (event.type !== 'session.state' && event.type !== 'session.created') return;
        const { session } = event;
        if (session.state !== 'exited') messenger?.poke(session.name);
        if (event.type === 'session.state' && session.state === 'idle' && event.previous !== 'idle') {
          onIdle(session.name, session.host, session.id).catch((error: unknown) => log('auto-claim for %s failed: %s', session.name, (error as Error).message));
        }
      });
    },
    async stop() {
      unsubscribe?.();
      await sweeper?.stop();
      await messenger?.stop();
      await messages.close();
      await profiles.close();
    },
  };
}

/**
 * Whether the task's holder ended (its job is terminal in the fleet mirror): then an expired lease
 * counts as an attempt. Unknown (no job, or its host unreachable): it does not.
 */
function holderEnded(hub: Hub, task: Task): boolean | undefined {
  const jobId = task.holder?.jobId;
  if (!jobId) return undefined;
  try {
    const job = findJob(hub, jobId);
    return isTerminal(job.status) ? true : hub.connection(job.host)?.client() ? false : undefined;
  } catch {
    return undefined;
  }
}

/** Calls `onEvent` for every hub event written from now on, in order. */
function tailOutbox(hub: Hub, onEvent: (event: FlotillaEvent) => void): () => void {
  let cursor = hub.store.eventBounds().latest;
  let reading = false;
  const read = (): void => {
    if (reading) return;
    reading = true;
    try {
      for (let batch = hub.store.eventsAfter(cursor, 500); batch.length > 0; batch = hub.store.eventsAfter(cursor, 500)) {
        for (const event of batch) {
          cursor = event.id;
          onEvent(event);
        }
      }
    } finally {
      reading = false;
    }
  };
  return hub.subscribe(read);
}

/**
 * A repeated POST carrying the same `x-flotilla-idempotency-key` (a relay retrying after a lost
 * answer) gets the first answer again instead of a second message.
 */
function idempotent(hubOf: () => Hub | null): MiddlewareHandler {
  return async (c, next) => {
    const key = c.req.header('x-flotilla-idempotency-key');
    const hub = hubOf();
    if (c.req.method !== 'POST' || !key || !hub) return next();
    const scope = `${c.req.path}|${key}`;
    const seen = hub.store.idempotentAnswer(scope);
    if (seen) return c.json(JSON.parse(seen.body) as object, seen.status as 200);
    await next();
    if (c.res.status < 300) hub.store.rememberAnswer(scope, c.res.status, await c.res.clone().text());
    return undefined;
  };
}
