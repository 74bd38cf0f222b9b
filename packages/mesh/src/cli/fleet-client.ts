/**
 * The protocol's typed client, plus what only a hub answers: dispatch to a host (or any), sessions
 * started on a host, the fleet's hosts, and repository sync.
 */
import { z } from 'zod';
import {
  HostSchema,
  JobPageSchema,
  JobSchema,
  SessionSchema,
  createClient,
  errorFromEnvelope,
  type CreateJobRequest,
  type CreateSessionRequest,
  type FlotillaClient,
  type Host,
  type Job,
  type JobPage,
  type Session,
  type Transport,
  type TransportRequest,
} from '@flotilla/protocol';

export const SyncResultSchema = z.object({
  host: z.string(),
  ok: z.boolean(),
  /** What git said (the last lines), or why the host was skipped. */
  output: z.string(),
});
export type SyncResult = z.infer<typeof SyncResultSchema>;

export interface FleetClient extends FlotillaClient {
  dispatch(request: CreateJobRequest, host: string): Promise<Job>;
  createSessionOn(request: CreateSessionRequest, host: string): Promise<Session>;
  hosts(): Promise<Host[]>;
  /** Jobs of the whole fleet, or of one host. */
  fleetJobs(query: { host?: string; status?: string[]; limit?: number; cursor?: string }): Promise<JobPage>;
  sync(repo: string): Promise<SyncResult[]>;
}

export function createFleetClient(transport: Transport): FleetClient {
  async function call<T extends z.ZodType>(schema: T, req: TransportRequest): Promise<z.infer<T>> {
    const res = await transport.request(req);
    if (res.status >= 400) throw errorFromEnvelope(res.status, res.body);
    return schema.parse(res.body);
  }
  return {
    ...createClient(transport),
    dispatch: (request, host) => call(JobSchema, { method: 'POST', path: '/api/jobs', query: { host }, body: request }),
    createSessionOn: (request, host) => call(SessionSchema, { method: 'POST', path: '/api/sessions', query: { host }, body: request }),
    fleetJobs: (query) =>
      call(JobPageSchema, { method: 'GET', path: '/api/jobs', query: { ...query, status: query.status?.join(',') } }),
    hosts: () => call(HostSchema.array(), { method: 'GET', path: '/api/hosts' }),
    sync: (repo) => call(SyncResultSchema.array(), { method: 'POST', path: '/api/sync', body: { repo } }),
  };
}
