import { AddTaskRequestSchema, TASK_STATUSES, type AddTaskRequest, type Task, type TaskEvent, type TaskHolder, type TaskPriority, type TaskStatus } from '@flotilla/protocol';
import type { Tone } from '../../ui/words';

/** The board's columns, left to right, each with what it means to a person. */
export const COLUMNS: ReadonlyArray<{ status: TaskStatus; label: string; hint: string }> = [
  { status: 'proposed', label: 'Proposed', hint: 'waiting for your approval; nobody may claim them yet' },
  { status: 'todo', label: 'To do', hint: 'claimable by an agent' },
  { status: 'doing', label: 'Doing', hint: 'claimed, under a lease' },
  { status: 'review', label: 'Review', hint: 'handed over for review' },
  { status: 'done', label: 'Done', hint: 'finished' },
  { status: 'failed', label: 'Failed', hint: 'given up' },
];

const PRIORITY_RANK: Record<TaskPriority, number> = { high: 0, normal: 1, low: 2 };
const FINISHED = new Set<TaskStatus>(['done', 'failed']);

/**
 * Tasks per column. Open columns: high priority first, then oldest first (the order agents claim
 * in) — an order a lease renewal never changes, so cards do not jump about. Finished columns: the
 * most recently finished first.
 */
export function boardColumns(tasks: Iterable<Task>): Record<TaskStatus, Task[]> {
  const columns = Object.fromEntries(TASK_STATUSES.map((status) => [status, [] as Task[]])) as Record<TaskStatus, Task[]>;
  for (const task of tasks) columns[task.status].push(task);
  for (const status of TASK_STATUSES) {
    columns[status].sort(FINISHED.has(status) ? byRecent : byClaimOrder);
  }
  return columns;
}

function byClaimOrder(a: Task, b: Task): number {
  return PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
}

function byRecent(a: Task, b: Task): number {
  return b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id);
}

/** A task by its id or its key (`AUTH-12`): both name it everywhere. */
export function findTask(tasks: ReadonlyMap<string, Task>, ref: string): Task | undefined {
  const byId = tasks.get(ref);
  if (byId) return byId;
  const key = ref.toUpperCase();
  for (const task of tasks.values()) if (task.key === key) return task;
  return undefined;
}

export interface Dependency {
  ref: string;
  /** The key when the task is known, else the reference as stored. */
  label: string;
  status: TaskStatus | null;
}

/** The prerequisites not yet done (a task is blocked while any is left). */
export function openDependencies(task: Task, tasks: ReadonlyMap<string, Task>): Dependency[] {
  return task.after
    .map((ref) => {
      const dep = findTask(tasks, ref);
      return { ref, label: dep?.key ?? ref, status: dep?.status ?? null };
    })
    .filter((dep) => dep.status !== 'done');
}

/** "blocked: waits for AUTH-3 (doing) and AUTH-4 (to do)"; null when nothing holds it. */
export function blockedWords(deps: readonly Dependency[]): string | null {
  if (deps.length === 0) return null;
  const each = deps.map((dep) => `${dep.label} (${dep.status ? (COLUMNS.find((c) => c.status === dep.status)?.label.toLowerCase() ?? dep.status) : 'not on this board'})`);
  return `blocked: waits for ${each.length === 1 ? each[0] : `${each.slice(0, -1).join(', ')} and ${each[each.length - 1]}`}`;
}

/** `reviewer@dragon`. */
export function holderWords(holder: TaskHolder): string {
  return `${holder.who}@${holder.host}`;
}

/** Where the holder's work is seen: its job's page, or its session's. */
export function holderLink(holder: TaskHolder): { to: string; label: string } | null {
  if (holder.jobId) return { to: `/jobs/${encodeURIComponent(holder.jobId)}`, label: 'its job' };
  // The board is a hub's: its session is named with its host, as every session page on a hub is.
  if (holder.sessionId) return { to: `/sessions/${encodeURIComponent(`${holder.who}@${holder.host}`)}`, label: 'its session' };
  return null;
}

/** The last handoff: its note, branch and who it went to. */
export function lastHandoff(task: Task): TaskEvent | null {
  for (let i = task.history.length - 1; i >= 0; i--) if (task.history[i]!.kind === 'handed_off') return task.history[i]!;
  return null;
}

/**
 * A lease's time left, for a countdown: `4:05 left`, `1 h 02 min left`, or `ran out 0:12 ago`
 * (the hub returns the task to "to do" unless the holder's host is unreachable).
 */
export function formatLease(expiresAt: string | null, now: number): { text: string; tone: Tone } | null {
  if (expiresAt === null) return null;
  const left = Date.parse(expiresAt) - now;
  if (left <= 0) return { text: `lease ran out ${clock(-left)} ago`, tone: 'bad' };
  return { text: `lease ${clock(left)} left`, tone: left < 60_000 ? 'warn' : 'muted' };
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export interface TaskForm {
  title: string;
  body: string;
  tags: string;
  priority: TaskPriority;
  for: string;
  after: string;
}

export const EMPTY_TASK_FORM: TaskForm = { title: '', body: '', tags: '', priority: 'normal', for: '', after: '' };

/** The form as an AddTaskRequest (tags and `after` split on commas and spaces), or what is wrong. */
export function taskRequest(form: TaskForm): { ok: true; value: AddTaskRequest } | { ok: false; error: string } {
  const list = (text: string) => text.split(/[\s,]+/).filter(Boolean);
  if (!form.title.trim()) return { ok: false, error: 'Give the task a title.' };
  const request: AddTaskRequest = { title: form.title.trim(), priority: form.priority };
  if (form.body.trim()) request.body = form.body;
  if (list(form.tags).length) request.tags = list(form.tags);
  // Claimers name themselves by session and plain role (`reviewer`), so `@reviewer` is taken as the role.
  if (form.for.trim()) request.for = form.for.trim().replace(/^@/, '');
  if (list(form.after).length) request.after = list(form.after);
  const parsed = AddTaskRequestSchema.safeParse(request);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, error: issue ? `${issue.path.join('.') || 'task'}: ${issue.message}` : 'the task is not valid' };
}
