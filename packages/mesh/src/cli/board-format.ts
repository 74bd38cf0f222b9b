/** How `mesh board` prints tasks for a person: grouped lists, one task in full, durations. */
import type { Task, TaskStatus } from '@flotilla/protocol';
import { UsageError } from './context.js';

export const STATUS_ORDER: readonly TaskStatus[] = ['proposed', 'todo', 'doing', 'review', 'done', 'failed'];

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A lease length: `90s`, `30m`, `2h`, `1h30m`, `1d` or a number of milliseconds.
 * @example parseLease('30m') // 1_800_000
 */
export function parseLease(text: string): number {
  const input = text.trim().toLowerCase();
  let ms = /^\d+$/.test(input) ? Number(input) : Number.NaN;
  if (Number.isNaN(ms) && /^(\d+(ms|s|m|h|d))+$/.test(input)) {
    ms = [...input.matchAll(/(\d+)(ms|s|m|h|d)/g)].reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit!]!, 0);
  }
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new UsageError(`--lease: "${text}" is not a duration`, 'use e.g. 90s, 30m, 2h or 1h30m');
  return ms;
}

/** `45s`, `12m`, `1h05m`, `2d3h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

/** What is left of a holder's lease at `nowMs`: `12m left`, `expired`, or '' for a task nobody holds. */
export function leaseLeft(task: Task, nowMs: number): string {
  if (task.leaseExpiresAt === null) return '';
  const left = Date.parse(task.leaseExpiresAt) - nowMs;
  return left > 0 ? `${formatDuration(left)} left` : 'expired';
}

function holderOf(task: Task): string {
  return task.holder === null ? '' : `${task.holder.who}@${task.holder.host}`;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`.trimEnd());
}

/**
 * What a task still waits for (`--after`): the prerequisites not done yet, by key when they are in
 * `byId` (the listing), else by id; '' when nothing holds it.
 */
export function waitsFor(task: Task, byId: ReadonlyMap<string, Task>): string {
  if (task.status !== 'todo' && task.status !== 'proposed') return '';
  const pending = task.after.filter((id) => byId.get(id)?.status !== 'done').map((id) => byId.get(id)?.key ?? id);
  return pending.length === 0 ? '' : `waits for ${pending.join(', ')}`;
}

/**
 * The board grouped by status (proposed, todo, doing, review, done, failed), empty groups left out.
 * `prerequisites`: tasks named in `after` that a filtered listing left out.
 */
export function formatBoard(tasks: readonly Task[], nowMs: number, prerequisites: readonly Task[] = []): string[] {
  if (tasks.length === 0) return ['the board is empty (add a task with `mesh board add "title"`)'];
  const byId = new Map([...prerequisites, ...tasks].map((task) => [task.id, task]));
  const lines: string[] = [];
  for (const status of STATUS_ORDER) {
    const group = tasks.filter((task) => task.status === status);
    if (group.length === 0) continue;
    if (lines.length > 0) lines.push('');
    lines.push(`${status.toUpperCase()} (${group.length})`);
    const rows = group.map((task) => [
      task.key,
      truncate(task.title, 60),
      holderOf(task) || (task.for === null ? '' : `for ${task.for}`),
      leaseLeft(task, nowMs) || waitsFor(task, byId),
      task.attempts > 0 ? `attempts ${task.attempts}` : '',
    ]);
    lines.push(...table(rows));
  }
  return lines;
}

/** One task in full: fields, body and history. */
export function formatTask(task: Task, nowMs: number): string[] {
  const fields: Array<[string, string]> = [
    ['status', task.status],
    ['priority', task.priority],
    ['tags', task.tags.join(', ')],
    ['for', task.for ?? ''],
    ['after', task.after.join(', ')],
    ['holder', holderOf(task)],
    ['lease', leaseLeft(task, nowMs)],
    ['token', String(task.token)],
    ['attempts', String(task.attempts)],
    ['branch', task.branch ?? ''],
    ['previous job', task.previousJobId ?? ''],
    ['id', task.id],
  ];
  const lines = [`${task.key}  ${task.title}`, ...fields.filter(([, value]) => value !== '').map(([name, value]) => `  ${`${name}:`.padEnd(14)}${value}`)];
  if (task.body !== '') lines.push('', ...task.body.split('\n').map((line) => `  ${line}`));
  lines.push('', 'history:');
  for (const event of task.history) {
    const who = event.by === undefined ? '' : ` by ${event.by}${event.host ? `@${event.host}` : ''}`;
    const to = event.to === undefined ? '' : ` to ${event.to}`;
    const note = event.note === undefined || event.note === '' ? '' : `: ${event.note}`;
    lines.push(`  ${event.at}  ${event.kind}${who}${to}${event.branch ? ` (branch ${event.branch})` : ''}${note}`);
  }
  return lines;
}
