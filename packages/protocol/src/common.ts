import { z } from 'zod';

/** A ULID: 26 Crockford base32 characters, sortable by creation time. */
export const IdSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'expected a ULID');
/** ISO-8601 timestamp as written by `new Date().toISOString()`. */
export const TimestampSchema = z.string().datetime({ offset: true });
/** The name of the host an object lives on (FLOTILLA_HOST_NAME or the machine's hostname). */
export const HostNameSchema = z.string().min(1).max(253);

export const PROTOCOL_VERSION = 1;

export const AgentNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'agent names are lowercase letters, digits, - and _');
export type AgentName = z.infer<typeof AgentNameSchema>;

export const PermissionModeSchema = z.enum(['accept-edits', 'allowlist', 'bypass']);
export type PermissionMode = z.infer<typeof PermissionModeSchema>;

export const OutputFormatSchema = z.enum(['stream-json', 'jsonl', 'text']);
export type OutputFormat = z.infer<typeof OutputFormatSchema>;

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
