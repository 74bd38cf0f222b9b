import { hostname } from 'node:os';
import createDebug from 'debug';
import { ulid } from 'ulidx';
import type { RunJobRequest, RunJobResult } from '../cycle/run-job.js';
import { commitLeftovers } from '../git/commit-push.js';
import { runGit } from '../git/run-git.js';
import { burnsAttempt } from '../ledger/attempt-cost.js';
import type { Ticket } from '../tickets/ticket.js';
import { commandNote, runCommandStep } from './command-step.js';
import { resolveFlow, type CommandStep, type FlowItem, type ResolvedAgentStep, type ResolvedStep } from './flow-definition.js';
import type { FlowLedger, FlowRecord, FlowStatus, FlowStepRecord, StoredVerdict } from './flow-ledger.js';
import { buildStepPrompt, cut, MAX_NOTE_CHARS } from './flow-prompt.js';
import { checkFindings, type CheckedFinding } from './quote-check.js';
import { parseVerdict, VERDICT_JSON_SCHEMA } from './verdict.js';

const debug = createDebug('director:flow');

/** What a flow step asks the job runner for: a `RunJobRequest`, plus what only flows need. */
export interface FlowJobRequest extends RunJobRequest {
  /**
   * Set for Claude review steps: the verdict's JSON Schema, to pass as `claude -p --json-schema`
   * (the job's final answer is then the verdict as JSON). A runner that cannot pass it may ignore
   * it: the prompt also asks for the verdict in a fenced block, and either is parsed the same way.
   */
  jsonSchema?: object;
  flow: { id: string; name: string; step: string; kind: 'work' | 'review'; round: number };
  /** A runner that learns the job's id before the job ends calls this, so `flow show` names the job while it runs. */
  onJobId?: (jobId: string) => void;
}

/**
 * Runs one step's job and resolves when it ended; `summary` must be the agent's final answer (a
 * review's verdict is read from it). Any `RunJob` is one: it is called with a `FlowJobRequest`.
 */
export type FlowRunJob = (request: FlowJobRequest) => Promise<RunJobResult>;

export type FlowEvent = { type: 'step.started'; step: FlowStepRecord } | { type: 'step.ended'; step: FlowStepRecord } | { type: 'flow.ended'; flow: FlowRecord };

export interface FlowRunnerOptions {
  ledger: FlowLedger;
  runJob: FlowRunJob;
  /** Who runs flows here, recorded as the flow's holder (default `<hostname>:<pid>`). */
  owner?: string;
  /** The hold on a running flow, renewed every third of it; a crashed runner's flow is free after it. */
  leaseMs?: number;
  /** Commit what a work step's agent left uncommitted (default true), so each step is one commit on the branch. */
  commitWork?: boolean;
  onEvent?: (event: FlowEvent) => void;
}

export interface NewFlowInput {
  /** The flow's name in `flows:`. */
  name: string;
  definition: readonly FlowItem[];
  /** The config's `models`: an agent step without agent or model gets them from here. */
  models: { agent: string; ladder: readonly string[] };
  task: string;
  repo: string;
  hosts?: readonly string[];
  worktreePath: string;
  branch: string;
  /** The commit the branch started from, so reviewers can diff the flow's work. */
  baseCommit?: string | null;
  /** When the director runs a ticket through the flow. */
  tickets?: readonly Ticket[];
  /** A given id (default: a new ULID). */
  id?: string;
}

export type FlowErrorCode = 'FLOW_INVALID' | 'FLOW_NOT_FOUND' | 'FLOW_BUSY';

export class FlowError extends Error {
  readonly code: FlowErrorCode;
  constructor(code: FlowErrorCode, message: string) {
    super(message);
    this.name = 'FlowError';
    this.code = code;
  }
}

/** The lease on a running flow: a dead runner's flow can be resumed elsewhere after this. */
export const DEFAULT_FLOW_LEASE_MS = 2 * 60_000;

