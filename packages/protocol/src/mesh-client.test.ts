import { describe, expect, it } from 'vitest';
import { createMeshClient } from './mesh-client.js';
import { isProtocolError } from './errors.js';
import type { AgentProfile, Message } from './mesh.js';
import type { DoctorReport } from './resources.js';
import { transportAnswering } from './transport.test-data.js';

const MESSAGE: Message = {
  id: '01JD0000000000000000000000',
  seq: 7,
  from: 'reviewer-1',
  fromHost: 'mac',
  to: '#channel',
  text: '@api-1 please look',
  mentions: ['@api-1'],
  deliveries: [{ session: 'api-1', host: 'linux', state: 'queued', attempts: 0, deliveredAt: null, error: null }],
  createdAt: '2026-01-01T00:00:00.000Z',
};
const PROFILE: AgentProfile = { session: 'api-1', host: 'linux', roles: ['reviewer'], tags: ['backend'], auto: true, updatedAt: '2026-01-01T00:00:00.000Z' };

describe('createMeshClient', () => {
  it('should send messages, channel posts and profiles to their routes', async () => {
    const transport = transportAnswering((req) => ({
      status: 200,
      body: req.path.startsWith('/api/profiles') ? (req.method === 'GET' ? [PROFILE] : PROFILE) : req.method === 'GET' ? [MESSAGE] : MESSAGE,
    }));
    const mesh = createMeshClient(transport);
    expect(await mesh.postToChannel({ text: '@api-1 please look' })).toEqual(MESSAGE);
    await mesh.sendMessage({ to: '@reviewer', text: 'hi' });
    expect(await mesh.channel({ after: 6 })).toEqual([MESSAGE]);
    await mesh.listMessages({ to: 'api-1', limit: 5 });
    expect(await mesh.listProfiles()).toEqual([PROFILE]);
    await mesh.declareProfile('api-1', { roles: ['reviewer'], auto: true });
    expect(transport.seen.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.query ?? r.body ?? null)}`)).toEqual([
      'POST /api/channel {"text":"@api-1 please look"}',
      'POST /api/messages {"to":"@reviewer","text":"hi"}',
      'GET /api/channel {"after":6}',
      'GET /api/messages {"to":"api-1","limit":5}',
      'GET /api/profiles null',
      'PUT /api/profiles/api-1 {"roles":["reviewer"],"auto":true}',
    ]);
  });

  it('should reject a message that does not match the schema', async () => {
    const mesh = createMeshClient(transportAnswering(() => ({ status: 201, body: { ...MESSAGE, id: 'x' } })));
    await expect(mesh.sendMessage({ to: 'api-1', text: 'hi' })).rejects.toThrow();
  });

  it('should ask the hub for a host\'s doctor, and turn a host without a daemon into its ProtocolError', async () => {
    const report: DoctorReport = { host: 'box one', ok: false, checks: [{ name: 'claude credential', ok: false, detail: 'not logged in', fix: 'run claude /login' }] };
    const transport = transportAnswering((req) =>
      req.path.includes('bare')
        ? { status: 503, body: { error: { code: 'DAEMON_UNAVAILABLE', message: 'bare is driven bare through tmux', fix: 'install cb there with `mesh hosts bootstrap bare`' } } }
        : { status: 200, body: report },
    );
    const mesh = createMeshClient(transport);
    expect(await mesh.hostDoctor('box one')).toEqual(report);
    const error: unknown = await mesh.hostDoctor('bare').catch((e: unknown) => e);
    expect(isProtocolError(error) && [error.code, error.status, error.fix]).toEqual(['DAEMON_UNAVAILABLE', 503, 'install cb there with `mesh hosts bootstrap bare`']);
    expect(transport.seen.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/hosts/box%20one/doctor', 'GET /api/hosts/bare/doctor']);
    const malformed = createMeshClient(transportAnswering(() => ({ status: 200, body: { host: 'box', ok: true } })));
    await expect(malformed.hostDoctor('box')).rejects.toThrow();
  });
});
