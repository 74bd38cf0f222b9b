import { describe, expect, it } from 'vitest';
import { canTransition, FAILURE_DESCRIPTIONS, FAILURE_KINDS, isTerminal, JOB_STATUSES, JOB_TRANSITIONS, RETRY_CLASS } from './lifecycle.js';

describe('lifecycle', () => {
  it('should give every status a transition list and every kind a retry class and description', () => {
    for (const status of JOB_STATUSES) expect(JOB_TRANSITIONS[status]).toBeDefined();
    for (const kind of FAILURE_KINDS) {
      expect(['consume', 'infra', 'never']).toContain(RETRY_CLASS[kind]);
      expect(FAILURE_DESCRIPTIONS[kind].length).toBeGreaterThan(10);
    }
  });

  it('should follow queued → starting → running → succeeded, and re-queue only from terminal or retry_wait', () => {
    expect(canTransition('queued', 'starting')).toBe(true);
    expect(canTransition('starting', 'running')).toBe(true);
    expect(canTransition('running', 'succeeded')).toBe(true);
    expect(canTransition('running', 'queued')).toBe(false);
    expect(canTransition('retry_wait', 'queued')).toBe(true);
    expect(canTransition('succeeded', 'queued')).toBe(true);
    expect(canTransition('succeeded', 'running')).toBe(false);
  });

  it('should classify retry behaviour exactly as the issue table says', () => {
    expect(['task', 'permission_denied', 'timeout', 'context_overflow'].map((k) => RETRY_CLASS[k as 'task'])).toEqual(['consume', 'consume', 'consume', 'consume']);
    expect(['rate_limited', 'overloaded', 'crashed', 'interrupted', 'fast_fail'].every((k) => RETRY_CLASS[k as 'task'] === 'infra')).toBe(true);
    expect(['auth_failed', 'billing', 'model_not_found'].every((k) => RETRY_CLASS[k as 'task'] === 'never')).toBe(true);
  });

  it('should call exactly succeeded, failed, cancelled and dead terminal', () => {
    expect(JOB_STATUSES.filter(isTerminal)).toEqual(['succeeded', 'failed', 'cancelled', 'dead']);
  });
});
