import { z } from 'zod';

/**
 * `scout:` in `flotilla.yaml` — the scout that keeps the fleet from idling: it gathers evidence in a
 * fresh worktree of each repo's base (the configured commands' exit codes and output tails, and
 * TODO/FIXME clusters found with `git grep`), asks an agent for proposals, and adds them to the
 * board as `proposed` tasks a person approves before anything is dispatched.
 *
 * ```yaml
 * scout:
 *   repos: [api]                      # default: every repo
 *   commands:                         # evidence: name → a shell command (sh -c) in the fresh worktree
 *     tests: pnpm test
 *     lint: {command: pnpm lint, timeoutMinutes: 5}
 *     outdated: pnpm outdated --format json
 *   commandsByRepo: {web: {tests: npm test}}   # a repo's own commands, instead of `commands`
 *   todos: {markers: [TODO, FIXME, HACK, XXX]}
 *   maxProposals: 5                   # per repo and run
 *   maxPending: 10                    # a repo with this many proposals awaiting approval is not scouted
 *   everyHours: 24                    # `start` scouts this often; null: only `flotilla-director scout`
 * ```
 */

const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const RepoNameSchema = z.string().regex(REPO_NAME, 'must be a repo name from repos:');
const GATHERER_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** A record whose keys are checked one by one, each problem reported on its own key (zod's own says only "Invalid key"). */
function keyedRecord<T extends z.ZodType>(key: RegExp, keyProblem: string, value: T) {
  return z.record(z.string(), value).superRefine((record, ctx) => {
    for (const name of Object.keys(record)) if (!key.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: keyProblem });
  });
}

/** A command as a string, or with its own timeout. */
export const ScoutCommandSchema = z.union([
  z.string().min(1),
  z
    .object({
      command: z.string().min(1),
      /** Longer than this and its process group is killed; what it printed so far is still evidence. */
      timeoutMinutes: z.number().positive().max(240).default(10),
    })
    .strict(),
]);
export type ScoutCommandInput = z.input<typeof ScoutCommandSchema>;

const ScoutCommandsSchema = keyedRecord(GATHERER_NAME, 'must be a lower-case name (tests, lint, outdated…), at most 32 characters', ScoutCommandSchema);

export const ScoutConfigSchema = z
  .object({
    /** Repos to scout, by name (default: every repo in `repos:`). */
    repos: z.array(RepoNameSchema).min(1).optional(),
    /**
     * A flow from `flows:` to scout with instead of the built-in single step. The proposals are the
     * final answer of its last `work` step; a review after it that does not approve proposes nothing.
     */
    flow: z.string().min(1).optional(),
    /** The built-in scout step's agent and model (default `models.agent`, `models.ladder[0]`). */
    agent: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    /** What the scout step is told to look for, before the evidence (default: the built-in role). */
    prompt: z.string().min(1).optional(),
    /** Evidence gatherers: name → command, run in the fresh worktree after the repo's `setup`. */
    commands: ScoutCommandsSchema.default({}),
    /** A repo's own gatherers, replacing `commands` for that repo. */
    commandsByRepo: keyedRecord(REPO_NAME, 'must be a repo name from repos:', ScoutCommandsSchema).default({}),
    todos: z
      .object({
        /** Look for marker comments at all. */
        enabled: z.boolean().default(true),
        /** Whole words, matched case-sensitively (`TODO`, not `todos`). */
        markers: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a word')).min(1).default(['TODO', 'FIXME', 'HACK', 'XXX']),
      })
      .strict()
      .default({ enabled: true, markers: ['TODO', 'FIXME', 'HACK', 'XXX'] }),
    /** At most this many proposals per repo and run (the agent is told; extra ones are dropped). */
    maxProposals: z.number().int().min(1).max(20).default(5),
    /** A repo that already has this many `proposed` tasks waiting for approval is not scouted. */
    maxPending: z.number().int().min(1).max(200).default(10),
    /** How often `start` scouts (hours, kept across restarts); null: only by hand. */
    everyHours: z.number().positive('must be more than 0 (null: scout only by hand)').max(24 * 30).nullable().default(24),
    /** Tags on every proposed task (the repo's name is added). */
    tags: z.array(z.string().min(1).max(64)).max(16).default(['scout']),
  })
  .strict();

export type ScoutConfig = z.infer<typeof ScoutConfigSchema>;
export type ScoutConfigInput = z.input<typeof ScoutConfigSchema>;
