import { z } from 'zod';
import { FlowsSchema } from '../flow/flow-definition.js';
import { ScoutConfigSchema } from '../scout/scout-config.js';

/**
 * `flotilla.yaml`, the director's config. The smallest valid file is `repos: [{name, path, base}]`;
 * every other key has the default named beside it. Tokens never live in this file: each source names
 * the environment variable that holds its token.
 */

const NameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be letters, digits, ".", "_" or "-" (at most 64), starting with a letter or digit');

/** `owner/name` on GitHub. */
const GitHubRepoSchema = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be "owner/name"');

const EnvNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

export const RepoConfigSchema = z
  .object({
    name: NameSchema,
    /** A local checkout the director makes worktrees from. */
    path: z.string().min(1),
    /** The branch every ticket branch starts from and every pull request targets. */
    base: z.string().min(1),
    /** Where pull requests go; without it the pushed branch is recorded for review instead. */
    github: GitHubRepoSchema.optional(),
    /** Preferred hosts, in order (used by dispatch); empty lets any host with capacity run it. */
    hosts: z.array(z.string().min(1)).default([]),
    /** Run once in each new worktree before the agent starts (e.g. `pnpm install`). */
    setup: z.string().min(1).optional(),
    /** Ticket labels that route to this repo; the repo's name always counts as one. */
    labels: z.array(z.string().min(1)).default([]),
    /** Words that route a ticket here when no prefix or label decided (matched whole-word, any case). */
    keywords: z.array(z.string().min(1)).default([]),
    /** At most this many of this repo's batches at once (default: `concurrency.perRepo`). */
    concurrency: z.number().int().positive().optional(),
    /** A flow from `flows:` every ticket of this repo runs through (`flow run NAME` runs one by hand). */
    flow: z.string().min(1).optional(),
  })
  .strict();
export type RepoConfig = z.infer<typeof RepoConfigSchema>;

export const BoardSourceConfigSchema = z
  .object({
    /** The holder name the director claims board tasks as. */
    holder: z.string().min(1).default('director'),
    /** The board lease; the director renews it while it works on a task. */
    leaseMinutes: z.number().positive().default(30),
    /** The role a finished task is handed to, with its branch and pull request link. */
    reviewTo: z.string().min(1).default('review'),
  })
  .strict();

export const GitHubSourceConfigSchema = z
  .object({
    /** Repositories whose open issues are tickets. */
    repos: z.array(GitHubRepoSchema).min(1),
    /** Only issues carrying this label are tickets (default: every open issue). */
    label: z.string().min(1).optional(),
    inProgressLabel: z.string().min(1).default('flotilla:in-progress'),
    inReviewLabel: z.string().min(1).default('flotilla:in-review'),
  })
  .strict();

export const LinearSourceConfigSchema = z
  .object({
    /** The team key (`ENG`). */
    team: z.string().min(1),
    /** Workflow states whose issues are tickets. */
    states: z.array(z.string().min(1)).min(1).default(['Todo']),
    inProgressState: z.string().min(1).default('In Progress'),
    inReviewState: z.string().min(1).default('In Review'),
    tokenEnv: EnvNameSchema.default('LINEAR_API_KEY'),
    apiUrl: z.url().default('https://api.linear.app/graphql'),
  })
  .strict();

export const KeywordRuleSchema = z
  .object({ repo: NameSchema, words: z.array(z.string().min(1)).min(1) })
  .strict();

export const DirectorConfigSchema = z
  .object({
    repos: z.array(RepoConfigSchema).min(1),
    routing: z.object({ keywords: z.array(KeywordRuleSchema).default([]) }).strict().default({ keywords: [] }),
    cycle: z
      .object({
        /** Seconds between cycles (and a cycle at once when a board task is added). */
        everySeconds: z.number().int().positive().default(120),
      })
      .strict()
      .default({ everySeconds: 120 }),
    /** Task failures a ticket may have before the director gives up on it; infrastructure failures never count. */
    attempts: z.number().int().min(1).max(20).default(3),
    /** The model per failed attempt: attempt n runs on `ladder[min(n - 1, last)]`. */
    models: z
      .object({ agent: z.string().min(1).default('claude'), ladder: z.array(z.string().min(1)).min(1).default(['sonnet', 'sonnet', 'opus']) })
      .strict()
      .default({ agent: 'claude', ladder: ['sonnet', 'sonnet', 'opus'] }),
    concurrency: z
      .object({ perHost: z.number().int().positive().default(2), perRepo: z.number().int().positive().default(2) })
      .strict()
      .default({ perHost: 2, perRepo: 2 }),
    /** Up to this many related tickets of one repo in one job (one branch, one pull request). */
    batch: z.object({ size: z.number().int().min(1).max(20).default(1) }).strict().default({ size: 1 }),
    /** How GitHub is reached, for issues and for pull requests. */
    github: z
      .object({ apiUrl: z.url().default('https://api.github.com'), tokenEnv: EnvNameSchema.default('GITHUB_TOKEN') })
      .strict()
      .default({ apiUrl: 'https://api.github.com', tokenEnv: 'GITHUB_TOKEN' }),
    sources: z
      .object({
        /** The Flotilla board is always a source. */
        board: BoardSourceConfigSchema.default({ holder: 'director', leaseMinutes: 30, reviewTo: 'review' }),
        github: GitHubSourceConfigSchema.optional(),
        linear: LinearSourceConfigSchema.optional(),
      })
      .strict()
      .default({ board: { holder: 'director', leaseMinutes: 30, reviewTo: 'review' } }),
    /**
     * Named flows (`src/flow/flow-definition.ts`): ordered steps — work, review, command — and loops
     * until a review approves, all in one worktree. Optional; a repo's `flow:` must name one.
     */
    flows: FlowsSchema.optional(),
    /**
     * The scout (`src/scout/scout-config.ts`): evidence gathered in each repo, proposals added to the
     * board as `proposed` tasks. Optional; `start` scouts only when it is set.
     */
    scout: ScoutConfigSchema.optional(),
    /**
     * Learnings in codekb memory: how often the director consolidates them (`codekb memory
     * consolidate`). Optional; without it, every 24 hours (`src/learnings/consolidation-schedule.ts`).
     */
    learnings: z
      .object({
        /** Hours between consolidations (merging duplicate learnings, superseding contradicted ones). */
        consolidateEveryHours: z.number().positive().max(8760).default(24),
      })
      .strict()
      .optional(),
    /** Where the director keeps its ledger and worktrees (default: `$FLOTILLA_HOME/director`). */
    stateDir: z.string().min(1).optional(),
  })
  .strict();

export type DirectorConfig = z.infer<typeof DirectorConfigSchema>;
export type DirectorConfigInput = z.input<typeof DirectorConfigSchema>;
export type BoardSourceConfig = z.infer<typeof BoardSourceConfigSchema>;
export type GitHubSourceConfig = z.infer<typeof GitHubSourceConfigSchema>;
export type LinearSourceConfig = z.infer<typeof LinearSourceConfigSchema>;
export type KeywordRule = z.infer<typeof KeywordRuleSchema>;
