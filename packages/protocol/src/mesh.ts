import { z } from 'zod';
import { HostNameSchema, IdSchema, TimestampSchema } from './common.js';
import { SessionNameSchema } from './session.js';

/**
 * The hub's wire objects: hosts of the fleet, messages between agents and the shared channel.
 * A lone daemon serves none of these; a hub (`/api/capabilities` kind `hub`) serves all of them.
 */

/** How the hub's SSH link to a host stands right now. */
export const LINK_STATES = ['connecting', 'up', 'down', 'refused'] as const;
export const LinkStateSchema = z.enum(LINK_STATES);
export type LinkState = z.infer<typeof LinkStateSchema>;

/** How a host is driven: through its own `cb` daemon, or through tmux over SSH exec (fewer features). */
export const HostModeSchema = z.enum(['daemon', 'tmux']);
export type HostMode = z.infer<typeof HostModeSchema>;

/** A host's key as the hub last saw it, and what `known_hosts` says about it. */
export const HostKeyStatusSchema = z.object({
  verdict: z.enum(['known', 'unknown', 'changed', 'revoked']),
  /** `SHA256:…`, as `ssh-keygen -l` prints it. */
  fingerprint: z.string(),
  keyType: z.string(),
});
export type HostKeyStatus = z.infer<typeof HostKeyStatusSchema>;

export const HostSchema = z.object({
  name: HostNameSchema,
  /** What the user typed: an alias from ~/.ssh/config or `user@host[:port]`. */
  spec: z.string().min(1),
  /** Where the link goes after ~/.ssh/config: `user@hostname:port` (and `via` for ProxyJump). */
  target: z.string(),
  state: LinkStateSchema,
  /** When `state` last changed. */
  since: TimestampSchema,
  /** The last round-trip to the host's daemon, in ms; null when unknown. */
  latencyMs: z.number().nonnegative().nullable(),
  /** Why the link is down or refused, in words. */
  error: z.string().nullable(),
  hostKey: HostKeyStatusSchema.nullable(),
  mode: HostModeSchema.nullable(),
  /** Why the host is driven the way it is, in words (for `tmux`: why `cb` cannot run there). Absent from older hubs. */
  modeReason: z.string().nullable().optional(),
  cbVersion: z.string().nullable(),
  running: z.number().int().nonnegative(),
  queued: z.number().int().nonnegative(),
  sessions: z.number().int().nonnegative(),
  slots: z.number().int().nonnegative(),
  freeSlots: z.number().int().nonnegative(),
  /** Rate-limit pauses in force there. */
  paused: z.boolean(),
  lastSeenAt: TimestampSchema.nullable(),
});
export type Host = z.infer<typeof HostSchema>;

export const AddHostRequestSchema = z.object({
  /** The host's name in the fleet; defaults to the alias. */
  name: HostNameSchema.optional(),
  spec: z.string().min(1).max(300),
});
export type AddHostRequest = z.infer<typeof AddHostRequestSchema>;

/** Where a message goes: a session by name, every session holding a role (`@reviewer`), or the channel. */
export const MessageTargetSchema = z.string().min(1).max(128);

export const MESSAGE_STATES = ['queued', 'delivered', 'failed'] as const;
export const MessageStateSchema = z.enum(MESSAGE_STATES);
export type MessageState = z.infer<typeof MessageStateSchema>;

/** One delivery of a message into one session, with its receipt. */
export const MessageDeliverySchema = z.object({
  session: SessionNameSchema,
  host: HostNameSchema.nullable(),
  state: MessageStateSchema,
  attempts: z.number().int().nonnegative(),
  deliveredAt: TimestampSchema.nullable(),
  error: z.string().nullable(),
});
export type MessageDelivery = z.infer<typeof MessageDeliverySchema>;

export const MessageSchema = z.object({
  id: IdSchema,
  /** The channel's sequence number for channel posts; null for direct messages. */
  seq: z.number().int().positive().nullable(),
  /** Who wrote it: a session name, `user`, or a role-less agent name. */
  from: z.string().min(1),
  fromHost: HostNameSchema.nullable(),
  /** A session name, `@role`, or `#channel` for a channel post. */
  to: MessageTargetSchema,
  text: z.string().min(1),
  /** `@session` and `@role` words found in the text. */
  mentions: z.array(z.string()),
  deliveries: z.array(MessageDeliverySchema),
  createdAt: TimestampSchema,
});
export type Message = z.infer<typeof MessageSchema>;

export const SendMessageRequestSchema = z.object({
  to: MessageTargetSchema,
  text: z.string().min(1).max(100_000),
  from: z.string().min(1).max(128).optional(),
});
export type SendMessageRequest = z.infer<typeof SendMessageRequestSchema>;

export const ChannelPostRequestSchema = z.object({
  text: z.string().min(1).max(100_000),
  from: z.string().min(1).max(128).optional(),
});
export type ChannelPostRequest = z.infer<typeof ChannelPostRequestSchema>;

/** What a session declares it can do: roles (`reviewer`) and skill tags (`backend`). */
export const AgentProfileSchema = z.object({
  session: SessionNameSchema,
  host: HostNameSchema.nullable(),
  roles: z.array(z.string().min(1).max(64)),
  tags: z.array(z.string().min(1).max(64)),
  /** Claim matching board tasks whenever the session becomes idle. */
  auto: z.boolean(),
  updatedAt: TimestampSchema,
});
export type AgentProfile = z.infer<typeof AgentProfileSchema>;

export const DeclareProfileRequestSchema = z.object({
  roles: z.array(z.string().min(1).max(64)).max(16).optional(),
  tags: z.array(z.string().min(1).max(64)).max(32).optional(),
  auto: z.boolean().optional(),
});
export type DeclareProfileRequest = z.infer<typeof DeclareProfileRequestSchema>;
