import { describe, expect, it } from 'vitest';
import { EventSchema, parseEvent } from './events.js';
import { HTTP_STATUS, ERROR_CODES, ProtocolError } from './errors.js';
import { CreateJobRequestSchema, JobSchema } from './job.js';
import { JOB_FIXTURE } from './fixtures.test-data.js';

describe('schemas', () => {
  it('should round-trip a complete Job through JSON', () => {
    expect(JobSchema.parse(JSON.parse(JSON.stringify(JOB_FIXTURE)))).toEqual(JOB_FIXTURE);
  });

  it('should round-trip every event carrying a job', () => {
    for (const type of ['job.created', 'job.updated', 'job.ended'] as const) {
      const event = { id: 1, at: '2026-11-25T09:00:00.000Z', host: 'devbox', type, job: JOB_FIXTURE };
      expect(EventSchema.parse(JSON.parse(JSON.stringify(event)))).toEqual(event);
    }
  });

  it('should ignore unknown event types and reject malformed known ones', () => {
    expect(parseEvent({ type: 'board.claimed', id: 1 })).toBeNull();
    expect(() => parseEvent({ type: 'job.updated', id: 1 })).toThrow();
    expect(() => parseEvent({ type: 'session.state', id: 1 })).toThrow();
  });

  it('should reject bad job requests with clear messages', () => {
    const empty = CreateJobRequestSchema.safeParse({ prompt: '' });
    expect(empty.success).toBe(false);
    expect(empty.error?.issues[0]?.message).toBe('the prompt is empty');
    expect(CreateJobRequestSchema.safeParse({ prompt: 'x', env: { 'BAD-NAME': '1' } }).success).toBe(false);
    expect(CreateJobRequestSchema.safeParse({ prompt: 'x', permissions: 'yolo' }).success).toBe(false);
  });

  it('should map every error code to an HTTP status and serialize an envelope', () => {
    for (const code of ERROR_CODES) expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(400);
    expect(new ProtocolError('JOB_NOT_FOUND', 'no job x', { fix: 'cb ls' }).toEnvelope()).toEqual({ error: { code: 'JOB_NOT_FOUND', message: 'no job x', fix: 'cb ls' } });
  });
});
