import { z } from 'zod';

/**
 * A flow in `flotilla.yaml` (`flows: {name: [items…]}`): an ordered list of steps run in one
 * worktree, each handing its notes forward, and loops that repeat their steps until a review in
 * them approves. Every item carries a `kind`, so a mistake is reported on the item's own field
 * (`flows → implement-review[1] → maxRounds: must be at most 10`), never as "invalid union".
 *
 * ```yaml
 * flows:
 *   implement-review:
 *     - {kind: work, name: implement, agent: claude, model: sonnet, prompt: "You implement the task…"}
 *     - kind: loop
 *       until: approved
 *       maxRounds: 3
 *       steps:
 *         - {kind: review, name: review, agent: codex, model: gpt-5-codex, prompt: "Review adversarially…"}
 *         - {kind: work, name: fix, agent: claude, model: sonnet, prompt: "Fix what the review found…"}
 *     - {kind: command, name: tests, command: "pnpm test"}
 *     - {kind: review, name: challenge, agent: codex, model: gpt-5-codex, prompt: "Final challenge…"}
 * ```
 */

const StepNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be letters, digits, ".", "_" or "-" (at most 64), starting with a letter or digit');

const AgentStepFields = {
  name: StepNameSchema,
  /** The agent CLI (`claude`, `codex`, …); default `models.agent`. */
  agent: z.string().min(1).optional(),
  /**
   * Always passed to the agent: a job without a model flag runs on the most expensive model. May be
   * left out only when the step's agent is `models.agent` (it then runs on `models.ladder[0]`).
   */
  model: z.string().min(1).optional(),
  /** The role prompt: who this step is and what it must do. The task and earlier notes are added. */
  prompt: z.string().min(1),
  /** Runs of this step when its job fails through the task's own fault (default 1: no retry). */
  attempts: z.number().int().min(1).max(5).default(1),
};

export const WorkStepSchema = z.object({ kind: z.literal('work'), ...AgentStepFields }).strict();
/** Ends with a schema-checked verdict `{verdict, findings}`; its quotes are checked against the worktree. */
export const ReviewStepSchema = z.object({ kind: z.literal('review'), ...AgentStepFields }).strict();
/** A shell command (`sh -c`, the user's own config) in the worktree; its exit code and output tail are its note. */
export const CommandStepSchema = z
  .object({
    kind: z.literal('command'),
    name: StepNameSchema,
    command: z.string().min(1),
    /** Longer than this is stuck: the command's process group is killed and the step fails. */
    timeoutMinutes: z.number().positive().max(24 * 60).default(30),
    /** A non-zero exit is only a note for the next steps (e.g. tests inside a review loop), not a failed flow. */
    allowFailure: z.boolean().default(false),
  })
  .strict();

export const FlowStepSchema = z.discriminatedUnion('kind', [WorkStepSchema, ReviewStepSchema, CommandStepSchema]);

/**
 * Repeats `steps` in order, round after round, until a review step among them says `approved`
 * (the rest of that round is skipped) or `maxRounds` rounds ended without approval — the flow then
 * ends `not_approved`. Only the verdict's `verdict` field is read, never its prose.
 */
export const LoopSchema = z
  .object({
    kind: z.literal('loop'),
    name: StepNameSchema.default('loop'),
    until: z.literal('approved'),
    maxRounds: z.number().int().min(1).max(10).default(3),
    steps: z.array(FlowStepSchema).min(1),
  })
  .strict()
  .refine((loop) => loop.steps.some((step) => step.kind === 'review'), { message: 'a loop until approved needs a review step among its steps', path: ['steps'] });

export const FlowItemSchema = z.discriminatedUnion('kind', [WorkStepSchema, ReviewStepSchema, CommandStepSchema, LoopSchema]);
export const FlowDefinitionSchema = z.array(FlowItemSchema).min(1);
export const FlowsSchema = z.record(StepNameSchema, FlowDefinitionSchema);

export type WorkStep = z.infer<typeof WorkStepSchema>;
export type ReviewStep = z.infer<typeof ReviewStepSchema>;
export type CommandStep = z.infer<typeof CommandStepSchema>;
export type FlowStep = z.infer<typeof FlowStepSchema>;
export type FlowLoop = z.infer<typeof LoopSchema>;
export type FlowItem = z.infer<typeof FlowItemSchema>;
export type FlowDefinition = z.infer<typeof FlowDefinitionSchema>;
export type FlowDefinitionInput = z.input<typeof FlowDefinitionSchema>;

/** A work or review step with its agent and model decided (as the flow's record keeps it). */
export type ResolvedAgentStep = (WorkStep | ReviewStep) & { agent: string; model: string };
export type ResolvedStep = ResolvedAgentStep | CommandStep;
export type ResolvedLoop = Omit<FlowLoop, 'steps'> & { steps: ResolvedStep[] };
export type ResolvedItem = ResolvedStep | ResolvedLoop;

/** Every step of a flow, loops opened, with where it sits (`[2, 0]`: the first step of the third item). */
export function stepsOf(definition: readonly FlowItem[]): Array<{ at: number[]; step: FlowStep }> {
  return definition.flatMap((item, index) => (item.kind === 'loop' ? item.steps.map((step, inner) => ({ at: [index, inner], step })) : [{ at: [index], step: item }]));
}

/**
 * Fills in each agent step's agent and model from the config's `models` (the agent defaults to
 * `models.agent`; a step of that agent without a model runs on `ladder[0]`). A step of another agent
 * without a model is refused: guessing would run it on whatever its CLI defaults to.
 */
export function resolveFlow(definition: readonly FlowItem[], models: { agent: string; ladder: readonly string[] }): { ok: true; items: ResolvedItem[] } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const resolveStep = (step: FlowStep): ResolvedStep => {
    if (step.kind === 'command') return step;
    const agent = step.agent ?? models.agent;
    const model = step.model ?? (agent === models.agent ? models.ladder[0] : undefined);
    if (model === undefined) problems.push(`step "${step.name}": model: required for agent "${agent}" (the default model, ${models.ladder[0] ?? 'none'}, is for ${models.agent})`);
    return { ...step, agent, model: model ?? '' };
  };
  const items = definition.map((item): ResolvedItem => (item.kind === 'loop' ? { ...item, steps: item.steps.map(resolveStep) } : resolveStep(item)));
  return problems.length === 0 ? { ok: true, items } : { ok: false, problems };
}
