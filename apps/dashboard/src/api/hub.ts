import {
  AgentProfileSchema,
  errorFromEnvelope,
  HostSchema,
  MessageSchema,
  TaskSchema,
  type AddHostRequest,
  type AddTaskRequest,
  type AgentProfile,
  type Host,
  type Message,
  type Task,
  type TaskListQuery,
  type Transport,
  type TransportRequest,
} from '@flotilla/protocol';
import type { z } from 'zod';

/**
 * The hub's resources (`mesh serve`): hosts, the board, the channel and direct messages, agent
 * profiles. The protocol's client speaks what a lone daemon and a hub share; these calls exist only
 * on a hub, so the page makes them only when `/api/capabilities` says it talks to one. Every answer
 * is parsed with the protocol's schemas, and errors are the protocol's errors (same envelope).
 */
export interface HubClient {
  hosts(): Promise<Host[]>;
  addHost(request: AddHostRequest): Promise<Host>;
  removeHost(name: string): Promise<void>;
  board(query?: TaskListQuery): Promise<Task[]>;
  task(ref: string): Promise<Task>;
  addTask(request: AddTaskRequest): Promise<Task>;
  approveTask(ref: string): Promise<Task>;
  /** Channel posts after `after` (a channel `seq`), oldest first. */
  channel(query?: { after?: number; limit?: number }): Promise<Message[]>;
  post(text: string): Promise<Message>;
  /** A direct message to a session name or `@role`. */
  sendMessage(to: string, text: string): Promise<Message>;
  profiles(): Promise<AgentProfile[]>;
}

export function createHubClient(transport: Transport): HubClient {
  async function call<T extends z.ZodType>(schema: T, req: TransportRequest): Promise<z.infer<T>> {
    const res = await transport.request(req);
    if (res.status >= 400) throw errorFromEnvelope(res.status, res.body);
    return schema.parse(res.body);
  }
  const task = (ref: string) => `/api/board/${encodeURIComponent(ref)}`;
  return {
    hosts: () => call(HostSchema.array(), { method: 'GET', path: '/api/hosts' }),
    addHost: (body) => call(HostSchema, { method: 'POST', path: '/api/hosts', body }),
    async removeHost(name) {
      const res = await transport.request({ method: 'DELETE', path: `/api/hosts/${encodeURIComponent(name)}` });
      if (res.status >= 400) throw errorFromEnvelope(res.status, res.body);
    },
    board: (query = {}) =>
      call(TaskSchema.array(), {
        method: 'GET',
        path: '/api/board',
        query: { status: query.status?.join(','), tag: query.tag, for: query.for, holder: query.holder },
      }),
    task: (ref) => call(TaskSchema, { method: 'GET', path: task(ref) }),
    addTask: (body) => call(TaskSchema, { method: 'POST', path: '/api/board', body }),
    approveTask: (ref) => call(TaskSchema, { method: 'POST', path: `${task(ref)}/approve` }),
    channel: (query = {}) => call(MessageSchema.array(), { method: 'GET', path: '/api/channel', query: { ...query } }),
    post: (text) => call(MessageSchema, { method: 'POST', path: '/api/channel', body: { text } }),
    sendMessage: (to, text) => call(MessageSchema, { method: 'POST', path: '/api/messages', body: { to, text } }),
    profiles: () => call(AgentProfileSchema.array(), { method: 'GET', path: '/api/profiles' }),
  };
}
