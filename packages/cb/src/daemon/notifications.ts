import createDebug from 'debug';
import type { Job } from '@flotilla/protocol';
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
