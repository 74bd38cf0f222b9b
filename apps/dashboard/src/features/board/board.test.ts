import { describe, expect, it, vi } from 'vitest';
import { task, T0 } from '../../live/hub-fixtures.test-data';
import { blockedWords, boardColumns, formatLease, holderLink, lastHandoff, openDependencies, taskRequest, EMPTY_TASK_FORM } from './board';
import { createClock } from './clock';

const NOW = Date.parse(T0);
const at = (ms: number) => new Date(NOW + ms).toISOString();

describe('boardColumns', () => {
  it('should order open columns by priority then age, and finished ones most recent first', () => {
    const tasks = [
      task('n-old', { createdAt: at(-3000) }),
      task('low', { priority: 'low', createdAt: at(-9000) }),
      task('n-new', { createdAt: at(-1000) }),
      task('high', { priority: 'high', createdAt: at(0) }),
      task('d1', { status: 'done', updatedAt: at(-5000) }),
      task('d2', { status: 'done', updatedAt: at(-100) }),
    ];
    const columns = boardColumns(tasks);
    expect(columns.todo.map((t) => t.id)).toEqual(['high', 'n-old', 'n-new', 'low']);
    expect(columns.done.map((t) => t.id)).toEqual(['d2', 'd1']);
    expect(columns.proposed).toEqual([]);
  });

  it('should put a task in review in the review column, whoever it is addressed to', () => {
    const inReview = task('r', { status: 'review', for: 'reviewer', holder: null, leaseExpiresAt: null });
    const columns = boardColumns([inReview, task('t')]);
    expect(columns.review.map((t) => t.id)).toEqual(['r']);
    expect(columns.todo.map((t) => t.id)).toEqual(['t']);
  });

  it('should not reorder a column when a lease is renewed', () => {
    const a = task('a', { status: 'doing', createdAt: at(-2000), leaseExpiresAt: at(60_000) });
    const b = task('b', { status: 'doing', createdAt: at(-1000), leaseExpiresAt: at(30_000) });
    const renewed = { ...a, leaseExpiresAt: at(120_000), updatedAt: at(5) };
    expect(boardColumns([a, b]).doing.map((t) => t.id)).toEqual(boardColumns([b, renewed]).doing.map((t) => t.id));
  });
});

describe('formatLease', () => {
  it('should count down in minutes and seconds, hours beyond an hour, and say when it ran out', () => {
    expect(formatLease(at(245_000), NOW)).toEqual({ text: 'lease 4:05 left', tone: 'muted' });
    expect(formatLease(at(59_400), NOW)).toEqual({ text: 'lease 0:59 left', tone: 'warn' });
    expect(formatLease(at(3_720_000), NOW)?.text).toBe('lease 1 h 02 min left');
    expect(formatLease(at(-12_000), NOW)).toEqual({ text: 'lease ran out 0:12 ago', tone: 'bad' });
    expect(formatLease(null, NOW)).toBeNull();
  });
});

describe('dependencies', () => {
  it('should say in words what a blocked task waits for', () => {
    const first = task('first', { status: 'doing' });
    const second = task('second', { status: 'done' });
    const third = task('third', { after: ['first', 'second', '01JZZZZZZZZZZZZZZZZZZZZZZZ'] });
    const tasks = new Map([first, second, third].map((t) => [t.id, t]));
    const deps = openDependencies(third, tasks);
    expect(blockedWords(deps)).toBe(`blocked: waits for ${first.key} (doing) and 01JZZZZZZZZZZZZZZZZZZZZZZZ (not on this board)`);
    expect(blockedWords(openDependencies(task('free', { after: [second.key] }), tasks))).toBeNull();
  });
});

describe('holder and handoff', () => {
  it('should link the holder to its job, else its session', () => {
    expect(holderLink({ who: 'w', host: 'h', jobId: '01JZ0000000000000000000001' })?.to).toBe('/jobs/01JZ0000000000000000000001');
    expect(holderLink({ who: 'rev 1', host: 'h', sessionId: 's' })?.to).toBe('/sessions/rev%201%40h');
    expect(holderLink({ who: 'w', host: 'h' })).toBeNull();
  });

  it('should find the last handoff in the history', () => {
    const t = task('h', {
      history: [
        { at: T0, kind: 'handed_off', note: 'first', branch: 'b1' },
        { at: T0, kind: 'claimed', by: 'x' },
        { at: T0, kind: 'handed_off', note: 'second', branch: 'b2', to: '@reviewer' },
      ],
    });
    expect(lastHandoff(t)).toMatchObject({ note: 'second', branch: 'b2' });
    expect(lastHandoff(task('none'))).toBeNull();
  });
});

describe('taskRequest', () => {
  it('should split tags and dependencies and leave out empty fields', () => {
    const result = taskRequest({ ...EMPTY_TASK_FORM, title: ' Fix auth ', tags: 'backend, auth  ci', after: 'AUTH-1,AUTH-2', priority: 'high' });
    expect(result).toEqual({ ok: true, value: { title: 'Fix auth', priority: 'high', tags: ['backend', 'auth', 'ci'], after: ['AUTH-1', 'AUTH-2'] } });
    expect(taskRequest(EMPTY_TASK_FORM)).toEqual({ ok: false, error: 'Give the task a title.' });
    expect(taskRequest({ ...EMPTY_TASK_FORM, title: 't', for: ' @reviewer ' })).toMatchObject({ ok: true, value: { for: 'reviewer' } });
  });
});

describe('createClock', () => {
  it('should run one interval for any number of countdowns and stop it with the last', () => {
    const timers = { setInterval: vi.fn(() => 7 as unknown as ReturnType<typeof setInterval>), clearInterval: vi.fn() };
    const clock = createClock(1000, timers as unknown as typeof globalThis);
    const off = Array.from({ length: 50 }, () => clock.subscribe(() => undefined));
    expect(timers.setInterval).toHaveBeenCalledTimes(1);
    off.slice(1).forEach((f) => f());
    expect(timers.clearInterval).not.toHaveBeenCalled();
    off[0]!();
    expect(timers.clearInterval).toHaveBeenCalledTimes(1);
  });
});
