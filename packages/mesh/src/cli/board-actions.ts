/**
 * What each `mesh board` command does, over the protocol's board client. Each takes its client
 * and output injected and prints only here, at the edge.
 */
import { hostname } from 'node:os';
import { isProtocolError, type AddTaskRequest, type BoardClient, type ClaimNamedTaskRequest, type MeshClient, type Task, type TaskHolder, type TaskPriority, type TaskStatus } from '@flotilla/protocol';
import { ExitError, UsageError, printJson, printLine, type OutputStream } from './context.js';
import { formatBoard, formatTask } from './board-format.js';

export interface BoardCommandContext {
  board: BoardClient;
  out: OutputStream;
  json: boolean;
  nowMs: number;
}

/**
 * Who this CLI claims and finishes as: `--as NAME`, else the job's session or job (inside a job or
 * session), else the user's login name; on this host (`FLOTILLA_HOST_NAME` or the hostname).
 */
export function holderIdentity(env: Readonly<Record<string, string | undefined>>, as?: string): TaskHolder {
  const holder: TaskHolder = {
    who: as ?? env.FLOTILLA_SESSION_NAME ?? env.FLOTILLA_JOB_ID ?? env.USER ?? env.LOGNAME ?? 'user',
    host: env.FLOTILLA_HOST_NAME ?? hostname(),
  };
  if (env.FLOTILLA_JOB_ID) holder.jobId = env.FLOTILLA_JOB_ID;
  if (env.FLOTILLA_SESSION_ID) holder.sessionId = env.FLOTILLA_SESSION_ID;
  return holder;
}

function printTask(ctx: BoardCommandContext, task: Task, headline: string): void {
  if (ctx.json) printJson(ctx.out, task);
  else printLine(ctx.out, headline);
}

export async function boardAdd(ctx: BoardCommandContext, request: AddTaskRequest): Promise<Task> {
  const task = await ctx.board.addTask(request);
  const waits = task.status === 'proposed' ? ' (proposed: it waits for `mesh board approve`)' : '';
  printTask(ctx, task, `added ${task.key}: ${task.title}${waits}`);
  return task;
}

export async function boardLs(ctx: BoardCommandContext, filter: { status?: TaskStatus[]; tag?: string }): Promise<Task[]> {
  const tasks = await ctx.board.listTasks(filter);
  if (ctx.json) printJson(ctx.out, tasks);
  else for (const line of formatBoard(tasks, ctx.nowMs, await missingPrerequisites(ctx.board, tasks))) printLine(ctx.out, line);
  return tasks;
}

/** The `after` tasks a filtered listing left out, so that `ls` can say which ones a task still waits for. */
async function missingPrerequisites(board: BoardClient, tasks: readonly Task[]): Promise<Task[]> {
  const listed = new Set(tasks.map((task) => task.id));
  const missing = new Set(tasks.flatMap((task) => task.after).filter((id) => !listed.has(id)));
  return Promise.all([...missing].map((id) => board.getTask(id)));
}

export async function boardShow(ctx: BoardCommandContext, ref: string): Promise<Task> {
  const task = await ctx.board.getTask(ref);
  if (ctx.json) printJson(ctx.out, task);
  else for (const line of formatTask(task, ctx.nowMs)) printLine(ctx.out, line);
  return task;
}

export interface ClaimOptions {
  holder: TaskHolder;
  /** Claim this task (key or id) and no other. */
  ref?: string;
  tags?: string[];
  leaseMs: number;
  /** To learn the claimer's roles (tasks `for` a role it holds are claimable too). */
  mesh: MeshClient;
}

/** Claims the best task for this holder, or the named one; exit code 3 when nothing (or not that one) is claimable. */
export async function boardClaim(ctx: BoardCommandContext, options: ClaimOptions): Promise<Task> {
  const profile = (await options.mesh.listProfiles()).find((candidate) => candidate.session === options.holder.who);
  const names = [options.holder.who, ...(profile?.roles ?? [])];
  const task = options.ref === undefined
    ? await ctx.board.claimTask({ holder: options.holder, tags: options.tags, for: names, leaseMs: options.leaseMs })
    : await claimNamed(ctx, options.ref, { holder: options.holder, for: names, leaseMs: options.leaseMs });
  if (task === null) {
    const tags = options.tags?.length ? ` with tag ${options.tags.join(' or ')}` : '';
    throw new ExitError(3, `nothing to claim: no todo task${tags} is free for ${names.join(', ')}`);
  }
  printTask(ctx, task, `claimed ${task.key} (token ${task.token}, lease until ${task.leaseExpiresAt}): ${task.title}`);
  if (!ctx.json) printLine(ctx.out, `  finish with: mesh board done ${task.key} --token ${task.token} --note "what you did"`);
  return task;
}

/** The named task, or exit 3 with the hub's reason when it is not claimable (held, not todo, waiting, for another). */
async function claimNamed(ctx: BoardCommandContext, ref: string, request: ClaimNamedTaskRequest): Promise<Task> {
  try {
    return await ctx.board.claimNamedTask(ref, request);
  } catch (error) {
    if (isProtocolError(error) && error.code === 'CONFLICT') throw new ExitError(3, `not claimed: ${error.message}`);
    throw error;
  }
}

