import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import createDebug from 'debug';
import { ulid } from 'ulidx';
import type { Config } from '../config.js';
import { endDelivery, type ChannelContext, type Delivery } from './delivery.js';

const debug = createDebug('cb:notify');

export type WebhookConfig = Config['webhooks'][number];

/** One try plus up to four retries: about 7.5 s of backoff at the default base, enough for a receiver's restart. */
export const WEBHOOK_MAX_ATTEMPTS = 5;
/** First backoff; doubled after every failed try. */
export const WEBHOOK_BACKOFF_BASE_MS = 500;
/** A receiver that has not answered in 10 s is down, not slow; retrying beats waiting. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** A 429/503 `Retry-After` is honoured up to this long, so one stuck receiver cannot hold a delivery for hours. */
const MAX_RETRY_AFTER_MS = 30_000;

export interface WebhookContext extends ChannelContext {
  fetchImpl: typeof fetch;
  backoffBaseMs: number;
  timeoutMs: number;
}

/** `sha256=<hex>` HMAC of the exact body bytes, as receivers verify it. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The URL safe to record and log: no credentials, query string or fragment (they often carry tokens). */
export function webhookTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

function isRetryable(status: number): boolean {
  return status >= 500 || status === 429;
}

function retryAfterMs(response: Response): number {
  const header = response.headers.get('retry-after');
  const seconds = header === null ? Number.NaN : Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : 0;
}

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no response within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return `${(error as Error).message} (${cause.code})`;
  return error instanceof Error ? error.message : String(error);
}

interface TryOutcome {
  status: number | null;
  error: string | null;
  retry: boolean;
  waitAtLeastMs: number;
}

async function tryOnce(url: string, init: RequestInit, ctx: WebhookContext): Promise<TryOutcome> {
  try {
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs)]);
    const response = await ctx.fetchImpl(url, { ...init, signal });
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { status: response.status, error: null, retry: false, waitAtLeastMs: 0 };
    const retry = isRetryable(response.status);
    return { status: response.status, error: `HTTP ${response.status}`, retry, waitAtLeastMs: retry ? retryAfterMs(response) : 0 };
  } catch (error) {
    if (ctx.signal.aborted) return { status: null, error: 'cancelled: the notifier was disposed', retry: false, waitAtLeastMs: 0 };
    return { status: null, error: describeError(error, ctx.timeoutMs), retry: true, waitAtLeastMs: 0 };
  }
}

/**
 * POSTs `body` to one webhook, retrying network errors, 5xx and 429 with exponential backoff.
 * Redirects are not followed (a POST would turn into a GET). Never throws.
 */
export async function deliverWebhook(webhook: WebhookConfig, body: string, ctx: WebhookContext): Promise<Delivery> {
  const target = webhookTarget(webhook.url);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'flotilla-cb',
    'x-flotilla-event': 'job.ended',
    // The same id on every try, so a receiver can drop duplicates.
    'x-flotilla-delivery': ulid(),
  };
  if (webhook.secret) headers['x-flotilla-signature'] = signBody(webhook.secret, body);
  const init: RequestInit = { method: 'POST', headers, body, redirect: 'manual' };
  let outcome: TryOutcome = { status: null, error: null, retry: false, waitAtLeastMs: 0 };
  let attempts = 0;
  while (attempts < WEBHOOK_MAX_ATTEMPTS) {
    attempts += 1;
    outcome = await tryOnce(webhook.url, init, ctx);
    // Only the origin: services like Slack and Discord put the secret in the path.
    debug('webhook to %s try %d: %s', new URL(webhook.url).origin, attempts, outcome.error ?? `HTTP ${outcome.status}`);
    if (!outcome.retry || attempts === WEBHOOK_MAX_ATTEMPTS) break;
    const backoff = ctx.backoffBaseMs * 2 ** (attempts - 1);
    try {
      await sleep(Math.max(backoff, outcome.waitAtLeastMs), undefined, { signal: ctx.signal });
    } catch {
      outcome = { ...outcome, error: 'cancelled: the notifier was disposed' };
      break;
    }
  }
  return endDelivery({ channel: 'webhook', target, ok: outcome.error === null, attempts, status: outcome.status, error: outcome.error });
}
