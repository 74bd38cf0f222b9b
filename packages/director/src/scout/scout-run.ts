import { join } from 'node:path';
import createDebug from 'debug';
import type { BoardClient, Task } from '@flotilla/protocol';
import { ulid } from 'ulidx';
import type { DirectorConfig } from '../config/config-schema.js';
import type { FlowLedger, FlowRecord } from '../flow/flow-ledger.js';
import { createFlowRunner, type FlowEvent, type FlowRunJob } from '../flow/flow-runner.js';
import { gatherEvidence, hasFindings, type Evidence } from './evidence.js';
import { findDuplicate, identityOf, isRepoTask } from './duplicates.js';
import { checkProposals, parseProposals, PROPOSALS_JSON_SCHEMA, type CheckedEvidence, type CheckedProposal, type Proposal } from './proposals.js';
import { proposedTask } from './proposed-task.js';
import { scoutPlanOf, type ScoutPlan, type ScoutRepoPlan } from './scout-plan.js';
import { proposalInstructions, scoutTask } from './scout-prompt.js';
import type { ScoutRecord, ScoutRunOutcome } from './scout-record.js';
import { takeScoutLock } from './scout-lock.js';
import { openScoutWorktree, type ScoutWorktree } from './scout-worktree.js';

const debug = createDebug('director:scout');

export interface ScoutOptions {
  config: DirectorConfig;
  /** Scout worktrees live under `<stateDir>/worktrees`. */
  stateDir: string;
  /** Runs the scout flow's agent steps (the hub's dispatch, as for tickets and flows). */
  runJob: FlowRunJob;
  /** The hub's board; null without one (then only `dryRun` may run). */
  board: BoardClient | null;
  record: ScoutRecord;
  /** Where the scout's flow runs are recorded (`flows.db`: `flow show ID` shows one). */
  flows: FlowLedger;
  /** Only this repo (`--repo`). */
  repo?: string;
  /** Gather, ask and check, but add nothing to the board and record nothing. */
  dryRun?: boolean;
  owner?: string;
  /** Progress in lines, as it happens. */
  onProgress?: (line: string) => void;
}

export interface ProposedReport {
  title: string;
  priority: Task['priority'];
  fingerprint: string;
  /** The board task (null in a dry run). */
  taskId: string | null;
  taskKey: string | null;
  evidence: CheckedEvidence[];
}

export interface SkippedReport {
  title: string;
  /** `duplicate`, `unverified` (no quote checked out) or `over_limit`. */
  why: 'duplicate' | 'unverified' | 'over_limit';
  reason: string;
  duplicateOf: string | null;
}

export interface ScoutRepoReport {
  repo: string;
  outcome: ScoutRunOutcome;
  reason: string | null;
  flowId: string | null;
  commit: string | null;
  evidence: { commands: Array<Omit<Evidence['commands'][number], 'tail'>>; markers: number; clusters: number } | null;
  proposed: ProposedReport[];
  skipped: SkippedReport[];
}

export interface ScoutReport {
  startedAt: string;
  endedAt: string;
  dryRun: boolean;
  repos: ScoutRepoReport[];
}

export class ScoutError extends Error {
  readonly code: 'SCOUT_CONFIG' | 'SCOUT_NO_BOARD';
  constructor(code: ScoutError['code'], message: string) {
    super(message);
    this.name = 'ScoutError';
    this.code = code;
  }
}

/**
 * One scout run over the configured repos, one after another: a fresh worktree of the base, the
 * evidence, the scout flow, the proposals checked and compared with the board and the record, the
 * new ones added as `proposed` tasks titled `[repo] …`, the worktree removed. A repo's failure is its
 * report's (`failed` with the reason); the others still run.
 *
 * @example
 * const report = await runScout({ config, stateDir, runJob, board, record: openScoutRecord(path), flows: openFlowLedger(flowsPath) });
 */
export async function runScout(options: ScoutOptions): Promise<ScoutReport> {
  const planned = scoutPlanOf(options.config, options.repo === undefined ? {} : { repo: options.repo });
  if (!planned.ok) throw new ScoutError('SCOUT_CONFIG', planned.problems.join('; '));
  if (options.board === null && options.dryRun !== true) {
    throw new ScoutError('SCOUT_NO_BOARD', 'proposals go to the board, and this server has none (a lone cb daemon): scout through a hub (mesh serve), or look with --dry-run');
  }
  const startedAt = new Date().toISOString();
  const repos: ScoutRepoReport[] = [];
  for (const repoPlan of planned.plan.repos) repos.push(await scoutRepo(options, planned.plan, repoPlan));
  return { startedAt, endedAt: new Date().toISOString(), dryRun: options.dryRun === true, repos };
}

