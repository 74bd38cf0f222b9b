/**
 * The flows as the pipeline report shows them (issue 8 point 5): each flow's state, the step it is
 * at, its rounds, and per step run its agent, model, job, verdict (with its findings counted by
 * their check against the worktree) and an excerpt of its note. `flow show ID` has everything.
 */
import { MAX_NOTE_EXCERPT, MAX_PIPELINE_ITEMS, type PipelineFlow, type PipelineFlowStep } from '@flotilla/protocol';
import type { FlowLedger, FlowRecord, FlowStepRecord } from '../flow/flow-ledger.js';
import { cut } from './cut.js';

/** Flows shown per report: the running ones and those ended in the last day, newest first. */
export const MAX_FLOWS_SHOWN = 20;
const MAX_STEPS_SHOWN = 200;

/**
 * @example
 * const flows = await recentFlows(openFlowLedger(`${stateDir}/flows.db`), { since: Date.now() - 86_400_000 });
 */
export async function recentFlows(ledger: FlowLedger, options: { since: number; limit?: number }): Promise<PipelineFlow[]> {
  const heads = await ledger.listFlows({ limit: MAX_PIPELINE_ITEMS });
  const shown = heads.filter((flow) => flow.status === 'running' || Date.parse(flow.updatedAt) >= options.since).slice(0, options.limit ?? MAX_FLOWS_SHOWN);
  const flows: PipelineFlow[] = [];
  for (const head of shown) {
    const flow = await ledger.getFlow(head.id);
    if (flow !== null) flows.push(flowView(flow));
  }
  return flows;
}

export function flowView(flow: FlowRecord): PipelineFlow {
  const current = flow.steps.at(-1);
  return {
    id: cut(flow.id, 300),
    name: cut(flow.name, 200),
    repo: cut(flow.repo, 200),
    task: cut(flow.task, MAX_NOTE_EXCERPT),
    state: flow.status,
    reason: cutOrNull(flow.reason, 2000),
    branch: cut(flow.branch, 500),
    currentStep: current === undefined ? null : cut(current.name, 200),
    rounds: flow.steps.reduce((most, step) => Math.max(most, step.round), 0),
    createdAt: flow.createdAt,
    updatedAt: flow.updatedAt,
    endedAt: flow.endedAt,
    // The latest runs when a long flow has more than the report carries.
    steps: flow.steps.slice(-MAX_STEPS_SHOWN).map(stepView),
  };
}

function stepView(step: FlowStepRecord): PipelineFlowStep {
  const findings = step.verdict?.findings ?? null;
  return {
    position: cut(step.position, 50),
    name: cut(step.name, 200),
    kind: step.kind,
    round: Math.max(1, step.round),
    attempt: Math.max(1, step.attempt),
    status: step.status,
    agent: cutOrNull(step.agent, 100),
    model: cutOrNull(step.model, 200),
    jobId: cutOrNull(step.jobId, 100),
    verdict: step.verdict?.verdict ?? null,
    findings:
      findings === null
        ? null
        : {
            verified: findings.filter((f) => f.mark === 'verified').length,
            unverified: findings.filter((f) => f.mark === 'unverified').length,
            external: findings.filter((f) => f.mark === 'external_unverified').length,
          },
    note: cutOrNull(step.note, MAX_NOTE_EXCERPT),
    reason: cutOrNull(step.reason, 2000),
    startedAt: step.startedAt,
    endedAt: step.endedAt,
  };
}

function cutOrNull(text: string | null, max: number): string | null {
  return text === null ? null : cut(text, max);
}
