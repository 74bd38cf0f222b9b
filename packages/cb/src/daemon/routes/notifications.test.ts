// POST /api/notifications on a real cb daemon (the e2e harness): the event the dashboard and the
// bot show, a refusal in words, and no way in without the daemon's token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport, createSocketTransport } from '@flotilla/kit/transport';
import { createPipelineClient, isProtocolError } from '@flotilla/protocol';
import { collectEvents, startHarness, type Harness } from '../../e2e/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.[Symbol.asyncDispose]();
});

describe('POST /api/notifications on a lone daemon', () => {
  it('should append a notification event, refuse a bad body in words, and refuse a caller without the token', async () => {
    const pipeline = createPipelineClient(createSocketTransport(h.paths.socket));
    await pipeline.notify({ title: 'director@box paused until 03:40 UTC', body: '12 of 15 runs this cycle were rate-limited or failed fast (claude)', level: 'warning', kind: 'director.pause' });
    const [event] = await collectEvents(h.client, (e) => e.type === 'notification', (kept) => kept.length >= 1);
    expect(event).toMatchObject({ type: 'notification', title: 'director@box paused until 03:40 UTC', level: 'warning', kind: 'director.pause', jobId: null });

    const bad = await pipeline.notify({ title: '', body: '', level: 'warning' }).catch((e: unknown) => e);
    expect(isProtocolError(bad) && bad.code).toBe('VALIDATION_FAILED');
    expect(isProtocolError(bad) && bad.message).toMatch(/^title: /);

    const served = await createSocketTransport(h.paths.socket).request({ method: 'POST', path: '/api/daemon/serve', body: { port: 0 } });
    const { url } = served.body as { url: string };
    const anonymous = await createPipelineClient(createHttpTransport(url)).notify({ title: 't', body: '', level: 'info' }).catch((e: unknown) => e);
    expect(isProtocolError(anonymous) && anonymous.code).toBe('UNAUTHORIZED');
  });
});
