import { z } from 'zod';

/** Where a ticket comes from. The board is always a source; GitHub Issues and Linear when configured. */
export const SOURCE_NAMES = ['board', 'github', 'linear'] as const;
export const SourceNameSchema = z.enum(SOURCE_NAMES);
export type SourceName = z.infer<typeof SourceNameSchema>;

export const TicketCommentSchema = z.object({ author: z.string(), body: z.string(), at: z.string() });
export type TicketComment = z.infer<typeof TicketCommentSchema>;

/** A ticket as every source presents it: the text an agent needs, and the handle its source needs. */
export const TicketSchema = z.object({
  source: SourceNameSchema,
  /** Unique within the source and readable: `AUTH-12`, `acme/api#12`, `ENG-42`. */
  id: z.string().min(1),
  /** The source's own handle for writes: a board task id, an issue number, a Linear issue uuid. */
  ref: z.string().min(1),
  title: z.string(),
  body: z.string(),
  labels: z.array(z.string()),
  comments: z.array(TicketCommentSchema),
  url: z.string().nullable(),
  /** The source already shows it in progress (claimed by the director, or by someone else). */
  inProgress: z.boolean(),
});
export type Ticket = z.infer<typeof TicketSchema>;

/** `board:AUTH-12` — the ledger's key for a ticket. */
export function ticketKey(ticket: Pick<Ticket, 'source' | 'id'>): string {
  return `${ticket.source}:${ticket.id}`;
}

/**
 * The deterministic branch of one ticket: `flotilla/t/<source>-<ticketId>`, the id reduced to
 * characters git accepts in a ref (`acme/api#12` → `acme-api-12`). The same ticket always gets the
 * same branch, which is what lets a second director (or a restart) find the work already done.
 *
 * @example
 * ticketBranch({ source: 'board', id: 'AUTH-12' }) // 'flotilla/t/board-AUTH-12'
 */
export function ticketBranch(ticket: Pick<Ticket, 'source' | 'id'>): string {
  return `flotilla/t/${ticket.source}-${refSafe(ticket.id)}`;
}

/** Letters, digits, `.`, `_` and `-` kept; every other run becomes one `-`; no leading/trailing `-` or `.`. */
export function refSafe(text: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[-.]+|[-.]+$/g, '');
  return (cleaned.endsWith('.lock') ? cleaned.slice(0, -5) : cleaned).slice(0, 120) || 'ticket';
}
