// Tests only: the fake Bot API's update queue — real long polling (getUpdates with offset,
// limit, timeout and allowed_updates; a newer poll terminates the older one with 409) and webhook
// delivery (one update per POST with the secret-token header, retried until the bot answers 2xx).
// https://core.telegram.org/bots/api#getting-updates
import { ApiError } from './bot-api-wire.test-support.js';

export interface Update {
  update_id: number;
  [type: string]: unknown;
}

/** Telegram's default when allowed_updates was never given: everything but these. */
const NOT_SENT_BY_DEFAULT = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
/** Webhook retry delays: Telegram retries a failed delivery with growing pauses; tests need short ones. */
const WEBHOOK_RETRY_MS = [50, 100, 250, 500, 1000];

export interface WebhookSettings {
  url: string;
  secretToken: string | undefined;
}

export interface WebhookDelivery {
  updateId: number;
  status: number | null;
  error: string | null;
  at: number;
}

interface PendingPoll {
  limit: number;
  resolve(updates: Update[]): void;
  reject(error: ApiError): void;
  timer: NodeJS.Timeout;
}

function updateType(update: Update): string {
  return Object.keys(update).find((key) => key !== 'update_id') ?? 'unknown';
}

export class UpdateQueue {
  /** Updates not yet confirmed by an offset (or by a webhook's 2xx). */
  private queue: Update[] = [];
  private nextId: number;
  private allowed: Set<string> | null = null;
  private poll: PendingPoll | null = null;
  private flushScheduled = false;
  private webhook: WebhookSettings | null = null;
  private delivering = false;
  private closed = false;
  readonly deliveries: WebhookDelivery[] = [];
  /** Updates Telegram would never create for this bot because allowed_updates excludes their type. */
  dropped = 0;

  constructor(
    firstUpdateId: number,
    private readonly onWebhookReply: (body: unknown) => void,
  ) {
    this.nextId = firstUpdateId;
  }

  get pendingCount(): number {
    return this.queue.length;
  }

  get webhookSettings(): WebhookSettings | null {
    return this.webhook;
  }

  /** Queues an update (the id is assigned here unless given: a re-delivery keeps its id). */
  push(body: Record<string, unknown>, updateId?: number): Update | null {
    const update: Update = { update_id: updateId ?? this.nextId++, ...body };
    if (!this.isAllowed(update)) {
      this.dropped += 1;
      return null;
    }
    this.queue.push(update);
    this.scheduleFlush();
    return update;
  }

  private isAllowed(update: Update): boolean {
    const type = updateType(update);
    return this.allowed === null ? !NOT_SENT_BY_DEFAULT.has(type) : this.allowed.has(type);
  }

  setAllowedUpdates(types: readonly string[] | undefined): void {
    if (types === undefined) return;
    this.allowed = types.length === 0 ? null : new Set(types);
  }

  /** getUpdates. `onAbandoned` registers a callback for the client hanging up while it waits. */
  getUpdates(options: { offset?: number; limit?: number; timeout?: number; allowedUpdates?: string[] }, onAbandoned: (cancel: () => void) => void): Promise<Update[]> {
    if (this.webhook) throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    this.setAllowedUpdates(options.allowedUpdates);
    this.confirm(options.offset);
    if (this.poll) this.endPoll(this.poll, new ApiError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'));
    const limit = Math.min(100, Math.max(1, options.limit ?? 100));
    const timeoutSeconds = Math.max(0, options.timeout ?? 0);
    const ready = this.queue.filter((update) => this.isAllowed(update));
    if (ready.length > 0 || timeoutSeconds === 0 || this.closed) return Promise.resolve(ready.slice(0, limit));
    return new Promise<Update[]>((resolve, reject) => {
      const poll: PendingPoll = { limit, resolve, reject, timer: setTimeout(() => this.endPoll(poll, []), timeoutSeconds * 1000) };
      this.poll = poll;
      onAbandoned(() => {
        if (this.poll === poll) this.endPoll(poll, []);
      });
    });
  }

  /** Forgets every update below `offset`; a negative offset keeps only the last -offset updates. */
  private confirm(offset: number | undefined): void {
    if (offset === undefined || offset === 0) return;
    if (offset < 0) this.queue = this.queue.slice(offset);
    else this.queue = this.queue.filter((update) => update.update_id >= offset);
  }

  private endPoll(poll: PendingPoll, outcome: Update[] | ApiError): void {
    clearTimeout(poll.timer);
    if (this.poll === poll) this.poll = null;
    if (outcome instanceof ApiError) poll.reject(outcome);
    else poll.resolve(outcome);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Let a burst of pushes in the same tick go out in one answer, as Telegram batches them.
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.webhook) void this.deliverToWebhook();
      else if (this.poll) this.endPoll(this.poll, this.queue.filter((update) => this.isAllowed(update)).slice(0, this.poll.limit));
    });
  }

  setWebhook(settings: WebhookSettings, dropPending: boolean): void {
    if (dropPending) this.queue = [];
    this.webhook = settings;
    if (this.poll) this.endPoll(this.poll, new ApiError(409, 'Conflict: terminated by setWebhook request'));
    this.scheduleFlush();
  }

  deleteWebhook(dropPending: boolean): void {
    if (dropPending) this.queue = [];
    this.webhook = null;
  }

  /** POSTs queued updates one at a time, in order; a failure is retried after a pause. */
  private async deliverToWebhook(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    let failures = 0;
    try {
      while (this.webhook && !this.closed && this.queue.length > 0) {
        const update = this.queue[0]!;
        const delivery = await this.post(this.webhook, update);
        this.deliveries.push(delivery);
        if (delivery.status !== null && delivery.status >= 200 && delivery.status < 300) {
          if (this.queue[0] === update) this.queue.shift();
          failures = 0;
        } else {
          await new Promise((resolve) => setTimeout(resolve, WEBHOOK_RETRY_MS[Math.min(failures, WEBHOOK_RETRY_MS.length - 1)]));
          failures += 1;
        }
      }
    } finally {
      this.delivering = false;
    }
  }

  private async post(webhook: WebhookSettings, update: Update): Promise<WebhookDelivery> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (webhook.secretToken !== undefined) headers['x-telegram-bot-api-secret-token'] = webhook.secretToken;
    try {
      const response = await fetch(webhook.url, { method: 'POST', headers, body: JSON.stringify(update), signal: AbortSignal.timeout(60_000) });
      const text = await response.text();
      if (response.ok && text.trim().startsWith('{')) this.onWebhookReply(JSON.parse(text) as unknown);
      return { updateId: update.update_id, status: response.status, error: response.ok ? null : `Wrong response from the webhook: ${response.status} ${response.statusText}`, at: Date.now() };
    } catch (error) {
      return { updateId: update.update_id, status: null, error: `Connection failed: ${(error as Error).message}`, at: Date.now() };
    }
  }

  close(): void {
    this.closed = true;
    if (this.poll) this.endPoll(this.poll, []);
  }
}
