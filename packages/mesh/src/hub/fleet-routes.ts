/**
 * The fleet's jobs and sessions, as a lone daemon serves them but across every host: lists come
 * from the hub's mirror (so an unreachable host's work stays visible), everything else is
 * forwarded to the host that holds the job or session. `?host=NAME` (or `any` for a new job)
 * picks where new work goes.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { CreateJobRequestSchema, JobStatusSchema, ProtocolError } from '@flotilla/protocol';
import { jsonBody, queryOf } from './board-routes-http.js';
import { dispatchJob } from './dispatch.js';
import { findJob, findSession, forward, requireHost } from './fleet-proxy.js';
import type { Hub } from './hub.js';

const JobListQuery = z.object({
  host: z.string().min(1).optional(),
  status: z.array(JobStatusSchema).optional(),
  agent: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
  unread: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).optional(),
});

const TargetQuery = z.object({ host: z.string().min(1).optional() });
const SessionListQuery = z.object({ host: z.string().min(1).optional(), all: z.enum(['true', 'false', '1', '0']).optional() });

export function fleetJobRoutes(hub: Hub): Hono {
  const app = new Hono();
  app.get('/', (c) => {
    const q = queryOf(c, JobListQuery, ['status']);
    return c.json(hub.store.listJobs({ ...q, unread: q.unread === undefined ? undefined : q.unread === 'true' }));
  });
  app.post('/', async (c) => {
    const { host } = queryOf(c, TargetQuery);
    const request = await jsonBody(c, CreateJobRequestSchema);
    const target = host ?? onlyHost(hub);
    return c.json(await dispatchJob(hub, request, target), 201);
  });
  app.get('/:id', async (c) => {
    const job = findJob(hub, c.req.param('id'));
    const connection = requireHost(hub, job.host);
    // An unreachable host's job is shown as the hub last saw it.
    if (!connection.transport()) return c.json(job, 200, { 'x-flotilla-stale': 'true' });
    return forward(c, connection, `/api/jobs/${job.id}`);
  });
  app.all('/:id/*', async (c) => {
    const job = findJob(hub, c.req.param('id'));
    const rest = c.req.path.slice(c.req.path.indexOf('/', '/api/jobs/'.length));
    return forward(c, requireHost(hub, job.host), `/api/jobs/${job.id}${rest}`);
  });
  return app;
}

export function fleetSessionRoutes(hub: Hub): Hono {
  const app = new Hono();
  app.get('/', (c) => {
    const q = queryOf(c, SessionListQuery);
    return c.json(hub.store.listSessions({ host: q.host, all: q.all === 'true' || q.all === '1' }));
  });
  app.post('/', async (c) => {
    const { host } = queryOf(c, TargetQuery);
    return forward(c, requireHost(hub, host ?? onlyHost(hub)), '/api/sessions');
  });
  app.all('/:ref', async (c) => {
    const { host, name } = findSession(hub, c.req.param('ref'));
    return forward(c, requireHost(hub, host), `/api/sessions/${encodeURIComponent(name)}`);
  });
  app.all('/:ref/*', async (c) => {
    const { host, name } = findSession(hub, c.req.param('ref'));
    const rest = c.req.path.slice(c.req.path.indexOf('/', '/api/sessions/'.length));
    return forward(c, requireHost(hub, host), `/api/sessions/${encodeURIComponent(name)}${rest}`);
  });
  return app;
}

/** Without `?host=`, a fleet of one host means that host; otherwise the caller must say. */
function onlyHost(hub: Hub): string {
  const hosts = hub.hosts();
  if (hosts.length === 1) return hosts[0]!.name;
  throw new ProtocolError('VALIDATION_FAILED', `this hub has ${hosts.length} hosts: say which one (?host=NAME, or ?host=any)`, {
    fix: 'mesh run --host NAME "…" or mesh run --any "…"',
  });
}
