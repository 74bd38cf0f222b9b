/**
 * Messages between sessions and the shared channel, with one delivery (and its receipt) per
 * receiving session, in the hub's database — behind an async interface like the board's, so that
 * a PostgreSQL store can take its place.
 */
import type { ChannelQuery, Message, MessageDelivery, MessageListQuery } from '@flotilla/protocol';

export interface NewMessage {
  from: string;
  fromHost: string | null;
  /** A session name, `@role`, or `#channel` for a channel post (which gets the next `seq`). */
  to: string;
  text: string;
  mentions: string[];
  /** The sessions it goes to; each starts `queued`. */
  deliveries: Array<{ session: string; host: string | null }>;
}

/** A delivery not yet made, with its message. */
export interface QueuedDelivery {
  message: Message;
  delivery: MessageDelivery;
}

export const CHANNEL_TARGET = '#channel';
/** The most messages one list answers. */
export const DEFAULT_MESSAGE_LIMIT = 100;

export interface MessageStore {
  /** Stores the message and its queued deliveries in one transaction (a channel post gets its `seq`). */
  create(input: NewMessage): Promise<Message>;
  get(id: string): Promise<Message | null>;
  /** Direct messages (oldest first): to `to` or delivered to session `to`, after a message id; else the latest. */
  list(query: MessageListQuery): Promise<Message[]>;
  /** Channel posts (oldest first) after `seq`; else the latest. */
  channel(query: ChannelQuery): Promise<Message[]>;
  /** Queued deliveries, oldest message first; for one session, or every one. */
  queued(session?: string): Promise<QueuedDelivery[]>;
  /** Sessions with at least one queued delivery. */
  queuedSessions(): Promise<string[]>;
  /** A receipt: the delivery went in. */
  markDelivered(messageId: string, session: string, at: Date): Promise<Message>;
  /** An attempt failed; the delivery stays queued (with the host it was tried on, when known). */
  markAttemptFailed(messageId: string, session: string, update: { error: string; host: string | null }): Promise<Message>;
  /** Given up on: the delivery is `failed` for good. */
  markFailed(messageId: string, session: string, error: string): Promise<Message>;
  close(): Promise<void>;
}
