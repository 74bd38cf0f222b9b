import type { DirectorConfig, RepoConfig } from '../config/config-schema.js';
import { resolveFlow, stepsOf, type FlowItem } from '../flow/flow-definition.js';
import { ScoutConfigSchema, type ScoutConfig } from './scout-config.js';
import { SCOUT_ROLE } from './scout-prompt.js';

/** The built-in scout's flow name (a configured `scout.flow` replaces it). */
export const BUILT_IN_SCOUT_FLOW = 'scout';

export interface ScoutRepoPlan {
  repo: RepoConfig;
  commands: Array<{ name: string; command: string; timeoutMinutes: number }>;
}

export interface ScoutPlan {
  scout: ScoutConfig;
  repos: ScoutRepoPlan[];
  flowName: string;
  definition: FlowItem[];
  /** The work step whose final answer holds the proposals (the flow's last work step). */
  proposalStep: string;
}

const DEFAULT_TIMEOUT_MINUTES = 10;

/**
 * What a scout run does, from the config: which repos (all, `scout.repos`, or the one `--repo` names),
 * each repo's commands, and the flow (`scout.flow`, else one built-in work step). Every problem is
 * reported in words — a name that is not a repo, a flow that does not exist or has no work step.
 */
export function scoutPlanOf(config: DirectorConfig, options: { repo?: string } = {}): { ok: true; plan: ScoutPlan } | { ok: false; problems: string[] } {
  const scout = config.scout ?? ScoutConfigSchema.parse({});
  const problems: string[] = [];
  const known = config.repos.map((r) => r.name);
  for (const name of [...(scout.repos ?? []), ...Object.keys(scout.commandsByRepo)]) {
    if (!known.includes(name)) problems.push(`scout: "${name}" is not one of the repos (${known.join(', ')})`);
  }
  let repos = scout.repos === undefined ? config.repos : config.repos.filter((r) => scout.repos!.includes(r.name));
  if (options.repo !== undefined) {
    if (!known.includes(options.repo)) problems.push(`--repo ${options.repo}: not one of the repos (${known.join(', ')})`);
    repos = config.repos.filter((r) => r.name === options.repo);
  }
  const flow = flowOf(config, scout);
  if (!flow.ok) problems.push(...flow.problems);
  if (problems.length > 0 || !flow.ok) return { ok: false, problems };
  const plans = repos.map((repo): ScoutRepoPlan => {
    const commands = scout.commandsByRepo[repo.name] ?? scout.commands;
    return {
      repo,
      commands: Object.entries(commands).map(([name, value]) =>
        typeof value === 'string' ? { name, command: value, timeoutMinutes: DEFAULT_TIMEOUT_MINUTES } : { name, command: value.command, timeoutMinutes: value.timeoutMinutes },
      ),
    };
  });
  return { ok: true, plan: { scout, repos: plans, flowName: flow.name, definition: flow.definition, proposalStep: flow.proposalStep } };
}

function flowOf(config: DirectorConfig, scout: ScoutConfig): { ok: true; name: string; definition: FlowItem[]; proposalStep: string } | { ok: false; problems: string[] } {
  let name = BUILT_IN_SCOUT_FLOW;
  let definition: FlowItem[];
  if (scout.flow === undefined) {
    definition = [{ kind: 'work', name: 'scout', prompt: scout.prompt ?? SCOUT_ROLE, attempts: 1, ...(scout.agent === undefined ? {} : { agent: scout.agent }), ...(scout.model === undefined ? {} : { model: scout.model }) }];
  } else {
    const defined = config.flows?.[scout.flow];
    if (defined === undefined) {
      const names = Object.keys(config.flows ?? {});
      return { ok: false, problems: [`scout → flow: "${scout.flow}" is not a flow (${names.length === 0 ? 'no flows are defined under flows:' : `defined: ${names.join(', ')}`})`] };
    }
    name = scout.flow;
    definition = defined;
  }
  const resolved = resolveFlow(definition, config.models);
  if (!resolved.ok) return { ok: false, problems: resolved.problems.map((p) => `scout → flow "${name}": ${p}`) };
  const proposalStep = stepsOf(definition).filter(({ step }) => step.kind === 'work').at(-1)?.step.name;
  if (proposalStep === undefined) return { ok: false, problems: [`scout → flow "${name}" has no work step: its last work step's answer holds the proposals`] };
  return { ok: true, name, definition, proposalStep };
}
