import { z } from 'zod';
import { TimestampSchema } from './common.js';

/**
 * `/api/knowledge/*`: codekb's read-only queries over a repository's index, offered by a daemon
 * that finds `@flotilla/codekb` installed (capabilities' `addons` then include `knowledge`). Every
 * hit carries a repo-relative `path`, a 1-based `line` and the `path:line` citation.
 */

/** Most hits one query returns. */
export const MAX_KNOWLEDGE_HITS = 200;
/** Most lines one read returns. */
export const MAX_KNOWLEDGE_READ_LINES = 2000;

/** An absolute directory path: the repository, or a directory inside it (the nearest index above it answers). */
const RepoParamSchema = z
  .string()
  .min(1, 'give the repository directory')
  .max(4096)
  .regex(/^(\/|[A-Za-z]:[\\/])/, 'give the repository as an absolute path');
/** Query strings carry '' for an empty field: the same as leaving it out. */
const optionalText = (max: number) => z.preprocess((v) => (v === '' ? undefined : v), z.string().max(max).optional());
/** `true`/`1` and `false`/`0` from a query string, or a boolean (zod's coerce would read "false" as true). */
const QueryBooleanSchema = z.preprocess((v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v), z.boolean());
const limit = (max: number) => z.coerce.number().int().min(1).max(max).optional();
const SymbolNameSchema = z.string().trim().min(1, 'give a symbol name').max(300);

export const KnowledgeSearchQuerySchema = z.object({
  repo: RepoParamSchema,
  query: z.string().min(1, 'give something to search for').max(1000),
  /** Exact, case-sensitive substrings (the files equal `rg -F -l`) instead of ranked search. */
  literal: QueryBooleanSchema.optional(),
  /** Only files of this language (`typescript`, `python`, … or `text`). */
  language: optionalText(40),
  /** Only paths matching this glob (`src/**\/*.ts`). */
  path: optionalText(500),
  limit: limit(MAX_KNOWLEDGE_HITS),
});
export type KnowledgeSearchQuery = z.infer<typeof KnowledgeSearchQuerySchema>;

/** `definition` and `references`: a name, optionally `Container.member`. */
export const KnowledgeSymbolQuerySchema = z.object({
  repo: RepoParamSchema,
  name: SymbolNameSchema,
  limit: limit(MAX_KNOWLEDGE_HITS),
});
export type KnowledgeSymbolQuery = z.infer<typeof KnowledgeSymbolQuerySchema>;

export const KnowledgeReadQuerySchema = z
  .object({
    repo: RepoParamSchema,
    /** Relative to the repository root; `..`, absolute paths and symlinks out of the repository are refused. */
    path: z.string().min(1, 'give a file path relative to the repository root').max(4096),
    start: z.coerce.number().int().min(1).optional(),
    end: z.coerce.number().int().min(1).optional(),
  })
  .refine((q) => q.start === undefined || q.end === undefined || q.end >= q.start, { message: 'end must not be before start', path: ['end'] })
  .refine((q) => q.end === undefined || q.end - (q.start ?? 1) < MAX_KNOWLEDGE_READ_LINES, {
    message: `read at most ${MAX_KNOWLEDGE_READ_LINES} lines at a time`,
    path: ['end'],
  });
export type KnowledgeReadQuery = z.infer<typeof KnowledgeReadQuerySchema>;

/** A repository the server knows (from its jobs and sessions), with or without an index. */
export const KnowledgeRepoSchema = z.object({
  /** The index's repository root (resolved through symlinks), or the git root of an unindexed one. */
  root: z.string(),
  name: z.string(),
  indexed: z.boolean(),
  /** When the index file last changed; null without an index. */
  indexedAt: TimestampSchema.nullable(),
  /** What to run to index it, when it has no index. */
  fix: z.string().optional(),
});
export type KnowledgeRepo = z.infer<typeof KnowledgeRepoSchema>;

const CitedSchema = z.object({
  path: z.string(),
  line: z.number().int().min(1),
  /** `path:line`, as an agent would cite it. */
  citation: z.string(),
});

export const KnowledgeSearchHitSchema = CitedSchema.extend({
  /** `symbol`: a declaration; `text`: a line of file content. */
  source: z.enum(['symbol', 'text']),
  /** The declaration's first line, or the matching line. */
  text: z.string(),
  name: z.string().optional(),
  kind: z.string().optional(),
});
export type KnowledgeSearchHit = z.infer<typeof KnowledgeSearchHitSchema>;

export const KnowledgeDefinitionHitSchema = CitedSchema.extend({
  endLine: z.number().int(),
  kind: z.string(),
  name: z.string(),
  container: z.string().nullable(),
  signature: z.string(),
  doc: z.string().nullable(),
});
export type KnowledgeDefinitionHit = z.infer<typeof KnowledgeDefinitionHitSchema>;

export const KnowledgeReferenceHitSchema = CitedSchema.extend({
  name: z.string(),
  /** The symbol the use sits in; null at top level. */
  enclosing: z.string().nullable(),
});
export type KnowledgeReferenceHit = z.infer<typeof KnowledgeReferenceHitSchema>;

const answer = <T extends z.ZodType>(hit: T) => z.object({ root: z.string(), hits: z.array(hit) });
export const KnowledgeSearchResultSchema = answer(KnowledgeSearchHitSchema);
export type KnowledgeSearchResult = z.infer<typeof KnowledgeSearchResultSchema>;
export const KnowledgeDefinitionResultSchema = answer(KnowledgeDefinitionHitSchema);
export type KnowledgeDefinitionResult = z.infer<typeof KnowledgeDefinitionResultSchema>;
export const KnowledgeReferenceResultSchema = answer(KnowledgeReferenceHitSchema);
export type KnowledgeReferenceResult = z.infer<typeof KnowledgeReferenceResultSchema>;

/** Numbered lines `start..end` of one file (`end < start` for an empty range). */
export const KnowledgeFileSchema = z.object({
  root: z.string(),
  path: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  totalLines: z.number().int().nonnegative(),
  lines: z.array(z.object({ line: z.number().int().min(1), text: z.string() })),
});
export type KnowledgeFile = z.infer<typeof KnowledgeFileSchema>;

/** The citation of a hit: `path:line`. */
export function formatCitation(path: string, line: number): string {
  return `${path}:${line}`;
}
