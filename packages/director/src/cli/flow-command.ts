import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { OutputStream } from '@flotilla/kit/cli';
import { ulid } from 'ulidx';
import type { DirectorConfig } from '../config/config-schema.js';
import { runSetup } from '../git/setup.js';
import { ensureWorktree } from '../git/worktree.js';
import { openFlowLedger, type FlowLedger, type FlowRecord, type FlowStepRecord } from '../flow/flow-ledger.js';
import { createFlowRunner, FlowError, ownerAlive, type FlowEvent, type FlowRunJob } from '../flow/flow-runner.js';

/** What `runFlowCommand` needs from the CLI entry that registers it. */
export interface FlowCommandDeps {
  /** The loaded `flotilla.yaml` (`loadConfig`). */
  config: DirectorConfig;
  /** The director's state directory (`config.stateDir`, else `$FLOTILLA_HOME/director`): `flows.db` and `worktrees/` live there. */
  stateDir: string;
  /** Runs one step's job (the hub's dispatch); see `FlowRunJob`. Only `run` and `resume` use it. */
  runJob: FlowRunJob;
  stdout: OutputStream;
  stderr: OutputStream;
  /** An open flow ledger; by default `<stateDir>/flows.db` is opened for the command and closed after it. */
  ledger?: FlowLedger;
  /** The runner's name on the flows it holds (default `<hostname>:<pid>`). */
  owner?: string;
}

/** Exit codes: 0 approved / completed (or shown), 1 failed or an error, 2 a usage error, 3 ended not approved. */
export const FLOW_EXIT = { ok: 0, failed: 1, usage: 2, notApproved: 3 } as const;

export const FLOW_USAGE = `usage:
  flow run NAME "task" [--repo REPO] [--json]   run a flow from flotilla.yaml's flows: in a new worktree
  flow show ID [--json]                          a flow's state, each step's job, attempt and notes
  flow resume ID [--retry] [--json]              continue a flow whose runner died (--retry: try its failed step again)
  flow list [--json]                             the latest flows`;

/**
 * `flow run | show | resume | list` (the words after `flow`), printing to `deps.stdout` (one JSON
 * document with `--json`) and resolving the exit code; it never exits the process. `mesh flow …` and
 * the director's own CLI register it.
 *
 * @example
 * process.exitCode = await runFlowCommand(['run', 'implement-review', 'add a sum function', '--repo', 'api'], { config, stateDir, runJob, stdout: process.stdout, stderr: process.stderr });
 */
export async function runFlowCommand(argv: readonly string[], deps: FlowCommandDeps): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { repo: { type: 'string' }, json: { type: 'boolean' }, retry: { type: 'boolean' } } });
  } catch (error) {
    return usage(deps, (error as Error).message);
  }
  const [verb, ...rest] = parsed.positionals;
  const json = parsed.values.json === true;
  const ledger = deps.ledger ?? openFlowLedger(join(deps.stateDir, 'flows.db'));
  try {
    switch (verb) {
      case 'run':
        if (rest.length !== 2 || (rest[1] ?? '').trim() === '') return usage(deps, 'flow run needs a flow name and a task');
        return await runCommand(deps, ledger, { name: rest[0]!, task: rest[1]!, repo: parsed.values.repo, json });
      case 'show':
        if (rest.length !== 1) return usage(deps, 'flow show needs one flow id');
        return await showCommand(deps, ledger, rest[0]!, json);
      case 'resume':
        if (rest.length !== 1) return usage(deps, 'flow resume needs one flow id');
        return await resumeCommand(deps, ledger, rest[0]!, { json, retry: parsed.values.retry === true });
      case 'list':
        return await listCommand(deps, ledger, json);
      default:
        return usage(deps, verb === undefined ? 'a flow command is needed' : `unknown flow command "${verb}"`);
    }
  } catch (error) {
    deps.stderr.write(`flow: ${(error as Error).message}\n`);
    return FLOW_EXIT.failed;
  } finally {
    if (deps.ledger === undefined) await ledger.close();
  }
}

