import type { Job, Session } from '@flotilla/protocol';
import createDebug from 'debug';
import type { Config } from '../config.js';
import type { ChannelContext, Delivery } from './delivery.js';
import { notifyDesktop, notifyDesktopText } from './desktop.js';
import { HOOK_TIMEOUT_MS, runHook, runJobEndHook } from './hook.js';
import { deliverWebhook, WEBHOOK_BACKOFF_BASE_MS, WEBHOOK_TIMEOUT_MS, type WebhookConfig } from './webhook.js';

const debug = createDebug('cb:notify');

export interface NotifierOptions {
  config: Pick<Config, 'webhooks' | 'hooks' | 'notifySend'>;
  /** Called once per delivery with its final outcome, as soon as that channel is done. */
  record(delivery: Delivery): void;
  fetchImpl?: typeof fetch;
  /** The environment hooks and notify-send run with and desktop detection reads; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** First webhook backoff (doubled per try); tests pass a few ms. */
  backoffBaseMs?: number;
  webhookTimeoutMs?: number;
  hookTimeoutMs?: number;
}

export interface Notifier {
  /** Announces a finished job on every configured channel; resolves with the deliveries made (skipped channels are absent). */
  jobEnded(job: Job): Promise<Delivery[]>;
  /**
   * Announces a session notice (webhook event `session.<kind>`, matched by that name, `session.*`
   * or `*`; the `hooks.onSessionNotice` command; the desktop).
   */
  sessionNotice(session: Session, notice: SessionNoticeText): Promise<Delivery[]>;
  /** Stops retries, kills running hooks and waits for in-flight deliveries to be recorded. */
  dispose(): Promise<void>;
}

/** What a session notice says; the same shape as the session manager's SessionNotice. */
export interface SessionNoticeText {
  kind: string;
  title: string;
  body: string;
  level: string;
}

function wantsJobEnded(webhook: WebhookConfig): boolean {
  return webhook.events.includes('job.ended') || webhook.events.includes('*');
}

function wantsSessionNotice(webhook: WebhookConfig, kind: string): boolean {
  return webhook.events.some((e) => e === `session.${kind}` || e === 'session.*' || e === '*');
}

/**
 * Creates the notifier that announces job ends by webhook, shell hook and desktop notification.
 *
 * @example
 *   const notifier = createNotifier({ config, record: (d) => store.recordDelivery(job.id, d) });
 *   await notifier.jobEnded(job);
 *   await notifier.dispose();
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const controller = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  const ctx: ChannelContext = { signal: controller.signal, env: options.env ?? process.env };
  const webhookCtx = {
    ...ctx,
    fetchImpl: options.fetchImpl ?? fetch,
    backoffBaseMs: options.backoffBaseMs ?? WEBHOOK_BACKOFF_BASE_MS,
    timeoutMs: options.webhookTimeoutMs ?? WEBHOOK_TIMEOUT_MS,
  };
  const hookCtx = { ...ctx, timeoutMs: options.hookTimeoutMs ?? HOOK_TIMEOUT_MS };

  const recorded = async (pending: Promise<Delivery | null>): Promise<Delivery | null> => {
    const delivery = await pending;
    if (delivery) {
      try {
        options.record(delivery);
      } catch (error) {
        debug('recording a %s delivery failed: %s', delivery.channel, (error as Error).message);
      }
    }
    return delivery;
  };

  const announce = async (job: Job): Promise<Delivery[]> => {
    const { webhooks, hooks, notifySend } = options.config;
    const body = JSON.stringify({ type: 'job.ended', job });
    const pending: Promise<Delivery | null>[] = webhooks.filter(wantsJobEnded).map((w) => deliverWebhook(w, body, webhookCtx));
    if (hooks.onJobEnd?.trim()) pending.push(runJobEndHook(hooks.onJobEnd, job, hookCtx));
    if (notifySend) pending.push(notifyDesktop(job, ctx));
    const deliveries = await Promise.all(pending.map(recorded));
    return deliveries.filter((d): d is Delivery => d !== null);
  };

  const announceSession = async (session: Session, notice: SessionNoticeText): Promise<Delivery[]> => {
    const { webhooks, hooks, notifySend } = options.config;
    const type = `session.${notice.kind}`;
    const body = JSON.stringify({ type, session, notice });
    const pending: Promise<Delivery | null>[] = webhooks.filter((w) => wantsSessionNotice(w, notice.kind)).map((w) => deliverWebhook(w, body, webhookCtx));
    const command = hooks.onSessionNotice?.trim();
    if (command) {
      const env = { FLOTILLA_SESSION_ID: session.id, FLOTILLA_SESSION_NAME: session.name, FLOTILLA_SESSION_STATE: session.state, FLOTILLA_NOTICE_KIND: notice.kind };
      pending.push(runHook(command, { cwd: session.cwd, input: body, env, subject: `${session.name} ${type}` }, hookCtx));
    }
    if (notifySend) pending.push(notifyDesktopText(`cb ${notice.title}`, notice.body, ctx));
    const deliveries = await Promise.all(pending.map(recorded));
    return deliveries.filter((d): d is Delivery => d !== null);
  };

  const track = (run: Promise<Delivery[]>): Promise<Delivery[]> => {
    inFlight.add(run);
    const forget = (): void => void inFlight.delete(run);
    run.then(forget, forget);
    return run;
  };

  return {
    jobEnded(job) {
      if (controller.signal.aborted) return Promise.resolve([]);
      return track(announce(job));
    },
    sessionNotice(session, notice) {
      if (controller.signal.aborted) return Promise.resolve([]);
      return track(announceSession(session, notice));
    },
    async dispose() {
      controller.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}
