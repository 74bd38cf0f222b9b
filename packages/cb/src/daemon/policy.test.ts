import { describe, expect, it } from 'vitest';
import type { Failure, Job } from '@flotilla/protocol';
import { backoffMs, decideAfterFailure, modelForAttempt } from './policy.js';

const policy = { maxInfraRetries: 2, backoff: { baseMs: 1000, maxMs: 8000 } };
const now = new Date('2026-11-25T10:00:00.000Z');
const job = (over: Partial<Job> = {}) => ({ attemptsUsed: 0, maxAttempts: 3, infraRetries: 0, model: 'sonnet', modelLadder: ['sonnet', 'sonnet', 'opus'], ...over }) as Job;
const failure = (kind: Failure['kind'], extra: Partial<Failure> = {}): Failure => ({ kind, message: kind, ...extra });

describe('decideAfterFailure', () => {
  it('should consume an attempt for a task failure and escalate along the model ladder', () => {
    const first = decideAfterFailure(job(), failure('task'), policy, now);
    expect(first).toMatchObject({ status: 'retry_wait', consumedAttempt: true, attemptsUsed: 1, nextModel: 'sonnet' });
    const second = decideAfterFailure(job({ attemptsUsed: 1 }), failure('permission_denied'), policy, now);
    expect(second).toMatchObject({ status: 'retry_wait', attemptsUsed: 2, nextModel: 'opus' });
    expect(decideAfterFailure(job({ attemptsUsed: 2 }), failure('task'), policy, now)).toMatchObject({ status: 'dead', attemptsUsed: 3 });
  });

  it('should fail (not go dead) a single-attempt job', () => {
    expect(decideAfterFailure(job({ maxAttempts: 1 }), failure('task'), policy, now).status).toBe('failed');
  });

  it('should retry infrastructure failures without consuming an attempt, then give up', () => {
    const d = decideAfterFailure(job(), failure('overloaded'), policy, now);
    expect(d).toMatchObject({ status: 'retry_wait', consumedAttempt: false, attemptsUsed: 0, infraRetries: 1 });
    expect(decideAfterFailure(job({ infraRetries: 2 }), failure('crashed'), policy, now).status).toBe('dead');
  });

  it('should treat an idle timeout as infrastructure and a wall-clock timeout as the task', () => {
    expect(decideAfterFailure(job(), failure('timeout', { timeout: 'idle' }), policy, now).consumedAttempt).toBe(false);
    expect(decideAfterFailure(job(), failure('timeout', { timeout: 'wall' }), policy, now).consumedAttempt).toBe(true);
  });

  it('should never retry credential failures', () => {
    for (const kind of ['auth_failed', 'billing', 'model_not_found'] as const) {
      expect(decideAfterFailure(job(), failure(kind), policy, now)).toMatchObject({ status: 'failed', retryAt: null });
    }
  });

  it('should wait for a rate limit until its reset, plus a margin', () => {
    const resetsAt = '2026-11-25T11:00:00.000Z';
    const d = decideAfterFailure(job(), failure('rate_limited', { resetsAt }), policy, now);
    expect(d.retryAt).toBe('2026-11-25T11:00:05.000Z');
    const unknown = decideAfterFailure(job(), failure('rate_limited'), policy, now);
    expect(Date.parse(unknown.retryAt!) - now.getTime()).toBeGreaterThanOrEqual(60_000);
  });
});

describe('backoffMs / modelForAttempt', () => {
  it('should grow exponentially with jitter and stay under the cap', () => {
    expect(backoffMs(1, policy, () => 0.5)).toBe(1000);
    expect(backoffMs(3, policy, () => 0.5)).toBe(4000);
    expect(backoffMs(10, policy, () => 1)).toBe(9600);
  });

  it('should keep the last ladder rung and fall back to the job model without a ladder', () => {
    expect(modelForAttempt(job(), 7)).toBe('opus');
    expect(modelForAttempt(job({ modelLadder: [], model: 'haiku' }), 2)).toBe('haiku');
  });
});
