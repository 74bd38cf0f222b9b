import { z } from 'zod';
import { errorFromEnvelope } from './errors.js';
import { DoctorReportSchema, type DoctorReport } from './resources.js';
import {
  AgentProfileSchema,
  MessageSchema,
  type AgentProfile,
  type ChannelPostRequest,
  type DeclareProfileRequest,
  type Message,
  type SendMessageRequest,
} from './mesh.js';
import type { Transport, TransportRequest } from './transport.js';

/** Direct messages to one session (name) or role (`@reviewer`): after a message id, at most `limit`. */
export const MessageListQuerySchema = z.object({
  /** Messages addressed to this target or delivered to this session (channel mentions included). */
  to: z.string().min(1).max(128).optional(),
  /** A message id: only later messages. Without it, the latest ones. */
  after: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().positive().max(1000).optional(),
});
export type MessageListQuery = z.infer<typeof MessageListQuerySchema>;

/** The channel's posts after a sequence number (oldest first); without `after`, the latest ones. */
export const ChannelQuerySchema = z.object({
  after: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().positive().max(1000).optional(),
});
export type ChannelQuery = z.infer<typeof ChannelQuerySchema>;

/** The hub's messages, channel and agent profiles over an injected transport; errors are `ProtocolError`s. */
export interface MeshClient {
  /** Stores the message (201) and starts delivering it; its deliveries say how far each got. */
  sendMessage(request: SendMessageRequest): Promise<Message>;
  listMessages(query?: MessageListQuery): Promise<Message[]>;
  channel(query?: ChannelQuery): Promise<Message[]>;
  /** A channel post; every `@session` and `@role` mentioned gets a delivery. */
  postToChannel(request: ChannelPostRequest): Promise<Message>;
  listProfiles(): Promise<AgentProfile[]>;
  /** Sets a session's roles, skill tags and `auto`; fields left out keep their value. */
  declareProfile(session: string, request: DeclareProfileRequest): Promise<AgentProfile>;
  /**
   * A fleet host's `cb doctor`, run by its own daemon and relayed by the hub (`report.host` is the
   * fleet's name). A host without a daemon (bare, not attached yet) is a 503 `DAEMON_UNAVAILABLE`,
   * an unreachable one `HOST_UNREACHABLE`, an unknown one `HOST_NOT_FOUND`.
   */
  hostDoctor(host: string): Promise<DoctorReport>;
}

/**
 * @example
 * const mesh = createMeshClient(createHttpTransport(hubUrl, { token }));
 * await mesh.sendMessage({ to: '@reviewer', text: 'AUTH-12 is ready for review' });
 */
export function createMeshClient(transport: Transport): MeshClient {
  async function call<T extends z.ZodType>(schema: T, req: TransportRequest): Promise<z.infer<T>> {
    const res = await transport.request(req);
    if (res.status >= 400) throw errorFromEnvelope(res.status, res.body);
    return schema.parse(res.body);
  }
  return {
    sendMessage: (body) => call(MessageSchema, { method: 'POST', path: '/api/messages', body }),
    listMessages: (query = {}) => call(MessageSchema.array(), { method: 'GET', path: '/api/messages', query: { ...query } }),
    channel: (query = {}) => call(MessageSchema.array(), { method: 'GET', path: '/api/channel', query: { ...query } }),
    postToChannel: (body) => call(MessageSchema, { method: 'POST', path: '/api/channel', body }),
    listProfiles: () => call(AgentProfileSchema.array(), { method: 'GET', path: '/api/profiles' }),
    declareProfile: (session, body) =>
      call(AgentProfileSchema, { method: 'PUT', path: `/api/profiles/${encodeURIComponent(session)}`, body }),
    hostDoctor: (host) => call(DoctorReportSchema, { method: 'GET', path: `/api/hosts/${encodeURIComponent(host)}/doctor` }),
  };
}
