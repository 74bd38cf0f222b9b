/**
 * Who a relayed request is from, and how the hub is told: identity headers (which the hub trusts
 * only on this host's own reverse link, and whose host it forces to that link's), a holder for
 * claims, and the name used as `from` / `by`.
 */
import type { TaskHolder } from '@flotilla/protocol';
import type { AgentCaller } from './access.js';

/** The user (the CLI over the daemon's socket, or the daemon's own token) or an agent with a job token. */
export type RelayCaller = { kind: 'user' } | AgentCaller;

export const IDENTITY_HEADERS = {
  host: 'x-flotilla-agent-host',
  job: 'x-flotilla-agent-job',
  session: 'x-flotilla-agent-session',
} as const;
export const IDEMPOTENCY_HEADER = 'x-flotilla-idempotency-key';
/**
 * Kept with a queued message, never sent: the sending job's or session's id, so a refusal the hub
 * gives later is told to that very session even when a newer one has taken its name.
 */
export const SENDER_ID_HEADER = 'x-flotilla-relay-sender-id';

/** The name the hub shows for the caller: the session's name, `job-<short id>`, or `user`. */
export function callerName(caller: RelayCaller): string {
  return caller.kind === 'user' ? 'user' : caller.name;
}

export function identityHeaders(caller: RelayCaller, host: string): Record<string, string> {
  const headers: Record<string, string> = { [IDENTITY_HEADERS.host]: host };
  if (caller.kind === 'job') headers[IDENTITY_HEADERS.job] = caller.ownerId;
  if (caller.kind === 'session') headers[IDENTITY_HEADERS.session] = caller.name;
  return headers;
}

export function holderOf(caller: RelayCaller, host: string): TaskHolder {
  if (caller.kind === 'job') return { who: caller.name, host, jobId: caller.ownerId };
  if (caller.kind === 'session') return { who: caller.name, host, sessionId: caller.ownerId };
  return { who: 'user', host };
}