async function scoutRepo(options: ScoutOptions, plan: ScoutPlan, repoPlan: ScoutRepoPlan): Promise<ScoutRepoReport> {
  const { repo } = repoPlan;
  const say = (line: string): void => options.onProgress?.(`${repo.name}: ${line}`);
  const report: ScoutRepoReport = { repo: repo.name, outcome: 'failed', reason: null, flowId: null, commit: null, evidence: null, proposed: [], skipped: [] };
  const runId = ulid();
  const dryRun = options.dryRun === true;
  options.record.startRun({ id: runId, repo: repo.name, dryRun });
  let worktree: ScoutWorktree | null = null;
  let lock: { release(): Promise<void> } | null = null;
  try {
    if (!dryRun) {
      const taken = await takeScoutLock(options.stateDir, repo.name);
      if ('heldBy' in taken) return end(report, 'skipped', `another scout of ${repo.name} is running (pid ${taken.heldBy})`);
      lock = taken;
    }
    const pending = options.board === null ? [] : (await options.board.listTasks({ status: ['proposed'] })).filter((task) => isRepoTask(task, repo.name));
    if (pending.length >= plan.scout.maxPending) {
      return end(report, 'skipped', `${pending.length} proposals of ${repo.name} await approval (scout.maxPending ${plan.scout.maxPending}): approve or fail some first`);
    }
    worktree = await openScoutWorktree({ repoPath: repo.path, repoName: repo.name, base: repo.base, worktreesDir: join(options.stateDir, 'worktrees'), ...(repo.setup === undefined ? {} : { setup: repo.setup }) });
    report.commit = worktree.commit;
    say(`worktree of ${repo.base} at ${worktree.commit.slice(0, 12)}`);
    if (worktree.setup !== null && !worktree.setup.ok) return end(report, 'failed', `the repo's setup (\`${repo.setup}\`) exited ${worktree.setup.exitCode ?? 'abnormally'}: ${worktree.setup.tail}`);
    const markers = plan.scout.todos.enabled ? plan.scout.todos.markers : [];
    const evidence = await gatherEvidence({ worktreePath: worktree.path, commands: repoPlan.commands, markers });
    report.evidence = { commands: evidence.commands.map(({ tail: _tail, ...rest }) => rest), markers: evidence.markers.total, clusters: evidence.markers.clusters.length + evidence.markers.clustersLeftOut };
    say(`evidence: ${[...evidence.commands.map((c) => `${c.name} ${c.timedOut ? 'timed out' : `exit ${c.exitCode ?? '?'}`}`), `${evidence.markers.total} marker comments`].join(', ')}`);
    if (!hasFindings(evidence)) return end(report, 'nothing_found', 'every command passed and no marker comments were found: nothing to ask an agent about');
    const asked = await askScout(options, plan, repoPlan, worktree, evidence, say);
    report.flowId = asked.flowId;
    if (!asked.ok) return end(report, 'failed', asked.reason);
    const checked = await checkProposals(worktree.path, asked.proposals, evidence.commands);
    await propose(options, plan, repo.name, runId, worktree.commit, checked, report, asked.flowId);
    return end(report, report.proposed.length > 0 ? 'proposed' : 'nothing_new', null);
  } catch (error) {
    return end(report, 'failed', (error as Error).message);
  } finally {
    await worktree?.remove().catch((error: unknown) => say(`removing the scout worktree failed: ${(error as Error).message}`));
    await lock?.release();
    options.record.endRun(runId, { outcome: report.outcome, proposed: report.proposed.length, skipped: report.skipped.length, reason: report.reason, flowId: report.flowId });
    debug('%s: %s %s', repo.name, report.outcome, report.reason ?? '');
  }
}

function end(report: ScoutRepoReport, outcome: ScoutRunOutcome, reason: string | null): ScoutRepoReport {
  report.outcome = outcome;
  report.reason = reason;
  return report;
}

type Asked = { ok: true; flowId: string; proposals: Proposal[] } | { ok: false; flowId: string | null; reason: string };

