// The pipeline and notification routes on the real hub app (createHubApp over a real Hub and its
// hub.db, served on 127.0.0.1 through the kit's secure app): auth, refusals in words, older and
// stale reports, the events, and a report surviving a hub restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serveOnPort, type PortServer } from '@flotilla/kit/http';
import { createHttpTransport } from '@flotilla/kit/transport';
import { createSessionTokens } from '@flotilla/kit/web';
import { createClient, createPipelineClient, isProtocolError, type DirectorReport, type FlotillaEvent } from '@flotilla/protocol';
import { hubPaths } from '../cli/context.js';
import { createHubApp } from './hub-app.js';
import { Hub } from './hub.js';

const TOKEN = 'pipeline-routes-test-token-0123456789';

interface RunningHubApp {
  hub: Hub;
  server: PortServer;
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-pipeline-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The hub as `mesh serve` builds it, with no hosts: only its own routes answer. */
async function startHubApp(home: string): Promise<RunningHubApp> {
  const paths = hubPaths({ FLOTILLA_HOME: home });
  const hub = new Hub({ paths, name: 'hub', readHosts: async () => [], openLink: () => { throw new Error('this test has no hosts'); } });
  const app = createHubApp(hub, { token: TOKEN, browsers: createSessionTokens(), socket: paths.socket, hostsFile: paths.hosts, httpUrl: () => null, startedAt: new Date(), defaultLeaseMs: 60_000 });
  const server = await serveOnPort(app.fetch);
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await server.close();
    await hub.close();
  };
  cleanups.push(close);
  return { hub, server, close };
}

function report(overrides: Partial<DirectorReport> = {}): DirectorReport {
  return {
    id: 'director@dragon',
    host: 'dragon',
    updatedAt: new Date().toISOString(),
    everySeconds: 120,
    status: {
      pause: null,
      lastCycle: null,
      queue: [{ repo: 'api', count: 1, tickets: [{ key: 'board:AUTH-1', title: '[api] login' }] }],
      inFlight: [],
      delivered: [],
      gaveUp: [],
      failures: [],
    },
    flows: [],
    ...overrides,
  };
}

const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString();

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isProtocolError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

/** The hub's events from the start, read over SSE until `enough` says so. */
async function eventsUntil(url: string, enough: (events: FlotillaEvent[]) => boolean): Promise<FlotillaEvent[]> {
  const controller = new AbortController();
  const seen: FlotillaEvent[] = [];
  for await (const event of createClient(createHttpTransport(url, { token: TOKEN })).events({ lastEventId: 0, signal: controller.signal })) {
    seen.push(event);
    if (enough(seen)) break;
  }
  controller.abort();
  return seen;
}

