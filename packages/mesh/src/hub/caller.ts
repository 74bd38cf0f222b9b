import type { Context } from 'hono';

/**
 * Who is asking the hub: the user (the owner's token, the CLI socket, a signed-in browser) or an
 * agent (a per-job capability token, relayed by its host's daemon). The hub's auth decides which;
 * the board and message routes only read it, to apply the hub-side scopes:
 * - an agent claims as itself (its host, job and session are filled in; another host is refused);
 * - an agent's new tasks are `proposed` until a user approves them; only a user approves;
 * - an agent's messages and channel posts carry its own name as `from`;
 * - an agent declares only its own session's profile.
 */
export type Caller = UserCaller | AgentCaller;

export interface UserCaller {
  kind: 'user';
}

export interface AgentCaller {
  kind: 'agent';
  /** The host the agent runs on (the host whose daemon relayed the request). */
  host: string;
  jobId?: string;
  /** The session's name, for an agent in an interactive session. */
  session?: string;
}

/** Reads the caller of a request; set by the hub from the request's credentials. */
export type CallerOf = (c: Context) => Caller;

/** The name an agent speaks and claims as: its session's name, else its job id, else `agent`. */
export function agentName(caller: AgentCaller): string {
  return caller.session ?? caller.jobId ?? 'agent';
}
