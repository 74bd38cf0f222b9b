/**
 * What the bot asks of its server beyond the typed client: dispatch to a named host (a hub's
 * `?host=`), the board (a hub's `/api/board`, or a daemon's relay of it) and the fleet's hosts.
 * All of it needs the transport; without one these answer in words that they are unavailable.
 */
import {
  HostSchema,
  JobSchema,
  ProtocolError,
  TaskSchema,
  errorFromEnvelope,
  type CreateJobRequest,
  type FlotillaClient,
  type Host,
  type Job,
  type Task,
  type Transport,
  type TransportRequest,
} from '@flotilla/protocol';
import type { z } from 'zod';

export interface ServerAccess {
  isHub: boolean;
  /** Creates a job, on `host` when given (a hub dispatches there; a lone daemon only accepts its own name). */
  createJob(request: CreateJobRequest, host?: string): Promise<Job>;
  /** Open board tasks (todo, doing, review, proposed). */
  board(): Promise<Task[]>;
  /** The fleet's hosts; a lone daemon has none to list (empty). */
  hosts(): Promise<Host[]>;
}

const OPEN_TASKS = 'proposed,todo,doing,review';

export function createServerAccess(options: { client: FlotillaClient; transport?: Transport; isHub: boolean }): ServerAccess {
  const { client, transport, isHub } = options;
  async function call<T extends z.ZodType>(schema: T, req: TransportRequest): Promise<z.infer<T>> {
    if (!transport) throw new ProtocolError('BAD_REQUEST', 'this bot was started without a connection that can reach the board or other hosts');
    const res = await transport.request(req);
    if (res.status >= 400) throw errorFromEnvelope(res.status, res.body);
    return schema.parse(res.body);
  }
  return {
    isHub,
    async createJob(request, host) {
      if (!host) return client.createJob(request);
      if (isHub) return call(JobSchema, { method: 'POST', path: '/api/jobs', query: { host }, body: request });
      const own = (await client.capabilities()).host;
      if (host !== own) {
        throw new ProtocolError('HOST_NOT_FOUND', `this bot drives the lone daemon on ${own}; it cannot run on ${host}`, {
          fix: 'run the bot against a mesh hub (`cb-telegram --hub URL`, or `mesh serve` starts it) to dispatch to other hosts',
        });
      }
      return client.createJob(request);
    },
    board: () => call(TaskSchema.array(), { method: 'GET', path: isHub ? '/api/board' : '/api/relay/board', query: { status: OPEN_TASKS } }),
    hosts: async () => (isHub ? call(HostSchema.array(), { method: 'GET', path: '/api/hosts' }) : []),
  };
}
