import { z } from 'zod';
import { HostNameSchema, IdSchema, TimestampSchema } from './common.js';
import { FailureSchema, JobSchema } from './job.js';
import { JobStatusSchema } from './lifecycle.js';
import { PauseSchema } from './resources.js';
import { TaskSchema } from './board.js';
import { HostSchema, MessageSchema } from './mesh.js';
import { DirectorIdSchema } from './pipeline.js';
import { SessionLogEntrySchema, SessionSchema, SessionStateSchema } from './session.js';

/** Every event type this protocol version names. Clients must ignore types they do not know. */
export const EVENT_TYPES = [
  'job.created',
  'job.updated',
  'job.ended',
  'attempt.started',
  'attempt.ended',
  'pause.started',
  'pause.ended',
  'inbox.changed',
  'notification',
  'session.created',
  'session.state',
  'session.ended',
  'session.log',
  'resync',
  'host.changed',
  'host.removed',
  'task.changed',
  'message.created',
  'message.updated',
  'pipeline.changed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const base = { id: z.number().int().nonnegative(), at: TimestampSchema, host: HostNameSchema };

export const EventSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('job.created'), job: JobSchema }),
  z.object({ ...base, type: z.literal('job.updated'), job: JobSchema }),
  z.object({ ...base, type: z.literal('job.ended'), job: JobSchema }),
  z.object({
    ...base,
    type: z.literal('attempt.started'),
    jobId: IdSchema,
    attempt: z.number().int(),
    tmuxSession: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal('attempt.ended'),
    jobId: IdSchema,
    attempt: z.number().int(),
    status: JobStatusSchema,
    failure: FailureSchema.nullable(),
  }),
  z.object({ ...base, type: z.literal('pause.started'), pause: PauseSchema }),
  z.object({ ...base, type: z.literal('pause.ended'), pause: PauseSchema }),
  z.object({ ...base, type: z.literal('inbox.changed'), unread: z.number().int() }),
  z.object({
    ...base,
    type: z.literal('notification'),
    jobId: IdSchema.nullable(),
    /** Set when the notification is about a session (`cb session …`). */
    sessionId: IdSchema.nullable().optional(),
    /** What a session notification is: `needs_you`, `stuck`, `alert`, `watchdog`. */
    kind: z.string().optional(),
    title: z.string(),
    body: z.string(),
    level: z.enum(['info', 'success', 'warning', 'error']),
  }),
  z.object({ ...base, type: z.literal('session.created'), session: SessionSchema }),
  /** A state change; `session.since` is when it happened, `previous` the state it left. */
  z.object({ ...base, type: z.literal('session.state'), session: SessionSchema, previous: SessionStateSchema }),
  z.object({ ...base, type: z.literal('session.ended'), session: SessionSchema }),
  z.object({ ...base, type: z.literal('session.log'), entry: SessionLogEntrySchema }),
  z.object({ ...base, type: z.literal('resync'), reason: z.string() }),
  // A hub's own events (`host` is the hub's name): a fleet host's link or load changed, a board
  // task changed, a message was written or one of its deliveries moved.
  z.object({ ...base, type: z.literal('host.changed'), hostInfo: HostSchema }),
  z.object({ ...base, type: z.literal('host.removed'), name: HostNameSchema }),
  z.object({ ...base, type: z.literal('task.changed'), task: TaskSchema }),
  z.object({ ...base, type: z.literal('message.created'), message: MessageSchema }),
  z.object({ ...base, type: z.literal('message.updated'), message: MessageSchema }),
  // A director pushed a new pipeline report to the hub (`GET /api/pipeline` has it).
  z.object({ ...base, type: z.literal('pipeline.changed'), directorId: DirectorIdSchema, updatedAt: TimestampSchema }),
]);
export type FlotillaEvent = z.infer<typeof EventSchema>;
export type EventOf<T extends EventType> = Extract<FlotillaEvent, { type: T }>;

/** Parses one event, returning null for an unknown type (forward compatible) and throwing on a malformed known one. */
export function parseEvent(data: unknown): FlotillaEvent | null {
  const type = (data as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) return null;
  return EventSchema.parse(data);
}
