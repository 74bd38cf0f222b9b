/**
 * Who may call the daemon: the usual guard (the socket's owner, or the daemon's token over TCP),
 * or an agent with its job's capability token (`Authorization: Bearer fjt_…`, on the socket or
 * TCP). A job token opens the relay (`/api/relay/*`) and reads of the agent's own job or session,
 * nothing else (403, in words); an unknown, revoked or ended one gets 401.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { createSecurityMiddleware, type SecureAppOptions } from '@flotilla/kit/http';
import { ProtocolError } from '@flotilla/protocol';
import { JOB_TOKEN_PREFIX, type AgentAccess, type AgentCaller } from '../../relay/access.js';
import type { RelayCaller } from '../../relay/identity.js';

export type RelayEnv = { Variables: { agentCaller?: AgentCaller } };

/** The caller of a request that passed the gate: the agent behind its job token, else the user. */
export function relayCaller(c: Context): RelayCaller {
  return (c.get('agentCaller') as AgentCaller | undefined) ?? { kind: 'user' };
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Whether a job token may make this request: the relay, and GETs of its own job or session. */
export function inScope(method: string, path: string, caller: AgentCaller): boolean {
  if (path === '/api/relay' || path.startsWith('/api/relay/') || path === '/health') return true;
  if (method !== 'GET') return false;
  const [, api, resource, id, ...rest] = path.split('/');
  if (api !== 'api' || id === undefined || rest.length > 1) return false;
  const own = decodeURIComponent(id);
  if (caller.kind === 'job') return resource === 'jobs' && own === caller.ownerId && (rest.length === 0 || ['log', 'transcript', 'diff', 'wait'].includes(rest[0]!));
  return resource === 'sessions' && own === caller.name && (rest.length === 0 || ['peek', 'log'].includes(rest[0]!));
}

/**
 * The daemon's hono app with its guard: `createSecureApp`'s, plus job tokens when `access` is given.
 * Host and Origin are checked for job tokens as for everyone.
 */
export function createGatedApp(access: AgentAccess | null, options: Omit<SecureAppOptions, 'requireToken'>): Hono {
  const app = new Hono();
  const guard = createSecurityMiddleware({ ...options, requireToken: true });
  if (!access) {
    app.use('*', guard);
    return app;
  }
  const hostOnly = createSecurityMiddleware({ ...options, token: undefined, extraTokens: undefined, requireToken: false });
  const gate: MiddlewareHandler<RelayEnv> = async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token?.startsWith(JOB_TOKEN_PREFIX)) return guard(c, next);
    return hostOnly(c, async () => {
      const caller = await access.verify(token);
      if (!inScope(c.req.method, c.req.path, caller)) {
        throw new ProtocolError('FORBIDDEN', `a job token may not ${c.req.method} ${c.req.path}: it opens the board, messages and its own ${caller.kind} only`, {
          fix: caller.kind === 'job' ? `read your own job at /api/jobs/${caller.ownerId}; use cb board / cb msg for the rest` : `read your own session at /api/sessions/${caller.name}; use cb board / cb msg for the rest`,
        });
      }
      c.set('agentCaller', caller);
      await next();
    });
  };
  app.use('*', gate as unknown as MiddlewareHandler);
  return app;
}
