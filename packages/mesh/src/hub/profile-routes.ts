/** `/api/profiles`: the roles, skill tags and `auto` flag each session declares. */
import { Hono } from 'hono';
import { DeclareProfileRequestSchema, ProtocolError, SessionNameSchema } from '@flotilla/protocol';
import type { CallerOf } from './caller.js';
import type { ProfileStore } from './profile-store.js';
import { jsonBody, routeErrorHandler } from './board-routes-http.js';

export interface ProfileRoutesOptions {
  store: ProfileStore;
  caller: CallerOf;
  /** The host a session runs on, for a profile a person declares (an agent's is its own host); null when unknown. */
  sessionHost?: (session: string) => Promise<string | null>;
}

/**
 * The profile routes, to mount at `/api/profiles`. An agent declares only its own session's profile.
 *
 * @example app.route('/api/profiles', profileRoutes({ store: profiles, caller, sessionHost: (name) => fleet.hostOf(name) }));
 */
export function profileRoutes(options: ProfileRoutesOptions): Hono {
  const app = new Hono();
  app.onError(routeErrorHandler);
  app.get('/', async (c) => c.json(await options.store.list()));
  app.put('/:session', async (c) => {
    const parsed = SessionNameSchema.safeParse(c.req.param('session'));
    if (!parsed.success) throw new ProtocolError('VALIDATION_FAILED', `session: ${parsed.error.issues[0]?.message ?? 'invalid name'}`);
    const session = parsed.data;
    const request = await jsonBody(c, DeclareProfileRequestSchema);
    const who = options.caller(c);
    if (who.kind === 'agent' && who.session !== session) {
      throw new ProtocolError('FORBIDDEN', `an agent may declare only its own session's profile, not ${session}'s`, {
        fix: 'run `mesh profile` (or `cb profile`) from inside that session, or as the user',
      });
    }
    const host = who.kind === 'agent' ? who.host : ((await options.store.get(session))?.host ?? (await options.sessionHost?.(session)) ?? null);
    return c.json(await options.store.declare(session, host, request));
  });
  return app;
}