export interface FlowRunner {
  /** Records a new flow (status `running`, no step begun) without running it. */
  create(input: NewFlowInput): Promise<FlowRecord>;
  /** Creates and runs a flow to its end. */
  start(input: NewFlowInput): Promise<FlowRecord>;
  /**
   * Runs a flow from where its record says it is: steps that ended are replayed from the record (no
   * job is run again), a step that was running is run again under the same idempotency key (so a hub
   * that already has its job returns that job), and the flow continues from there. A `failed` flow is
   * taken up again only with `retryFailed`: its failed step gets one more attempt. An ended flow is returned as it is.
   */
  resume(id: string, options?: { retryFailed?: boolean }): Promise<FlowRecord>;
}

type StepOutcome = { ok: true; verdict: 'approved' | 'changes_requested' | null } | { ok: false; reason: string };

/**
 * Runs flows: every step in the flow's one worktree, each step's prompt carrying the role prompt, the
 * task and the earlier steps' notes; reviews end with a verdict whose quotes are checked; loops
 * repeat until a review approves or their rounds run out. Everything is recorded in the flow ledger
 * before and after each step.
 *
 * @example
 * const runner = createFlowRunner({ ledger: openFlowLedger(path), runJob });
 * const flow = await runner.start({ name: 'implement-review', definition: config.flows['implement-review'], models: config.models, task, repo: 'api', worktreePath, branch });
 * flow.status // 'approved' | 'not_approved' | 'completed' | 'failed'
 */
