/**
 * `cb board …`: the mesh hub's task board through the local daemon. Inside a job or session the
 * daemon knows the caller by its job token (holder, renewals, the claim's fencing token).
 */
import { isProtocolError, TASK_PRIORITIES, TASK_STATUSES, type Task, type TaskPriority } from '@flotilla/protocol';
import { ExitError, UsageError } from '../errors.js';
import { firstLine, renderTable } from '../format/table.js';
import type { RelayClient } from '../relay-client.js';
import { printJson, printLine, widthOf, type CliStreams } from '../streams.js';

/** `cb board claim --json` exits with this when nothing (or not the named task) is claimable (scripts loop on it). */
export const NOTHING_TO_CLAIM_EXIT = 3;

interface Common {
  relay: RelayClient;
  streams: CliStreams;
  json?: boolean;
  now?: () => number;
}

export async function boardLs(options: Common & { status?: string; tag?: string }): Promise<Task[]> {
  const status = parseList(options.status, TASK_STATUSES, '--status');
  const tasks = await options.relay.list({ status, tag: options.tag });
  const { stdout, stderr } = options.streams;
  if (options.json) printJson(stdout, tasks);
  else if (tasks.length === 0) printLine(stderr, status ? `no ${status.join(' or ')} tasks` : 'the board is empty: add one with cb board add "title"');
  else printLine(stdout, formatTasks(tasks, (options.now ?? Date.now)(), widthOf(stdout)));
  return tasks;
}

export async function boardAdd(options: Common & { title: string; body?: string; tag?: string[]; priority?: string; for?: string; after?: string[] }): Promise<Task> {
  const priority = options.priority === undefined ? undefined : (parseList(options.priority, TASK_PRIORITIES, '--priority')?.[0] as TaskPriority);
  const task = await options.relay.add({
    title: options.title,
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.tag?.length ? { tags: options.tag } : {}),
    ...(priority ? { priority } : {}),
    ...(options.for ? { for: options.for } : {}),
    ...(options.after?.length ? { after: options.after } : {}),
  });
  if (options.json) printJson(options.streams.stdout, task);
  else printLine(options.streams.stdout, `${task.key}  ${task.id}  ${task.status}  ${task.title}`);
  return task;
}

/**
 * Prints the claimed task (with its `id` and fencing `token`): the next claimable one, or the one
 * named by `ref`; exit 3 when there was nothing to claim, or the named task is not claimable.
 */
export async function boardClaim(options: Common & { tag?: string[]; ref?: string }): Promise<Task> {
  if (options.ref !== undefined && options.tag?.length) throw new UsageError('--tag picks among tasks; a named task is claimed as it is', `cb board claim ${options.ref}`);
  const { task } = options.ref === undefined ? await options.relay.claim(options.tag?.length ? { tags: options.tag } : {}) : { task: await claimNamed(options.relay, options.ref) };
  if (!task) throw new ExitError(NOTHING_TO_CLAIM_EXIT, 'nothing to claim on the board right now');
  if (options.json) printJson(options.streams.stdout, task);
  else {
    printLine(options.streams.stdout, `claimed ${task.key} (${task.id}), token ${task.token}: ${task.title}`);
    if (task.body) printLine(options.streams.stdout, task.body);
    if (task.branch) printLine(options.streams.stdout, `start from branch ${task.branch}`);
  }
  return task;
}

/** The named task, or exit 3 with the hub's reason (held, not todo, waiting, for another). */
async function claimNamed(relay: RelayClient, ref: string): Promise<Task> {
  try {
    return await relay.claimNamed(ref);
  } catch (error) {
    if (isProtocolError(error) && error.code === 'CONFLICT') throw new ExitError(NOTHING_TO_CLAIM_EXIT, `not claimed: ${error.message}`);
    throw error;
  }
}

export async function boardFinish(options: Common & { ref: string; outcome: 'done' | 'fail'; note: string; token?: number }): Promise<Task> {
  const task = await options.relay.finish(options.ref, options.outcome, { note: options.note, ...(options.token !== undefined ? { token: options.token } : {}) });
  if (options.json) printJson(options.streams.stdout, task);
  else printLine(options.streams.stdout, `${task.key} is ${task.status}`);
  return task;
}

export async function boardHandoff(options: Common & { ref: string; to: string; note: string; branch?: string; token?: number }): Promise<Task> {
  const task = await options.relay.handoff(options.ref, {
    to: options.to,
    note: options.note,
    ...(options.branch ? { branch: options.branch } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
  });
  if (options.json) printJson(options.streams.stdout, task);
  else printLine(options.streams.stdout, `${task.key} handed off to ${options.to} (${task.status})`);
  return task;
}

export async function boardShow(options: Common & { ref: string }): Promise<Task> {
  const task = await options.relay.show(options.ref);
  if (options.json) {
    printJson(options.streams.stdout, task);
    return task;
  }
  const out = options.streams.stdout;
  const now = (options.now ?? Date.now)();
  printLine(out, `${task.key}  ${task.title}`);
  printLine(out, `id ${task.id} · ${task.status} · ${task.priority} · tags ${task.tags.join(', ') || '-'} · for ${task.for ?? 'anyone'}`);
  if (task.holder) printLine(out, `held by ${task.holder.who}@${task.holder.host}, lease ${leaseLeft(task, now)}, token ${task.token}`);
  if (task.after.length) printLine(out, `after ${task.after.join(', ')}`);
  if (task.branch) printLine(out, `branch ${task.branch}${task.previousJobId ? ` (from job ${task.previousJobId})` : ''}`);
  if (task.body) printLine(out, `\n${task.body}`);
  for (const event of task.history) printLine(out, `  ${event.at}  ${event.kind}${event.by ? ` by ${event.by}` : ''}${event.to ? ` to ${event.to}` : ''}${event.note ? `: ${firstLine(event.note)}` : ''}`);
  return task;
}

function formatTasks(tasks: readonly Task[], now: number, width: number): string {
  return renderTable(
    tasks,
    [
      { header: 'KEY', value: (t) => t.key },
      { header: 'STATUS', value: (t) => t.status },
      { header: 'PRI', value: (t) => t.priority },
      { header: 'HOLDER', value: (t) => (t.holder ? `${t.holder.who}@${t.holder.host}` : '-') },
      { header: 'LEASE', value: (t) => (t.holder ? leaseLeft(t, now) : '-'), align: 'right' },
      { header: 'TITLE', value: (t) => t.title, flexible: true },
    ],
    width,
  );
}

function leaseLeft(task: Task, now: number): string {
  if (!task.leaseExpiresAt) return '-';
  const ms = Date.parse(task.leaseExpiresAt) - now;
  if (ms <= 0) return 'expired';
  return ms >= 60_000 ? `${Math.round(ms / 60_000)}m` : `${Math.ceil(ms / 1000)}s`;
}

function parseList<T extends string>(text: string | undefined, allowed: readonly T[], flag: string): T[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const value of list) {
    if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag}: "${value}" is not one of ${allowed.join(', ')}`);
  }
  return list.length ? (list as T[]) : undefined;
}
