import { FailureKindSchema, type FailureKind } from '@flotilla/protocol';
import type { DirectorConfig } from '../config/config-schema.js';
import type { RunJob, RunJobRequest, RunJobResult } from '../cycle/run-job.js';
import { runGit } from '../git/run-git.js';
import { burnsAttempt } from '../ledger/attempt-cost.js';
import type { FlowLedger, FlowRecord } from './flow-ledger.js';
import { createFlowRunner, FlowError, type FlowEvent, type FlowRunJob } from './flow-runner.js';

export interface FlowRunJobOptions {
  config: Pick<DirectorConfig, 'repos' | 'flows' | 'models'>;
  /** Runs every step's job — and, unchanged, every job of a repo without `flow:`. */
  runJob: FlowRunJob;
  ledger: FlowLedger;
  owner?: string;
  onEvent?: (event: FlowEvent) => void;
}

/**
 * A repo's `flow:` setting for the director's cycle, without touching the cycle: a `RunJob` that
 * runs a batch attempt of such a repo through its flow, in the batch's worktree, and answers with
 * the flow's outcome (everything else goes to `runJob` as it is).
 *
 * - The task is the director's prompt (tickets, comments, the repo's guides). A step without its own
 *   model runs on the attempt's model, so the director's model ladder escalates the flow's default steps.
 * - The flow's id is `<batchId>:<attempt>`: a restarted director resumes the same flow, and a
 *   new attempt after an infrastructure failure resumes the failed flow at its failed step
 *   (never redoing the steps that ended).
 * - Approved or completed → `ok`; not approved, or a step failed through the task → `task` (the
 *   attempt is used, the ladder may escalate); a step failed through the infrastructure → its own
 *   kind (free, with `resetsAt`).
 *
 * @example
 * createDirector({ ..., runJob: createFlowRunJob({ config, runJob: hubRunJob, ledger: openFlowLedger(`${stateDir}/flows.db`) }) });
 */
export function createFlowRunJob(options: FlowRunJobOptions): RunJob {
  const runner = createFlowRunner({ ledger: options.ledger, runJob: options.runJob, owner: options.owner, onEvent: options.onEvent });
  return async (request: RunJobRequest): Promise<RunJobResult> => {
    const repo = options.config.repos.find((r) => r.name === request.repo);
    const definition = repo?.flow === undefined ? undefined : options.config.flows?.[repo.flow];
    if (repo?.flow === undefined || definition === undefined) return options.runJob(request as Parameters<FlowRunJob>[0]);
    try {
      const earlier = await resumableEarlier(options.ledger, request);
      if (earlier !== null) return outcome(await runner.resume(earlier.id, { retryFailed: true }));
      const id = flowIdOf(request.batchId, request.attempt);
      if ((await options.ledger.getFlow(id)) !== null) return outcome(await runner.resume(id));
      return outcome(
        await runner.start({
          id,
          name: repo.flow,
          definition,
          models: { agent: options.config.models.agent, ladder: [request.model] },
          task: request.prompt,
          repo: repo.name,
          hosts: request.hosts,
          worktreePath: request.worktreePath,
          branch: request.branch,
          baseCommit: await mergeBase(request.worktreePath, repo.base),
          tickets: request.tickets,
        }),
      );
    } catch (error) {
      // Another director holds this flow: not the ticket's fault, and not a reason to run it twice.
      if (error instanceof FlowError && error.code === 'FLOW_BUSY') return { ok: false, failure: { kind: 'interrupted', message: error.message } };
      throw error;
    }
  };
}

function flowIdOf(batchId: string, attempt: number): string {
  return `${batchId}:${attempt}`;
}

/** The batch's latest earlier flow, when it is still running or failed through the infrastructure. */
async function resumableEarlier(ledger: FlowLedger, request: RunJobRequest): Promise<FlowRecord | null> {
  for (let attempt = request.attempt - 1; attempt >= 1; attempt -= 1) {
    const flow = await ledger.getFlow(flowIdOf(request.batchId, attempt));
    if (flow === null) continue;
    const kind = failedKind(flow);
    return flow.status === 'running' || (flow.status === 'failed' && kind !== 'task' && !burnsAttempt(kind)) ? flow : null;
  }
  return null;
}

function outcome(flow: FlowRecord): RunJobResult {
  if (flow.status === 'approved' || flow.status === 'completed') {
    return { ok: true, jobId: flow.id, summary: `flow ${flow.name} ${flow.status} after ${flow.steps.length} step run${flow.steps.length === 1 ? '' : 's'}` };
  }
  const message = `flow ${flow.name} ${flow.status === 'not_approved' ? 'ended not approved' : 'failed'}: ${flow.reason ?? 'no reason recorded'}`;
  if (flow.status !== 'failed') return { ok: false, jobId: flow.id, failure: { kind: 'task', message } };
  const kind = failedKind(flow);
  const resetsAt = /\(resets at ([^)\s]+)\)/.exec(flow.steps.filter((s) => s.status === 'failed').at(-1)?.reason ?? '')?.[1] ?? null;
  return { ok: false, jobId: flow.id, failure: { kind, message, resetsAt } };
}

/** The failure kind of the flow's last failed step; a missing verdict, a failing command or anything unknown is the task's. */
function failedKind(flow: FlowRecord): FailureKind {
  const parsed = FailureKindSchema.safeParse(flow.steps.filter((s) => s.status === 'failed').at(-1)?.failureKind);
  return parsed.success ? parsed.data : 'task';
}

async function mergeBase(worktreePath: string, base: string): Promise<string | null> {
  for (const ref of [`origin/${base}`, base]) {
    const result = await runGit(worktreePath, ['merge-base', 'HEAD', ref]);
    if (result.exitCode === 0) return result.stdout.trim();
  }
  return null;
}