export function createFlowRunner(options: FlowRunnerOptions): FlowRunner {
  const { ledger } = options;
  const owner = options.owner ?? `${hostname()}:${process.pid}`;
  const leaseMs = options.leaseMs ?? DEFAULT_FLOW_LEASE_MS;
  const emit = (event: FlowEvent): void => options.onEvent?.(event);

  const create = async (input: NewFlowInput): Promise<FlowRecord> => {
    const resolved = resolveFlow(input.definition, input.models);
    if (!resolved.ok) throw new FlowError('FLOW_INVALID', `flow "${input.name}": ${resolved.problems.join('; ')}`);
    return ledger.createFlow({
      id: input.id ?? ulid(),
      name: input.name,
      repo: input.repo,
      task: input.task,
      definition: resolved.items,
      worktreePath: input.worktreePath,
      branch: input.branch,
      baseCommit: input.baseCommit ?? null,
      hosts: [...(input.hosts ?? [])],
      tickets: [...(input.tickets ?? [])],
    });
  };

  const run = async (id: string, retryFailed: boolean): Promise<FlowRecord> => {
    let flow = await ledger.getFlow(id);
    if (flow === null) throw new FlowError('FLOW_NOT_FOUND', `no flow ${id}`);
    if (flow.status === 'failed' && retryFailed) await ledger.reopen(id);
    else if (flow.status !== 'running') return flow;
    const held = await ledger.acquire(id, owner, leaseMs, (holder) => ownerAlive(holder) === false);
    if (!held.ok) throw new FlowError('FLOW_BUSY', `flow ${id} is being run by ${held.owner} (its hold lasts until ${new Date(held.leaseUntil).toISOString()})`);
    flow = (await ledger.getFlow(id))!;
    const heartbeat = setInterval(() => void ledger.renew(id, owner, leaseMs).catch(() => undefined), Math.max(1000, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    try {
      let end: Awaited<ReturnType<typeof walk>>;
      try {
        end = await walk(flow, { retryFailed });
      } catch (error) {
        // A bug or a broken store, not a step's outcome: say so on the flow (when the store still
        // writes); the step that was running stays `running`, so a resume runs it again.
        await ledger.finishFlow(id, owner, 'failed', `the flow runner failed: ${(error as Error).message}`).catch(() => undefined);
        throw error;
      }
      const ended = await ledger.finishFlow(id, owner, end.status, end.reason);
      debug('flow %s ended %s %s', id, end.status, end.reason ?? '');
      emit({ type: 'flow.ended', flow: ended });
      return ended;
    } finally {
      clearInterval(heartbeat);
    }
  };

  /** The flow's items in order; a loop's rounds until an approving review or its last round. */
  const walk = async (flow: FlowRecord, retry: { retryFailed: boolean }): Promise<{ status: Exclude<FlowStatus, 'running'>; reason: string | null }> => {
    let lastReview: { name: string; verdict: 'approved' | 'changes_requested' } | null = null;
    for (const [index, item] of flow.definition.entries()) {
      if (item.kind !== 'loop') {
        const outcome = await runStep(flow, item, `${index}`, 1, retry);
        if (!outcome.ok) return { status: 'failed', reason: outcome.reason };
        if (outcome.verdict !== null) lastReview = { name: item.name, verdict: outcome.verdict };
        continue;
      }
      let approved = false;
      for (let round = 1; round <= item.maxRounds && !approved; round += 1) {
        for (const [inner, step] of item.steps.entries()) {
          const outcome = await runStep(flow, step, `${index}.${inner}`, round, retry);
          if (!outcome.ok) return { status: 'failed', reason: outcome.reason };
          if (outcome.verdict === null) continue;
          lastReview = { name: step.name, verdict: outcome.verdict };
          if (outcome.verdict === 'approved') {
            approved = true;
            break;
          }
        }
      }
      if (!approved) return { status: 'not_approved', reason: `loop "${item.name}" ended after ${item.maxRounds} round${item.maxRounds === 1 ? '' : 's'} without an approving review` };
    }
    if (lastReview === null) return { status: 'completed', reason: null };
    return lastReview.verdict === 'approved' ? { status: 'approved', reason: null } : { status: 'not_approved', reason: `the last review ("${lastReview.name}") requested changes` };
  };

  /** One step at one place and round: replayed when it ended, else run (again), attempt after attempt. */
  const runStep = async (flow: FlowRecord, step: ResolvedStep, position: string, round: number, retry: { retryFailed: boolean }): Promise<StepOutcome> => {
    const maxAttempts = step.kind === 'command' ? 1 : step.attempts;
    const latest = await ledger.latestAttempt(flow.id, position, round);
    let attempt = 1;
    if (latest?.status === 'succeeded') return replayed(latest);
    if (latest?.status === 'running') attempt = latest.attempt;
    if (latest?.status === 'failed') {
      if (latest.attempt < maxAttempts && retriable(latest.failureKind)) attempt = latest.attempt + 1;
      else if (retry.retryFailed) {
        retry.retryFailed = false;
        attempt = latest.attempt + 1;
      } else return { ok: false, reason: failedReason(latest) };
    }
    for (;;) {
      const record = step.kind === 'command' ? await runCommand(flow, step, position, round, attempt) : await runAgentStep(flow, step, position, round, attempt);
      if (record.status === 'succeeded') return replayed(record);
      if (attempt >= maxAttempts || !retriable(record.failureKind)) return { ok: false, reason: failedReason(record) };
      attempt += 1;
    }
  };

  const runCommand = async (flow: FlowRecord, step: CommandStep, position: string, round: number, attempt: number): Promise<FlowStepRecord> => {
    const begun = await ledger.beginStep({ flowId: flow.id, position, name: step.name, kind: 'command', round, attempt, agent: null, model: null, idempotencyKey: null });
    emit({ type: 'step.started', step: begun });
    const result = await runCommandStep(flow.worktreePath, step.command, step.timeoutMinutes * 60_000);
    const passed = result.exitCode === 0 && !result.timedOut;
    const ok = passed || step.allowFailure;
    const ended = await ledger.endStep(begun.id, {
      status: ok ? 'succeeded' : 'failed',
      note: commandNote(step.command, result),
      exitCode: result.exitCode,
      reason: passed ? null : `\`${step.command}\` ${result.timedOut ? 'timed out' : `exited ${result.exitCode ?? result.signal ?? 'abnormally'}`}`,
      failureKind: ok ? null : 'command',
      head: await headOf(flow.worktreePath),
    });
    emit({ type: 'step.ended', step: ended });
    return ended;
  };

  const runAgentStep = async (flow: FlowRecord, step: ResolvedAgentStep, position: string, round: number, attempt: number): Promise<FlowStepRecord> => {
    const idempotencyKey = `flow:${flow.id}:${position}:${round}:${attempt}`;
    const previous = endedSteps((await ledger.getFlow(flow.id))!.steps);
    const begun = await ledger.beginStep({ flowId: flow.id, position, name: step.name, kind: step.kind, round, attempt, agent: step.agent, model: step.model, idempotencyKey });
    emit({ type: 'step.started', step: begun });
    const request: FlowJobRequest = {
      batchId: `flow-${flow.id}`,
      attempt,
      idempotencyKey,
      repo: flow.repo,
      hosts: flow.hosts,
      worktreePath: flow.worktreePath,
      branch: flow.branch,
      tickets: flow.tickets,
      prompt: buildStepPrompt({ step, round, task: flow.task, flowName: flow.name, branch: flow.branch, baseCommit: flow.baseCommit, previous }),
      agent: step.agent,
      model: step.model,
      flow: { id: flow.id, name: flow.name, step: step.name, kind: step.kind, round },
      onJobId: (jobId) => void ledger.setStepJob(begun.id, jobId).catch(() => undefined),
      ...(step.kind === 'review' && step.agent === 'claude' ? { jsonSchema: VERDICT_JSON_SCHEMA } : {}),
    };
    let result: RunJobResult;
    try {
      result = await options.runJob(request);
    } catch (error) {
      return end(begun, { status: 'failed', note: null, reason: `the job runner failed: ${(error as Error).message}`, failureKind: 'runner', head: await headOf(flow.worktreePath) });
    }
    const jobId = result.jobId ?? null;
    if (!result.ok) {
      const resets = result.failure.resetsAt ? ` (resets at ${result.failure.resetsAt})` : '';
      return end(begun, { status: 'failed', note: null, jobId, reason: `the job failed (${result.failure.kind}${resets}): ${result.failure.message}`, failureKind: result.failure.kind, head: await headOf(flow.worktreePath) });
    }
    if (step.kind === 'work') {
      const answer = cut(result.summary ?? '(the agent gave no final answer)');
      let commitNote = '';
      try {
        const committed = options.commitWork === false ? null : await commitLeftovers(flow.worktreePath, `${flow.name}: ${step.name}${round > 1 ? ` (round ${round})` : ''}\n\n${firstLine(flow.task)}`);
        if (committed?.committed === true) commitNote = `\n\n(its changes were committed as ${committed.commit.slice(0, 12)})`;
      } catch (error) {
        return end(begun, { status: 'failed', note: answer, jobId, reason: `committing the step's changes failed: ${(error as Error).message}`, failureKind: 'runner', head: await headOf(flow.worktreePath) });
      }
      return end(begun, { status: 'succeeded', note: `${answer}${commitNote}`, jobId, head: await headOf(flow.worktreePath) });
    }
    const parsed = parseVerdict(result.summary);
    if (!parsed.ok) {
      return end(begun, { status: 'failed', note: cut(result.summary ?? ''), jobId, reason: `no valid verdict: ${parsed.reason}`, failureKind: 'verdict', head: await headOf(flow.worktreePath) });
    }
    const verdict: StoredVerdict = { verdict: parsed.verdict.verdict, findings: await checkFindings(flow.worktreePath, parsed.verdict.findings), from: parsed.from };
    const prose = parsed.prose === '' ? '' : `\n\nThe review's own words:\n${cut(parsed.prose, MAX_NOTE_CHARS / 2)}`;
    return end(begun, { status: 'succeeded', note: `${verdictNote(verdict)}${prose}`, verdict, jobId, head: await headOf(flow.worktreePath) });
  };

  const end = async (begun: FlowStepRecord, outcome: Parameters<FlowLedger['endStep']>[1]): Promise<FlowStepRecord> => {
    const ended = await ledger.endStep(begun.id, outcome);
    debug('step %s (%s round %d attempt %d) %s %s', ended.name, ended.position, ended.round, ended.attempt, ended.status, ended.reason ?? '');
    emit({ type: 'step.ended', step: ended });
    return ended;
  };

  return {
    create,
    start: async (input) => run((await create(input)).id, false),
    resume: (id, resumeOptions = {}) => run(id, resumeOptions.retryFailed === true),
  };
}

function replayed(record: FlowStepRecord): StepOutcome {
  return { ok: true, verdict: record.verdict?.verdict ?? null };
}

/** A task's own failure or a missing verdict may be tried again; the infrastructure's is for a later resume. */
function retriable(kind: string | null): boolean {
  if (kind === 'verdict') return true;
  if (kind === null || kind === 'command' || kind === 'runner') return false;
  return burnsAttempt(kind as Parameters<typeof burnsAttempt>[0]);
}

function failedReason(record: FlowStepRecord): string {
  const where = `step "${record.name}"${record.round > 1 ? ` (round ${record.round})` : ''}`;
  return `${where} failed on attempt ${record.attempt}: ${record.reason ?? 'no reason recorded'}`;
}

/** The latest attempt of every step that ended, in the order they ran: the notes handed forward. */
export function endedSteps(steps: readonly FlowStepRecord[]): FlowStepRecord[] {
  const latest = new Map<string, FlowStepRecord>();
  for (const step of steps) {
    const key = `${step.position}#${step.round}`;
    const seen = latest.get(key);
    if (seen === undefined || step.attempt > seen.attempt) latest.set(key, step);
  }
  return [...latest.values()].filter((step) => step.status === 'succeeded').sort((a, b) => a.id - b.id);
}

/** A review's note: the verdict, then each finding with its mark, place, claim and quote. */
export function verdictNote(verdict: StoredVerdict): string {
  const counts = (['verified', 'unverified', 'external_unverified'] as const).map((mark) => [mark, verdict.findings.filter((f) => f.mark === mark).length] as const).filter(([, n]) => n > 0);
  const head = `verdict: ${verdict.verdict}${verdict.findings.length === 0 ? ', no findings' : ` (${counts.map(([mark, n]) => `${n} ${mark}`).join(', ')})`}`;
  return [head, ...verdict.findings.map((finding, index) => findingLine(finding, index))].join('\n');
}

function findingLine(finding: CheckedFinding, index: number): string {
  const mark = finding.reason === null ? finding.mark : `${finding.mark}: ${finding.reason}`;
  const place = finding.path === null ? '' : ` ${finding.path}${finding.line === null ? '' : `:${finding.line}`}`;
  const quote = finding.quote === null || finding.quote.trim() === '' ? '' : `\n   > ${finding.quote.trim().split('\n').join('\n   > ')}`;
  return `${index + 1}. [${mark}]${place} — ${finding.claim.trim()}${quote}`;
}

/**
 * Whether a flow's holder (`host:pid`) is still running: false only when it is on this host and its
 * process is gone (its flow can be taken over at once); null when that cannot be told from here.
 */
export function ownerAlive(owner: string): boolean | null {
  const at = owner.lastIndexOf(':');
  const pid = Number(owner.slice(at + 1));
  if (at <= 0 || owner.slice(0, at) !== hostname() || !Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function headOf(worktreePath: string): Promise<string | null> {
  const result = await runGit(worktreePath, ['rev-parse', 'HEAD']);
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').slice(0, 200);
}

