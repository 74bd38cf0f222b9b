import { describe, expect, it } from 'vitest';
import type { FlotillaEvent } from '@flotilla/protocol';
import { applyHubEvent, boundTasks, MAX_CHANNEL, MAX_FINISHED_TASKS, withHubSnapshot, withMessage } from './hub-state';
import { host, message, T0, task } from './hub-fixtures.test-data';
import { applyEvent as applyDaemonEvent, initialState, type LiveState } from './live-state';

/** What the store does with each event on a hub. */
const applyEvent = (state: LiveState, event: FlotillaEvent) => applyHubEvent(applyDaemonEvent(state, event), event);

const NOW = Date.parse(T0);
const DAY = 24 * 60 * 60 * 1000;
const at = (ms: number) => new Date(NOW + ms).toISOString();
const ev = (id: number, body: Record<string, unknown>) => ({ id, at: T0, host: 'hub', ...body }) as FlotillaEvent;

describe('applyEvent on a hub', () => {
  it('should move a task between columns with task.changed and keep the newer copy', () => {
    let state = applyEvent(initialState, ev(1, { type: 'task.changed', task: task('a', { updatedAt: at(1000) }) }));
    state = applyEvent(state, ev(2, { type: 'task.changed', task: task('a', { status: 'doing', updatedAt: at(2000) }) }));
    state = applyEvent(state, ev(3, { type: 'task.changed', task: task('a', { status: 'todo', updatedAt: at(1500) }) }));
    expect(state.tasks.get('a')?.status).toBe('doing');
    expect(state.lastEventId).toBe(3);
  });

  it('should replace a host with host.changed and forget it with host.removed', () => {
    let state = applyEvent(initialState, ev(1, { type: 'host.changed', hostInfo: host('dragon') }));
    state = applyEvent(state, ev(2, { type: 'host.changed', hostInfo: host('dragon', { state: 'down', error: 'connection reset' }) }));
    expect(state.hosts.get('dragon')?.state).toBe('down');
    state = applyEvent(state, ev(3, { type: 'host.removed', name: 'dragon' }));
    expect(state.hosts.size).toBe(0);
  });

  it('should put channel posts in seq order and direct messages apart, and update receipts in place', () => {
    const late = message(3);
    const early = message(2);
    const direct = message(null);
    let state = applyEvent(initialState, ev(1, { type: 'message.created', message: late }));
    state = applyEvent(state, ev(2, { type: 'message.created', message: early }));
    state = applyEvent(state, ev(3, { type: 'message.created', message: direct }));
    const delivered = { ...direct, deliveries: [{ session: 'rev', host: 'dragon', state: 'delivered' as const, attempts: 1, deliveredAt: T0, error: null }] };
    state = applyEvent(state, ev(4, { type: 'message.updated', message: delivered }));
    expect(state.channel.map((m) => m.seq)).toEqual([2, 3]);
    expect(state.directs).toEqual([delivered]);
    expect(state.lastEventId).toBe(4);
  });
});

describe('withMessage', () => {
  it('should keep the newest MAX_CHANNEL posts and not bring back an older one', () => {
    let state = withHubSnapshot(initialState, { hosts: null, tasks: null, channel: Array.from({ length: MAX_CHANNEL }, (_, i) => message(i + 10)) }, NOW);
    state = withMessage(state, message(MAX_CHANNEL + 10));
    expect(state.channel).toHaveLength(MAX_CHANNEL);
    expect(state.channel[0]?.seq).toBe(11);
    expect(withMessage(state, message(5))).toBe(state);
  });
});

describe('boundTasks', () => {
  it('should let go of finished tasks older than a day, unless an open task waits for one', () => {
    const tasks = new Map(
      [
        task('old', { status: 'done', updatedAt: at(-2 * DAY) }),
        task('needed', { status: 'done', updatedAt: at(-2 * DAY) }),
        task('fresh', { status: 'failed', updatedAt: at(-1000) }),
        task('open', { status: 'todo', after: ['needed'], updatedAt: at(-3 * DAY) }),
      ].map((t) => [t.id, t]),
    );
    expect([...boundTasks(tasks, NOW).keys()].sort()).toEqual(['fresh', 'needed', 'open']);
  });

  it('should keep at most MAX_FINISHED_TASKS finished tasks, the newest, and return the same map when nothing goes', () => {
    const many = new Map(Array.from({ length: MAX_FINISHED_TASKS + 5 }, (_, i) => task(`f${i}`, { status: 'done', updatedAt: at(-DAY + i * 1000) })).map((t) => [t.id, t]));
    const bounded = boundTasks(many, NOW);
    expect(bounded.size).toBe(MAX_FINISHED_TASKS);
    expect(bounded.has('f0')).toBe(false);
    expect(boundTasks(bounded, NOW)).toBe(bounded);
  });
});
