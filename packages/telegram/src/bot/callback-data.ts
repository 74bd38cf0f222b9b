/**
 * Inline-button callback data: compact (`r:<jobId>`), at most Telegram's 64 bytes, and parsed with
 * zod on the way back in — data a client made up is refused, never acted on.
 */
import { z } from 'zod';
import { IdSchema } from '@flotilla/protocol';

/** A pending plain-text prompt waiting for Run / Cancel: random hex, kept in memory only. */
export const PendingKeySchema = z.string().regex(/^[0-9a-f]{10}$/);

/** Every button the bot makes, by its one-letter prefix. */
export const CallbackActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('retry'), jobId: IdSchema }),
  z.object({ action: z.literal('more'), jobId: IdSchema }),
  z.object({ action: z.literal('resume'), jobId: IdSchema }),
  z.object({ action: z.literal('allow'), sessionId: IdSchema }),
  z.object({ action: z.literal('deny'), sessionId: IdSchema }),
  z.object({ action: z.literal('run'), key: PendingKeySchema }),
  z.object({ action: z.literal('drop'), key: PendingKeySchema }),
]);
export type CallbackAction = z.infer<typeof CallbackActionSchema>;

const PREFIX = { retry: 'r', more: 'm', resume: 's', allow: 'a', deny: 'd', run: 'p', drop: 'x' } as const satisfies Record<CallbackAction['action'], string>;
const ACTION_OF = Object.fromEntries(Object.entries(PREFIX).map(([action, prefix]) => [prefix, action])) as Record<string, CallbackAction['action']>;
const ARG_FIELD = { retry: 'jobId', more: 'jobId', resume: 'jobId', allow: 'sessionId', deny: 'sessionId', run: 'key', drop: 'key' } as const;

/** Telegram's limit on callback_data, in bytes. */
export const CALLBACK_DATA_MAX_BYTES = 64;

/** `{ action: 'retry', jobId }` → `r:01J…`. */
export function encodeCallback(action: CallbackAction): string {
  const valid = CallbackActionSchema.parse(action);
  const arg = (valid as Record<string, string>)[ARG_FIELD[valid.action]];
  const data = `${PREFIX[valid.action]}:${arg}`;
  if (Buffer.byteLength(data) > CALLBACK_DATA_MAX_BYTES) throw new RangeError(`callback data over ${CALLBACK_DATA_MAX_BYTES} bytes`);
  return data;
}

/** The action a button's data names, or null for anything the bot did not make. */
export function parseCallback(data: string | undefined): CallbackAction | null {
  if (data === undefined || Buffer.byteLength(data) > CALLBACK_DATA_MAX_BYTES) return null;
  const match = /^([a-z]):(.+)$/.exec(data);
  const action = match ? ACTION_OF[match[1] as string] : undefined;
  if (!match || !action) return null;
  const parsed = CallbackActionSchema.safeParse({ action, [ARG_FIELD[action]]: match[2] });
  return parsed.success ? parsed.data : null;
}