describe('PUT and GET /api/pipeline on the hub', () => {
  it('should store a report, answer it with stale false, and announce it as pipeline.changed', async () => {
    const { server } = await startHubApp(tempHome());
    const pipeline = createPipelineClient(createHttpTransport(server.url, { token: TOKEN }));
    const sent = report();
    expect(await pipeline.report(sent)).toMatchObject({ id: 'director@dragon', stale: false, updatedAt: sent.updatedAt });
    expect((await pipeline.list()).map((p) => [p.id, p.status.queue[0]?.count])).toEqual([['director@dragon', 1]]);
    const events = await eventsUntil(server.url, (seen) => seen.some((e) => e.type === 'pipeline.changed'));
    expect(events.find((e) => e.type === 'pipeline.changed')).toMatchObject({ host: 'hub', directorId: 'director@dragon', updatedAt: sent.updatedAt });
  });

  it('should refuse a request without the hub token', async () => {
    const { server } = await startHubApp(tempHome());
    const anonymous = createPipelineClient(createHttpTransport(server.url));
    expect((await refusal(anonymous.report(report()))).code).toBe('UNAUTHORIZED');
    expect((await refusal(anonymous.list())).code).toBe('UNAUTHORIZED');
  });

  it('should refuse bad input in words: a malformed report, a mismatched id, a bad id, a clock in the future', async () => {
    const { server } = await startHubApp(tempHome());
    const transport = createHttpTransport(server.url, { token: TOKEN });
    const malformed = await transport.request({ method: 'PUT', path: '/api/pipeline/director%40dragon', body: { ...report(), everySeconds: -1 } });
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body)).toContain('everySeconds');
    const other = await transport.request({ method: 'PUT', path: '/api/pipeline/director%40other', body: report() });
    expect(other.status).toBe(400);
    expect(JSON.stringify(other.body)).toContain("the report is director director@dragon's, but was sent to /api/pipeline/director@other");
    const badId = await transport.request({ method: 'PUT', path: '/api/pipeline/%20x', body: report() });
    expect(JSON.stringify(badId.body)).toContain('a director id is letters, digits');
    const future = await refusal(createPipelineClient(transport).report(report({ updatedAt: new Date(Date.now() + 3_600_000).toISOString() })));
    expect(future.message).toMatch(/60 minutes ahead of the hub's clock/);
    expect(await createPipelineClient(transport).list()).toEqual([]);
  });

  it('should keep the newer report when an older one arrives late, and mark a quiet director stale', async () => {
    const { server } = await startHubApp(tempHome());
    const pipeline = createPipelineClient(createHttpTransport(server.url, { token: TOKEN }));
    await pipeline.report(report({ updatedAt: minutesAgo(20) }));
    const late = await refusal(pipeline.report(report({ updatedAt: minutesAgo(25), host: 'late' })));
    expect(late.code).toBe('CONFLICT');
    expect(late.message).toContain('the hub has a newer report of director@dragon');
    const [stored] = await pipeline.list();
    // 20 minutes without a report: more than 3 cycles of 2 minutes and more than 10 minutes.
    expect(stored).toMatchObject({ host: 'dragon', stale: true });
    await pipeline.report(report({ id: 'director@mac', host: 'mac' }));
    expect((await pipeline.list()).map((p) => [p.id, p.stale])).toEqual([['director@mac', false], ['director@dragon', true]]);
  });

  it('should still have every director\'s last report after the hub restarts', async () => {
    const home = tempHome();
    const first = await startHubApp(home);
    const sent = report({ status: { ...report().status, pause: { until: new Date(Date.now() + 3_600_000).toISOString(), reason: '12 of 15 runs this cycle were rate-limited or failed fast', since: minutesAgo(1) } } });
    await createPipelineClient(createHttpTransport(first.server.url, { token: TOKEN })).report(sent);
    await first.close();
    const second = await startHubApp(home);
    const [again] = await createPipelineClient(createHttpTransport(second.server.url, { token: TOKEN })).list();
    expect(again?.status.pause?.reason).toBe('12 of 15 runs this cycle were rate-limited or failed fast');
    expect(again?.updatedAt).toBe(sent.updatedAt);
  });

  it('should say it offers the pipeline in its capabilities', async () => {
    const { server } = await startHubApp(tempHome());
    expect((await createClient(createHttpTransport(server.url, { token: TOKEN })).capabilities()).features).toContain('pipeline');
  });
});

describe('POST /api/notifications on the hub', () => {
  it('should append a notification event the dashboard and the bot show, and refuse a bad level in words', async () => {
    const { server } = await startHubApp(tempHome());
    const pipeline = createPipelineClient(createHttpTransport(server.url, { token: TOKEN }));
    await pipeline.notify({ title: 'director paused until 03:40 UTC', body: '12 of 15 runs were rate-limited (claude)', level: 'warning', kind: 'director.pause' });
    const events = await eventsUntil(server.url, (seen) => seen.some((e) => e.type === 'notification'));
    expect(events.find((e) => e.type === 'notification')).toMatchObject({ title: 'director paused until 03:40 UTC', level: 'warning', kind: 'director.pause', jobId: null, host: 'hub' });
    const bad = await refusal(pipeline.notify({ title: 'x', body: '', level: 'loud' as 'info' }));
    expect(bad.code).toBe('VALIDATION_FAILED');
    expect(bad.message).toMatch(/^level: /);
    expect((await refusal(createPipelineClient(createHttpTransport(server.url)).notify({ title: 'x', body: '', level: 'info' }))).code).toBe('UNAUTHORIZED');
  });
});