async function runCommand(deps: FlowCommandDeps, ledger: FlowLedger, args: { name: string; task: string; repo: string | undefined; json: boolean }): Promise<number> {
  const flows = deps.config.flows ?? {};
  const definition = flows[args.name];
  if (definition === undefined) {
    const known = Object.keys(flows);
    return usage(deps, `no flow "${args.name}" in flotilla.yaml (${known.length === 0 ? 'it defines no flows: add them under flows:' : `defined: ${known.join(', ')}`})`);
  }
  const repos = deps.config.repos;
  const repo = args.repo === undefined ? (repos.length === 1 ? repos[0] : undefined) : repos.find((r) => r.name === args.repo);
  if (repo === undefined) {
    return usage(deps, args.repo === undefined ? `--repo is needed: flotilla.yaml has ${repos.length} repos (${repos.map((r) => r.name).join(', ')})` : `no repo "${args.repo}" in flotilla.yaml (${repos.map((r) => r.name).join(', ')})`);
  }
  const id = ulid();
  const branch = `flotilla/flow/${args.name}-${id.toLowerCase()}`;
  const worktree = await ensureWorktree({ repoPath: repo.path, repoName: repo.name, branch, base: repo.base, worktreesDir: join(deps.stateDir, 'worktrees') });
  if (repo.setup !== undefined && !worktree.reused) {
    const setup = await runSetup(worktree.path, repo.setup);
    if (!setup.ok) {
      deps.stderr.write(`flow: the repo's setup (\`${repo.setup}\`) exited ${setup.exitCode ?? 'abnormally'} in ${worktree.path}:\n${setup.tail}\n`);
      return FLOW_EXIT.failed;
    }
  }
  if (!args.json) deps.stdout.write(`flow ${id} (${args.name}) on branch ${branch}\nworktree ${worktree.path}\n`);
  const runner = createFlowRunner({ ledger, runJob: deps.runJob, owner: deps.owner, onEvent: args.json ? undefined : progress(deps.stdout) });
  const flow = await runner.start({ id, name: args.name, definition, models: deps.config.models, task: args.task, repo: repo.name, hosts: repo.hosts, worktreePath: worktree.path, branch, baseCommit: worktree.baseCommit });
  return ended(deps, flow, args.json);
}

async function resumeCommand(deps: FlowCommandDeps, ledger: FlowLedger, id: string, args: { json: boolean; retry: boolean }): Promise<number> {
  const runner = createFlowRunner({ ledger, runJob: deps.runJob, owner: deps.owner, onEvent: args.json ? undefined : progress(deps.stdout) });
  try {
    return ended(deps, await runner.resume(id, { retryFailed: args.retry }), args.json);
  } catch (error) {
    if (error instanceof FlowError) {
      deps.stderr.write(`flow: ${error.message}\n`);
      return FLOW_EXIT.failed;
    }
    throw error;
  }
}

async function showCommand(deps: FlowCommandDeps, ledger: FlowLedger, id: string, json: boolean): Promise<number> {
  const flow = await ledger.getFlow(id);
  if (flow === null) {
    deps.stderr.write(`flow: no flow ${id}\n`);
    return FLOW_EXIT.failed;
  }
  if (json) deps.stdout.write(`${JSON.stringify({ ...flow, ownerAlive: flow.owner === null ? null : ownerAlive(flow.owner) }, null, 2)}\n`);
  else deps.stdout.write(`${formatFlow(flow)}\n`);
  return FLOW_EXIT.ok;
}

async function listCommand(deps: FlowCommandDeps, ledger: FlowLedger, json: boolean): Promise<number> {
  const flows = await ledger.listFlows({ limit: 50 });
  if (json) deps.stdout.write(`${JSON.stringify(flows, null, 2)}\n`);
  else for (const flow of flows) deps.stdout.write(`${flow.id}  ${flow.status.padEnd(12)}  ${flow.name}  ${flow.repo}  ${oneLine(flow.task, 60)}\n`);
  return FLOW_EXIT.ok;
}

