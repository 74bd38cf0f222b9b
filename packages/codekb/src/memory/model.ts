import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

export const OutcomeSchema = z.enum(['success', 'failure', 'note']);
export type Outcome = z.infer<typeof OutcomeSchema>;

/** What `remember` takes. */
export const RememberInputSchema = z.object({
  text: z.string().trim().min(1, 'text must not be empty'),
  tags: z.array(z.string()).optional(),
  outcome: OutcomeSchema.nullable().optional(),
  repo: z.string().min(1).nullable().optional(),
});
export type RememberInput = z.input<typeof RememberInputSchema>;

/** Why a learning was superseded: merged into a near-duplicate, or overruled by a newer contradiction. */
export const SupersedeReasonSchema = z.enum(['duplicate', 'contradicted']);
export type SupersedeReason = z.infer<typeof SupersedeReasonSchema>;

/** A learning: the row as callers see it, and one line of an export (JSONL). */
export const LearningSchema = z
  .object({
    id: z.string().min(1),
    text: z.string().trim().min(1),
    tags: z.array(z.string()),
    repo: z.string().min(1).nullable(),
    outcome: OutcomeSchema.nullable(),
    /** ISO 8601. */
    createdAt: z.iso.datetime(),
    /** ISO 8601. */
    updatedAt: z.iso.datetime(),
    /** The merge key, `contentHash(text, repo)`; recomputed on import, present for readers. */
    hash: z.string().optional(),
    /** How often this lesson was learned: remembered again, or near-duplicates merged into it. */
    timesLearned: z.number().int().min(1).default(1),
    /** The learning that replaced this one (recall skips it); null while it is current. */
    supersededBy: z.string().min(1).nullable().default(null),
    supersededReason: SupersedeReasonSchema.nullable().default(null),
    /** Contradicted by another current learning, and neither could be preferred. */
    contested: z.boolean().default(false),
    /** The ids this learning replaced (read from the superseded rows; ignored on import). */
    replaces: z.array(z.string()).optional(),
  })
  .refine((learning) => (learning.supersededBy === null) === (learning.supersededReason === null), {
    message: 'supersededBy and supersededReason go together',
    path: ['supersededReason'],
  });
export type Learning = z.infer<typeof LearningSchema>;

/** The row as stored. */
export interface MemoryRow {
  seq: number;
  id: string;
  hash: string;
  text: string;
  tags: string;
  repo: string | null;
  outcome: Outcome | null;
  created_at: number;
  updated_at: number;
  times_learned: number;
  superseded_by: string | null;
  superseded_reason: SupersedeReason | null;
  contested: 0 | 1;
}

export function toLearning(row: MemoryRow): Learning {
  return {
    id: row.id,
    text: row.text,
    tags: JSON.parse(row.tags) as string[],
    repo: row.repo,
    outcome: row.outcome,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    hash: row.hash,
    timesLearned: row.times_learned,
    supersededBy: row.superseded_by,
    supersededReason: row.superseded_reason,
    contested: row.contested === 1,
  };
}

/** Trimmed, non-empty, de-duplicated and sorted, so equal tag sets store equally. */
export function normalizeTags(tags: readonly string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((tag) => tag.trim()).filter((tag) => tag !== ''))].sort();
}

/**
 * The identity of a learning across hosts: sha256 of its whitespace-collapsed text and its repo.
 * Tags and outcome are not part of it; they merge.
 */
export function contentHash(text: string, repo: string | null): string {
  return createHash('sha256')
    .update(JSON.stringify([text.trim().replace(/\s+/g, ' '), repo]))
    .digest('hex');
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID: 10 characters of millisecond time, 16 of randomness, Crockford base32; sorts by time. */
export function ulid(now: number): string {
  let time = '';
  let rest = now;
  for (let i = 0; i < 10; i++) {
    time = (CROCKFORD[rest % 32] ?? '0') + time;
    rest = Math.floor(rest / 32);
  }
  const random = [...randomBytes(16)].map((byte) => CROCKFORD[byte % 32]).join('');
  return time + random;
}
