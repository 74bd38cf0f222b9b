/**
 * The relay: what `cb board …` and `cb msg …` ask the local daemon, passed on to the mesh hub with
 * the caller's identity. Board calls go straight through (and fail at once when no hub is
 * connected); messages and channel posts go through the durable outbox. Claims made for a job or
 * session are remembered, renewed while the holder lives, and supply the fencing token to
 * done/fail/handoff when the agent does not give one.
 */
import {
  ClaimNamedTaskResponseSchema,
  ClaimTaskResponseSchema,
  MessageSchema,
  ProtocolError,
  TaskSchema,
  type AddTaskRequest,
  type ClaimNamedTaskRequest,
  type ClaimTaskRequest,
  type ClaimTaskResponse,
  type Message,
  type Task,
  type TaskListQuery,
  type TransportResponse,
} from '@flotilla/protocol';
import { isProtocolError } from '@flotilla/protocol';
import type { AgentAccess } from './access.js';
import { createHubClient, type HubClient } from './hub-client.js';
import { callerName, holderOf, identityHeaders, SENDER_ID_HEADER, type RelayCaller } from './identity.js';
import { createOutbox, type Outbox, type OutboxTiming } from './outbox.js';
import type { RefusedMessage } from './refusals.js';
import { createRenewals, type Renewals } from './renewals.js';
import type { RelayClaim, RelayPath, RelayStore } from './store.js';

/**
 * The lease asked for with every claim. Renewed every third of it while the holder runs, so it only
 * matters when renewals stop: a holder whose daemon died keeps its task this long at most (a hub
 * that loses this host freezes the lease instead).
 */
export const DEFAULT_LEASE_MS = 5 * 60_000;
/** How often tokens of ended jobs and sessions are revoked in the database (each use checks anyway). */
const SWEEP_MS = 60_000;

export interface ClaimInput {
  tags?: string[];
  leaseMs?: number;
}

export interface FinishInput {
  token?: number;
  note: string;
}

export interface HandoffInput extends FinishInput {
  to: string;
  branch?: string;
  jobId?: string;
}

export interface Relay {
  list(caller: RelayCaller, query: TaskListQuery): Promise<Task[]>;
  add(caller: RelayCaller, request: AddTaskRequest): Promise<Task>;
  get(caller: RelayCaller, ref: string): Promise<Task>;
  claim(caller: RelayCaller, input: ClaimInput): Promise<ClaimTaskResponse>;
  /** This one task (the hub refuses it CONFLICT, with the reason, when it is not claimable); remembered and renewed as any claim. */
  claimNamed(caller: RelayCaller, ref: string, input: Omit<ClaimInput, 'tags'>): Promise<{ task: Task }>;
  finish(caller: RelayCaller, ref: string, outcome: 'done' | 'fail', input: FinishInput): Promise<Task>;
  handoff(caller: RelayCaller, ref: string, input: HandoffInput): Promise<Task>;
  /** A message or channel post: the hub's answer, or `{queued: true, id, reason, waitedMs}` (202) when the hub did not take it yet. */
  post(caller: RelayCaller, path: RelayPath, body: Record<string, unknown>): Promise<{ status: number; body: unknown }>;
  channel(caller: RelayCaller, query: { after?: number; limit?: number }): Promise<Message[]>;
  /** The claims remembered on this host: all of them for the user, its own for an agent. */
  claims(caller: RelayCaller): Promise<RelayClaim[]>;
  readonly renewals: Renewals;
  readonly outbox: Outbox;
  start(): void;
  close(): void;
}

export interface RelayOptions {
  store: RelayStore;
  access: AgentAccess;
  host: string;
  home: string;
  hub?: HubClient;
  leaseMs?: number;
  outboxTiming?: Partial<OutboxTiming>;
  /** A queued message the hub refused later (see refusals.ts: the daemon tells the user and the sending session). */
  onRefused?: (refused: RefusedMessage) => Promise<void>;
}