export async function boardRenew(ctx: BoardCommandContext, ref: string, request: { token: number; leaseMs: number }): Promise<Task> {
  const task = await ctx.board.renewTask(ref, request);
  printTask(ctx, task, `renewed ${task.key}: lease until ${task.leaseExpiresAt}`);
  return task;
}

/**
 * The fencing token to write with: the one given, else the task's current token, but only when
 * this holder holds it (so a person cannot finish someone else's task by accident).
 */
export async function tokenFor(ctx: BoardCommandContext, ref: string, holder: TaskHolder, token: number | undefined): Promise<number> {
  if (token !== undefined) return token;
  const task = await ctx.board.getTask(ref);
  if (task.holder === null) {
    throw new UsageError(`task ${task.key} is ${task.status}; nobody holds it`, 'claim it first (`mesh board claim`)');
  }
  if (task.holder.who !== holder.who || task.holder.host !== holder.host) {
    throw new UsageError(
      `task ${task.key} is held by ${task.holder.who}@${task.holder.host}, not by ${holder.who}@${holder.host}`,
      'pass the fencing token from the claim (--token N), or --as NAME if you claimed it under another name',
    );
  }
  return task.token;
}

export async function boardFinish(
  ctx: BoardCommandContext,
  ref: string,
  request: { outcome: 'done' | 'fail'; note: string; token?: number; holder: TaskHolder },
): Promise<Task> {
  const token = await tokenFor(ctx, ref, request.holder, request.token);
  const body = { token, note: request.note };
  const task = request.outcome === 'done' ? await ctx.board.completeTask(ref, body) : await ctx.board.failTask(ref, body);
  printTask(ctx, task, `${task.key} is ${task.status}${task.status === 'failed' ? ` (attempts ${task.attempts})` : ''}`);
  return task;
}

export async function boardHandoff(
  ctx: BoardCommandContext,
  ref: string,
  request: { to: string; note: string; branch?: string; token?: number; holder: TaskHolder },
): Promise<Task> {
  const token = await tokenFor(ctx, ref, request.holder, request.token);
  const jobId = request.holder.jobId;
  const task = await ctx.board.handoffTask(ref, { token, to: request.to, note: request.note, ...(request.branch ? { branch: request.branch } : {}), ...(jobId ? { jobId } : {}) });
  printTask(ctx, task, `handed ${task.key} to ${request.to}${task.branch ? ` (branch ${task.branch})` : ''}`);
  return task;
}

/**
 * `approve`: a proposed task becomes todo; a task in review becomes done (fenced by `--token`, else
 * by the token it has now, read just before: a decision or a new review meanwhile refuses it).
 */
export async function boardApprove(ctx: BoardCommandContext, ref: string, request: { token?: number; note?: string } = {}): Promise<Task> {
  const inReview = request.token === undefined ? await ctx.board.getTask(ref) : null;
  if (request.token === undefined && inReview?.status !== 'review') {
    if (request.note !== undefined) throw new UsageError(`task ${inReview?.key ?? ref} is ${inReview?.status}, not in review: --note goes with a review's approval`);
    const task = await ctx.board.approveTask(ref);
    printTask(ctx, task, `approved ${task.key}: it is todo now`);
    return task;
  }
  const token = request.token ?? inReview!.token;
  const task = await ctx.board.approveReview(ref, { token, ...(request.note === undefined ? {} : { note: request.note }) });
  printTask(ctx, task, `approved the review of ${task.key}: it is done`);
  return task;
}

/** The holder asks for a review: the task waits in `review`, addressed to `to` (or to anyone). */
export async function boardReview(
  ctx: BoardCommandContext,
  ref: string,
  request: { note: string; to?: string; branch?: string; token?: number; holder: TaskHolder },
): Promise<Task> {
  const token = await tokenFor(ctx, ref, request.holder, request.token);
  const jobId = request.holder.jobId;
  const body = { token, note: request.note, ...(request.to ? { to: request.to } : {}), ...(request.branch ? { branch: request.branch } : {}), ...(jobId ? { jobId } : {}) };
  const task = await ctx.board.reviewTask(ref, body);
  printTask(ctx, task, `${task.key} is in review${request.to ? ` for ${request.to}` : ''} (token ${task.token})`);
  if (!ctx.json) printLine(ctx.out, `  decide with: mesh board approve ${task.key}   or   mesh board changes ${task.key} --note "what to change"`);
  return task;
}

/** Changes asked: the task in review returns to todo, for the one who asked for the review. */
export async function boardChanges(ctx: BoardCommandContext, ref: string, request: { note: string; token?: number }): Promise<Task> {
  const token = request.token ?? (await ctx.board.getTask(ref)).token;
  const task = await ctx.board.requestChanges(ref, { token, note: request.note });
  printTask(ctx, task, `${task.key} is todo again${task.for ? ` for ${task.for}` : ''}: ${request.note}`);
  return task;
}

export function priorityOption(value: string): TaskPriority {
  if (value === 'high' || value === 'normal' || value === 'low') return value;
  throw new UsageError(`--priority: "${value}" is not a priority`, 'use high, normal or low');
}
