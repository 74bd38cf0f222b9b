import createDebug from 'debug';
import type { Job, Session } from '@flotilla/protocol';
import type { SessionNotice } from '../sessions/deps.js';
import { createNotifier, describeJobEnd } from '../notify/index.js';
import type { DaemonContext } from './context.js';

const debug = createDebug('cb:notify');

/** A job ended: a notification event (for SSE clients and the inbox), then webhooks, the shell hook and the desktop. */
export async function notifyJobEnded(ctx: DaemonContext, job: Job): Promise<void> {
  const text = describeJobEnd(job);
  const level = job.status === 'succeeded' ? 'success' : job.status === 'cancelled' ? 'info' : 'error';
  await ctx.store.appendEvents([{ type: 'notification', jobId: job.id, title: text.title, body: text.body, level }]);
  ctx.bus.notify();
  const notifier = createNotifier({
    config: ctx.config,
    record: (delivery) => void ctx.store.recordDelivery({ ...delivery, jobId: job.id }),
    env: ctx.env,
  });
  try {
    await notifier.jobEnded(job);
  } catch (error) {
    debug('notifying for %s failed: %o', job.id, error);
  } finally {
    await notifier.dispose();
  }
}

/**
 * Something about a session a person should hear: a notification event (SSE clients, the bot) at
 * once, then webhooks, the `hooks.onSessionNotice` command and the desktop in the background, so
 * a slow receiver never holds up the session.
 */
export async function notifySession(ctx: Pick<DaemonContext, 'store' | 'bus' | 'config' | 'env'>, session: Session, notice: SessionNotice): Promise<void> {
  await ctx.store.appendEvents([{ type: 'notification', jobId: null, sessionId: session.id, kind: notice.kind, title: notice.title, body: notice.body, level: notice.level }]);
  ctx.bus.notify();
  const notifier = createNotifier({ config: ctx.config, record: (delivery) => debug('%s %s delivery to %s: %s', session.name, notice.kind, delivery.target, delivery.ok ? 'ok' : delivery.error), env: ctx.env });
  void notifier
    .sessionNotice(session, notice)
    .catch((error: unknown) => debug('notifying for session %s failed: %o', session.name, error))
    .finally(() => void notifier.dispose());
}