export function createRelay(options: RelayOptions): Relay {
  const { store, access, host } = options;
  const hub = options.hub ?? createHubClient({ home: options.home });
  const outbox = createOutbox({ store, hub, timing: options.outboxTiming, ...(options.onRefused ? { onRefused: options.onRefused } : {}) });
  const renewals = createRenewals({ store, hub, access });
  const headers = (caller: RelayCaller) => identityHeaders(caller, host);
  const taskPath = (ref: string, action = '') => `/api/board/${encodeURIComponent(ref)}${action}`;
  let sweeper: NodeJS.Timeout | null = null;

  /** The fencing token to use: the one given, else the one this caller's remembered claim holds. */
  async function tokenFor(caller: RelayCaller, ref: string, given: number | undefined): Promise<{ token: number; claim: RelayClaim | null }> {
    const claim = await store.findClaim(ref);
    const mine = claim !== null && (caller.kind === 'user' || (await ownedBy(claim, caller))) ? claim : null;
    if (given !== undefined) return { token: given, claim: mine };
    if (mine) return { token: mine.token, claim: mine };
    throw new ProtocolError('BAD_REQUEST', `no claim of task ${ref} by ${callerName(caller)} is remembered on this host`, {
      fix: `pass the token from "cb board claim --json" with --token N, or claim the task first`,
    });
  }

  /** Remembers a claim made for this caller, so that it is renewed while the holder lives and finished with its token. */
  async function remember(caller: RelayCaller, task: Task, leaseMs: number): Promise<void> {
    const tokenHash = caller.kind === 'user' ? null : caller.tokenHash;
    const at = new Date().toISOString();
    await store.saveClaim({ taskId: task.id, taskKey: task.key, token: task.token, leaseMs, tokenHash, holder: holderOf(caller, host), claimedAt: at, renewedAt: null });
    renewals.reschedule();
  }

  async function ownedBy(claim: RelayClaim, caller: Exclude<RelayCaller, { kind: 'user' }>): Promise<boolean> {
    if (claim.tokenHash === null) return false;
    const record = await store.findAgentToken(claim.tokenHash);
    return record?.ownerId === caller.ownerId;
  }

  /** A write that ends the holding: forget the claim when it went through or is no longer ours. */
  async function ending(claim: RelayClaim | null, write: () => Promise<Task>): Promise<Task> {
    try {
      const task = await write();
      if (claim) await store.forgetClaim(claim.taskId);
      return task;
    } catch (error) {
      if (claim && isProtocolError(error) && ['STALE_TOKEN', 'NOT_FOUND'].includes(error.code)) await store.forgetClaim(claim.taskId);
      throw error;
    } finally {
      renewals.reschedule();
    }
  }

  return {
    renewals,
    outbox,
    list: (caller, query) =>
      hub.call(TaskSchema.array(), { method: 'GET', path: '/api/board', headers: headers(caller), query: { ...query, status: query.status?.join(',') } }),
    add: (caller, request) => hub.call(TaskSchema, { method: 'POST', path: '/api/board', headers: headers(caller), body: { ...request, by: callerName(caller) } }),
    get: (caller, ref) => hub.call(TaskSchema, { method: 'GET', path: taskPath(ref), headers: headers(caller) }),
    async claim(caller, input) {
      const leaseMs = input.leaseMs ?? options.leaseMs ?? DEFAULT_LEASE_MS;
      const request: ClaimTaskRequest = { holder: holderOf(caller, host), leaseMs, ...(input.tags?.length ? { tags: input.tags } : {}), ...(caller.kind === 'session' ? { for: [caller.name] } : {}) };
      const answer = await hub.call(ClaimTaskResponseSchema, { method: 'POST', path: '/api/board/claim', headers: headers(caller), body: request });
      if (answer.task) await remember(caller, answer.task, leaseMs);
      return answer;
    },
    async claimNamed(caller, ref, input) {
      const leaseMs = input.leaseMs ?? options.leaseMs ?? DEFAULT_LEASE_MS;
      const request: ClaimNamedTaskRequest = { holder: holderOf(caller, host), leaseMs, ...(caller.kind === 'session' ? { for: [caller.name] } : {}) };
      const answer = await hub.call(ClaimNamedTaskResponseSchema, { method: 'POST', path: taskPath(ref, '/claim'), headers: headers(caller), body: request });
      await remember(caller, answer.task, leaseMs);
      return answer;
    },
    async finish(caller, ref, outcome, input) {
      const { token, claim } = await tokenFor(caller, ref, input.token);
      return ending(claim, () => hub.call(TaskSchema, { method: 'POST', path: taskPath(ref, `/${outcome}`), headers: headers(caller), body: { token, note: input.note } }));
    },
    async handoff(caller, ref, input) {
      const { token, claim } = await tokenFor(caller, ref, input.token);
      const jobId = input.jobId ?? (caller.kind === 'job' ? caller.ownerId : undefined);
      const body = { token, to: input.to, note: input.note, ...(input.branch ? { branch: input.branch } : {}), ...(jobId ? { jobId } : {}) };
      return ending(claim, () => hub.call(TaskSchema, { method: 'POST', path: taskPath(ref, '/handoff'), headers: headers(caller), body }));
    },
    async post(caller, path, body) {
      const sender: Record<string, string> = caller.kind === 'user' ? {} : { [SENDER_ID_HEADER]: caller.ownerId };
      const outcome = await outbox.send(path, { ...body, from: callerName(caller) }, { ...headers(caller), ...sender });
      if (!outcome.sent) return { status: 202, body: { queued: true, id: outcome.message.key, reason: outcome.reason, waitedMs: outcome.waitedMs } };
      return hubAnswer(outcome.response);
    },
    channel: (caller, query) => hub.call(MessageSchema.array(), { method: 'GET', path: '/api/channel', headers: headers(caller), query }),
    async claims(caller) {
      const all = await store.claims();
      if (caller.kind === 'user') return all;
      const mine = await Promise.all(all.map((claim) => ownedBy(claim, caller)));
      return all.filter((_, i) => mine[i]);
    },
    start() {
      renewals.reschedule();
      void outbox.drain();
      sweeper = setInterval(() => void access.sweep().catch(() => undefined), SWEEP_MS);
      sweeper.unref();
    },
    close() {
      if (sweeper) clearInterval(sweeper);
      renewals.close();
      outbox.close();
    },
  };
}

/** The hub's answer to a message, checked against the protocol when it is a success. */
function hubAnswer(response: TransportResponse): { status: number; body: unknown } {
  if (response.status >= 400) return { status: response.status, body: response.body };
  return { status: response.status, body: MessageSchema.parse(response.body) };
}
