import { describe, expect, it } from 'vitest';
import { createClient } from './client.js';
import { isProtocolError } from './errors.js';
import { transportAnswering } from './transport.test-data.js';
import { JOB_FIXTURE } from './fixtures.test-data.js';

describe('createClient', () => {
  it('should send a job creation as POST /api/jobs and parse the Job', async () => {
    const transport = transportAnswering(() => ({ status: 201, body: JOB_FIXTURE }));
    const job = await createClient(transport).createJob({ prompt: 'fix it' });
    expect(job.id).toBe(JOB_FIXTURE.id);
    expect(transport.seen[0]).toMatchObject({ method: 'POST', path: '/api/jobs', body: { prompt: 'fix it' } });
  });

  it('should turn an error envelope into a ProtocolError with code and fix', async () => {
    const transport = transportAnswering(() => ({ status: 422, body: { error: { code: 'AGENT_CANNOT_AUTHENTICATE', message: 'no key', fix: 'export ANTHROPIC_API_KEY' } } }));
    const error = await createClient(transport).getJob('x').catch((e: unknown) => e);
    expect(isProtocolError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'AGENT_CANNOT_AUTHENTICATE', fix: 'export ANTHROPIC_API_KEY', status: 422 });
  });

  it('should list browser tokens and revoke one by its fingerprint', async () => {
    const token = { id: '0123456789ab', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-31T00:00:00.000Z', current: true };
    const transport = transportAnswering(() => ({ status: 200, body: [token] }));
    const client = createClient(transport);
    expect(await client.browserTokens()).toEqual([token]);
    await client.revokeBrowserToken('0123456789ab');
    expect(transport.seen.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/tokens', 'DELETE /api/tokens/0123456789ab']);
  });

  it('should reject a response that does not match the schema', async () => {
    const transport = transportAnswering(() => ({ status: 200, body: { id: 'nope' } }));
    await expect(createClient(transport).getJob('x')).rejects.toThrow();
  });

  it('should yield known events from the SSE stream, skip unknown types and send Last-Event-ID', async () => {
    const event = { id: 3, at: '2026-01-01T00:00:00.000Z', host: 'h', type: 'inbox.changed', unread: 2 };
    const transport = transportAnswering(() => ({ status: 200, body: null }), [
      'id: 2\nevent: future.thing\ndata: {"id":2,"type":"future.thing"}\n\n',
      `id: 3\nevent: inbox.changed\ndata: ${JSON.stringify(event)}\n\n`,
    ]);
    const seen = [];
    for await (const e of createClient(transport).events({ lastEventId: 1 })) seen.push(e);
    expect(seen).toEqual([event]);
    expect(transport.seen[0]?.headers?.['last-event-id']).toBe('1');
  });
});