function ended(deps: FlowCommandDeps, flow: FlowRecord, json: boolean): number {
  deps.stdout.write(json ? `${JSON.stringify(flow, null, 2)}\n` : `${formatFlow(flow)}\n`);
  if (flow.status === 'approved' || flow.status === 'completed') return FLOW_EXIT.ok;
  return flow.status === 'not_approved' ? FLOW_EXIT.notApproved : FLOW_EXIT.failed;
}

function progress(out: OutputStream): (event: FlowEvent) => void {
  return (event) => {
    if (event.type === 'step.started') out.write(`▸ ${stepTitle(event.step)}…\n`);
    if (event.type === 'step.ended') out.write(`  ${stepOutcome(event.step)}${event.step.reason === null ? '' : `: ${event.step.reason}`}\n`);
  };
}

/**
 * A flow in words: its status (and, while running, which step and whether its runner is alive), then
 * every step run with its job, attempt and note.
 */
export function formatFlow(flow: FlowRecord): string {
  const lines = [`flow ${flow.id} (${flow.name}) — ${flow.status}${flow.reason === null ? '' : `: ${flow.reason}`}`];
  lines.push(`repo ${flow.repo} · branch ${flow.branch} · worktree ${flow.worktreePath}`);
  lines.push(`task: ${oneLine(flow.task, 200)}`);
  lines.push(`started ${flow.createdAt}${flow.endedAt === null ? '' : ` · ended ${flow.endedAt}`}`);
  if (flow.status === 'running') {
    const current = flow.steps.filter((step) => step.status === 'running').at(-1);
    const alive = flow.owner === null ? null : ownerAlive(flow.owner);
    const holder = flow.owner === null ? 'no runner holds it' : `run by ${flow.owner}${alive === false ? ' — that process is gone: `flow resume ' + flow.id + '` continues it' : ''}`;
    lines.push(`now: ${current === undefined ? 'between steps' : `${stepTitle(current)} since ${current.startedAt}`} (${holder})`);
  }
  flow.steps.forEach((step, index) => {
    lines.push('', `${index + 1}. ${stepTitle(step)} — ${stepOutcome(step)}`);
    const facts = [step.jobId === null ? null : `job ${step.jobId}`, step.idempotencyKey === null ? null : `key ${step.idempotencyKey}`, step.exitCode === null ? null : `exit ${step.exitCode}`, step.head === null ? null : `head ${step.head.slice(0, 12)}`].filter((f) => f !== null);
    if (facts.length > 0) lines.push(`   ${facts.join(' · ')}`);
    if (step.reason !== null) lines.push(`   reason: ${step.reason}`);
    if (step.note !== null && step.note.trim() !== '') lines.push(...step.note.trim().split('\n').map((line) => `   │ ${line}`));
  });
  return lines.join('\n');
}

function stepTitle(step: FlowStepRecord): string {
  const who = step.agent === null ? step.kind : `${step.kind}, ${step.agent} ${step.model ?? ''}`.trim();
  const round = step.round > 1 ? ` round ${step.round}` : '';
  const attempt = step.attempt > 1 ? ` attempt ${step.attempt}` : '';
  return `${step.name}${round}${attempt} (${who})`;
}

function stepOutcome(step: FlowStepRecord): string {
  if (step.status !== 'succeeded') return step.status;
  if (step.verdict !== null) return step.verdict.verdict;
  if (step.exitCode !== null && step.exitCode !== 0) return `succeeded (exit ${step.exitCode}, allowed to fail)`;
  return 'succeeded';
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function usage(deps: FlowCommandDeps, problem: string): number {
  deps.stderr.write(`flow: ${problem}\n${FLOW_USAGE}\n`);
  return FLOW_EXIT.usage;
}