/** Runs the scout flow in the worktree; its proposal step is told the answer's shape (and Claude gets the JSON Schema). */
async function askScout(options: ScoutOptions, plan: ScoutPlan, repoPlan: ScoutRepoPlan, worktree: ScoutWorktree, evidence: Evidence, say: (line: string) => void): Promise<Asked> {
  let answer: string | null = null;
  const runJob: FlowRunJob = async (request) => {
    if (request.flow.step !== plan.proposalStep) return options.runJob(request);
    const result = await options.runJob({
      ...request,
      prompt: `${request.prompt}\n\n${proposalInstructions(plan.scout.maxProposals)}`,
      ...(request.agent === 'claude' ? { jsonSchema: PROPOSALS_JSON_SCHEMA } : {}),
    });
    answer = result.ok ? (result.summary ?? '') : null;
    return result;
  };
  const onEvent = (event: FlowEvent): void => {
    if (event.type === 'step.started') say(`▸ ${event.step.name} (${event.step.agent ?? event.step.kind}${event.step.model === null ? '' : ` ${event.step.model}`})…`);
    if (event.type === 'step.ended') say(`  ${event.step.name} ${event.step.status}${event.step.reason === null ? '' : `: ${event.step.reason}`}`);
  };
  const runner = createFlowRunner({ ledger: options.flows, runJob, commitWork: false, onEvent, ...(options.owner === undefined ? {} : { owner: options.owner }) });
  const flow: FlowRecord = await runner.start({
    name: plan.flowName,
    definition: plan.definition,
    models: options.config.models,
    task: scoutTask({ repo: repoPlan.repo.name, base: repoPlan.repo.base, commit: worktree.commit, evidence, maxProposals: plan.scout.maxProposals }),
    repo: repoPlan.repo.name,
    hosts: repoPlan.repo.hosts,
    worktreePath: worktree.path,
    branch: worktree.branch,
    baseCommit: worktree.commit,
  });
  if (flow.status !== 'completed' && flow.status !== 'approved') {
    return { ok: false, flowId: flow.id, reason: `the scout flow "${flow.name}" ${flow.status === 'not_approved' ? 'ended not approved' : 'failed'}: ${flow.reason ?? 'no reason recorded'} (flow show ${flow.id})` };
  }
  const parsed = parseProposals(answer);
  if (!parsed.ok) return { ok: false, flowId: flow.id, reason: `${parsed.reason} (flow show ${flow.id})` };
  return { ok: true, flowId: flow.id, proposals: parsed.proposals };
}

/** Unverified and duplicate proposals are skipped with the reason; the rest, up to the limit, go to the board. */
async function propose(options: ScoutOptions, plan: ScoutPlan, repo: string, runId: string, commit: string, checked: CheckedProposal[], report: ScoutRepoReport, flowId: string): Promise<void> {
  const board: Task[] = options.board === null ? [] : await options.board.listTasks();
  const dryRun = options.dryRun === true;
  for (const proposal of checked) {
    if (!proposal.verified) {
      const reasons = proposal.evidence.length === 0 ? 'it cites no evidence' : proposal.evidence.map((e) => `${e.path}${e.line === null ? '' : `:${e.line}`}: ${e.mark}: ${e.reason ?? 'no reason'}`).join('; ');
      report.skipped.push({ title: proposal.title, why: 'unverified', reason: `no quote checked out (${reasons})`, duplicateOf: null });
      continue;
    }
    const identity = identityOf(repo, proposal);
    const duplicate = findDuplicate(repo, identity, board, options.record);
    if (duplicate !== null) {
      report.skipped.push({ title: proposal.title, why: 'duplicate', reason: duplicate.reason, duplicateOf: duplicate.of });
      continue;
    }
    if (report.proposed.length >= plan.scout.maxProposals) {
      report.skipped.push({ title: proposal.title, why: 'over_limit', reason: `over scout.maxProposals (${plan.scout.maxProposals})`, duplicateOf: null });
      continue;
    }
    const request = proposedTask({ repo, proposal, identity, commit, flowId, tags: plan.scout.tags, at: new Date() });
    let task: Task | null = null;
    if (!dryRun && options.board !== null) {
      task = await options.board.addTask(request);
      options.record.recordProposal({ repo, fingerprint: identity.fingerprint, titleKey: identity.titleKey, title: task.title, taskId: task.id, taskKey: task.key, proposedAt: task.createdAt, runId });
    }
    // Later proposals of this run are compared with this one too.
    board.push(task ?? ({ id: `dry-${report.proposed.length}`, key: '(dry run)', title: request.title, body: request.body ?? '', status: 'proposed' } as Task));
    report.proposed.push({ title: request.title, priority: request.priority ?? 'normal', fingerprint: identity.fingerprint, taskId: task?.id ?? null, taskKey: task?.key ?? null, evidence: proposal.evidence });
  }
}
