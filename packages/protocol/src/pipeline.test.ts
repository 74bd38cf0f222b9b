import { describe, expect, it } from 'vitest';
import { parseEvent } from './events.js';
import {
  DirectorReportSchema,
  MIN_STALE_MS,
  NotificationRequestSchema,
  createPipelineClient,
  isStale,
  type DirectorReport,
} from './pipeline.js';
import type { Transport, TransportRequest } from './transport.js';

function sampleReport(overrides: Partial<DirectorReport> = {}): DirectorReport {
  return {
    id: 'director@dragon',
    host: 'dragon',
    updatedAt: '2026-11-26T02:00:00.000Z',
    everySeconds: 120,
    status: {
      pause: { until: '2026-11-26T03:40:00.000Z', reason: '12 of 15 runs this cycle were rate-limited or failed fast', since: '2026-11-26T02:00:00.000Z' },
      lastCycle: { startedAt: '2026-11-26T01:58:00.000Z', endedAt: '2026-11-26T02:00:00.000Z', skipped: [], sourceErrors: [], preflight: [{ host: 'dragon', ok: true, detail: 'ok' }] },
      queue: [{ repo: 'api', count: 1, tickets: [{ key: 'board:AUTH-1', title: '[api] login' }] }],
      inFlight: [
        {
          batchId: 'b1',
          repo: 'api',
          branch: 'flotilla/t/board-AUTH-2',
          stage: 'claimed',
          active: true,
          owner: 'director@dragon',
          tickets: [{ key: 'board:AUTH-2', title: '[api] rate limit', failedAttempts: 1 }],
          attempts: { total: 2, used: 1, free: 0, allowed: 3 },
          model: 'opus',
          running: true,
          since: '2026-11-26T01:59:00.000Z',
          step: 'review-fix/review',
          flowId: 'b1:2',
          lastFailure: null,
        },
      ],
      delivered: [{ kind: 'pull_request', repo: 'api', branch: 'flotilla/t/board-AUTH-3', url: 'https://github.com/acme/api/pull/7', number: 7, adopted: false, note: null, at: '2026-11-26T01:00:00.000Z', tickets: [{ key: 'board:AUTH-3', title: 'x' }] }],
      gaveUp: [],
      failures: [{ kind: 'rate_limited', count: 12, burned: 0 }],
    },
    flows: [],
    ...overrides,
  };
}

describe('the pipeline schemas', () => {
  it('should accept a full report and refuse one whose director id cannot be a path segment, saying why', () => {
    expect(DirectorReportSchema.parse(sampleReport())).toEqual(sampleReport());
    const bad = DirectorReportSchema.safeParse(sampleReport({ id: 'director/../x' }));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toContain('a director id is letters, digits');
  });

  it('should call a report stale after three cycles, never sooner than ten minutes', () => {
    const at = Date.parse('2026-11-26T02:00:00.000Z');
    expect(isStale(sampleReport(), at + MIN_STALE_MS - 1)).toBe(false);
    expect(isStale(sampleReport(), at + MIN_STALE_MS + 1)).toBe(true);
    const slow = sampleReport({ everySeconds: 600 });
    expect(isStale(slow, at + 29 * 60_000)).toBe(false);
    expect(isStale(slow, at + 31 * 60_000)).toBe(true);
  });

  it('should validate a notification request, refusing an empty title', () => {
    expect(NotificationRequestSchema.parse({ title: 'paused', body: 'why', level: 'warning', kind: 'director.pause' })).toMatchObject({ kind: 'director.pause' });
    expect(NotificationRequestSchema.safeParse({ title: '  ', body: '', level: 'warning' }).success).toBe(false);
    expect(NotificationRequestSchema.safeParse({ title: 't', body: '', level: 'loud' }).success).toBe(false);
  });

  it('should parse a pipeline.changed event, which older clients skip as unknown', () => {
    const event = parseEvent({ id: 3, at: '2026-11-26T02:00:00.000Z', host: 'hub', type: 'pipeline.changed', directorId: 'director@dragon', updatedAt: '2026-11-26T02:00:00.000Z' });
    expect(event).toMatchObject({ type: 'pipeline.changed', directorId: 'director@dragon' });
  });
});

describe('createPipelineClient', () => {
  it('should PUT the report under its director id and turn an error envelope into a ProtocolError', async () => {
    const seen: TransportRequest[] = [];
    const transport: Transport = {
      async request(req) {
        seen.push(req);
        if (req.method === 'POST') return { status: 409, headers: {}, body: { error: { code: 'CONFLICT', message: 'older than stored' } } };
        return { status: 200, headers: {}, body: { ...sampleReport(), receivedAt: '2026-11-26T02:00:01.000Z', stale: false } };
      },
      stream: () => Promise.reject(new Error('no streams here')),
    };
    const client = createPipelineClient(transport);
    expect((await client.report(sampleReport())).stale).toBe(false);
    expect(seen[0]).toMatchObject({ method: 'PUT', path: '/api/pipeline/director%40dragon' });
    await expect(client.notify({ title: 't', body: 'b', level: 'info' })).rejects.toMatchObject({ code: 'CONFLICT', message: 'older than stored' });
  });
});
