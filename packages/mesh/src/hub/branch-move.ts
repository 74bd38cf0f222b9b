/**
 * A handoff carries a branch; the next agent may claim the task on another host. When an agent
 * claims a task whose branch was left by a job on a different host, the hub moves the branch
 * before answering the claim: `git bundle` on the old host, copied over SFTP through the hub,
 * fetched into the claimer's repository — so the next agent starts from the same branch.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MiddlewareHandler } from 'hono';
import createDebug from 'debug';
import { shellQuote } from '@flotilla/kit/tmux';
import { TaskSchema, type Task } from '@flotilla/protocol';
import type { CallerOf } from './caller.js';
import { findJob } from './fleet-proxy.js';
import type { HostConnection } from './host-connection.js';
import type { Hub } from './hub.js';

const log = createDebug('flotilla:mesh:handoff');

/** Where the branch is and where it must go. */
export interface BranchMove {
  branch: string;
  from: { host: string; repo: string };
  to: { host: string; repo: string };
}

/** Runs after a claim: moves the claimed task's branch to the claimer's host when it lives elsewhere. */
export function branchFollowsClaim(hub: Hub, caller: CallerOf): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const who = caller(c);
    if (c.res.status !== 200 || who.kind !== 'agent') return;
    const parsed = TaskSchema.nullable().safeParse(((await c.res.clone().json()) as { task?: unknown }).task);
    const task = parsed.success ? parsed.data : null;
    if (!task) return;
    const move = planBranchMove(hub, task, who.host, who.jobId);
    if (!move) return;
    try {
      await moveBranch(hub, move);
      c.res.headers.set('x-flotilla-branch', `${move.branch} moved from ${move.from.host}`);
    } catch (error) {
      log('branch %s of %s not moved: %s', move.branch, task.key, (error as Error).message);
      c.res.headers.set('x-flotilla-branch', `not moved from ${move.from.host}: ${(error as Error).message}`.slice(0, 500));
    }
  };
}

/** Null when there is nothing to move (no branch, no previous job, or the same host). */
export function planBranchMove(hub: Hub, task: Task, claimerHost: string, claimerJobId?: string): BranchMove | null {
  if (!task.branch || !task.previousJobId) return null;
  const previous = safeJob(hub, task.previousJobId);
  if (!previous || previous.host === claimerHost) return null;
  const fromRepo = previous.worktree?.repoRoot ?? previous.cwd;
  const claimer = claimerJobId ? safeJob(hub, claimerJobId) : null;
  const toRepo = claimer?.worktree?.repoRoot ?? claimer?.cwd ?? fromRepo;
  return { branch: task.branch, from: { host: previous.host, repo: fromRepo }, to: { host: claimerHost, repo: toRepo } };
}

/** Bundles the branch on one host and fetches it into the other's repository (refs/heads/<branch>). */
export async function moveBranch(hub: Hub, move: BranchMove): Promise<void> {
  const from = connected(hub, move.from.host);
  const to = connected(hub, move.to.host);
  const name = `flotilla-handoff-${process.pid}-${Date.now()}.bundle`;
  const remoteFrom = `/tmp/${name}`;
  const local = await mkdtemp(join(tmpdir(), 'mesh-handoff-'));
  try {
    const ref = shellQuote([`refs/heads/${move.branch}`]);
    await run(from, `git -C ${shellQuote([move.from.repo])} bundle create ${remoteFrom} ${ref}`, 'bundle the branch');
    await from.link().getFile(remoteFrom, join(local, name));
    await to.link().putFile(join(local, name), remoteFrom);
    await run(to, `git -C ${shellQuote([move.to.repo])} fetch --quiet ${remoteFrom} ${shellQuote([`+refs/heads/${move.branch}:refs/heads/${move.branch}`])}`, 'fetch the branch');
  } finally {
    await Promise.all([from, to].map((host) => host.exec(`rm -f ${remoteFrom}`, 10_000).catch(() => undefined)));
    await rm(local, { recursive: true, force: true });
  }
}

function connected(hub: Hub, name: string): HostConnection {
  const connection = hub.connection(name);
  if (!connection || connection.host().state !== 'up') throw new Error(`${name} is unreachable`);
  return connection;
}

async function run(host: HostConnection, command: string, what: string): Promise<void> {
  const result = await host.exec(command, 120_000);
  if (result.code !== 0) throw new Error(`could not ${what} on ${host.name}: ${(result.stderr || result.stdout).trim().split('\n').slice(-2).join(' ')}`);
}

function safeJob(hub: Hub, id: string) {
  try {
    return findJob(hub, id);
  } catch {
    return null;
  }
}
