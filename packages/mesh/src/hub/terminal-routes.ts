/**
 * `GET /api/sessions/:ref/terminal` (`name` or `name@host`) and `GET /api/jobs/:id/terminal` on the
 * hub: the live terminal of a session or job on any host, passed through to that host's daemon over
 * its link. The hub checks everything a lone daemon checks for its own users — Host, Origin and
 * the token (the security middleware, upgrades included) — and one thing more: `?input=1` needs the
 * hub's own token (Bearer or `?token=`, never the page's cookie nor a viewer token), because the
 * hub reaches the daemon over its socket, where the daemon trusts it with input. Without it the
 * daemon is asked for a read-only stream and refuses every keystroke itself. The daemon keeps the
 * pane's size; a viewer's `resize` passes through and is ignored there.
 */
import { Hono, type Context } from 'hono';
import { hasOwnerToken } from '@flotilla/kit/http';
import { isProtocolError, ProtocolError, TERMINAL_ERROR_HEADER } from '@flotilla/protocol';
import { findJob, findSession, reachable, requireHost } from './fleet-proxy.js';
import type { HostConnection } from './host-connection.js';
import type { Hub } from './hub.js';
import { upgradeClaim } from './terminal-upgrade.js';

export function terminalRoutes(hub: Hub, token: string): Hono {
  const app = new Hono();
  app.get('/sessions/:ref/terminal', (c) =>
    refusing(c, async () => {
      const { host, name } = findSession(hub, c.req.param('ref'));
      return passOn(c, requireHost(hub, host), `/api/sessions/${encodeURIComponent(name)}/terminal`);
    }),
  );
  app.get('/jobs/:id/terminal', (c) =>
    refusing(c, async () => {
      const job = findJob(hub, c.req.param('id'));
      return passOn(c, requireHost(hub, job.host), `/api/jobs/${job.id}/terminal`);
    }),
  );

  /** Hands an upgrade to the listener that passes it through; a plain GET gets the daemon's own answer. */
  async function passOn(c: Context, connection: HostConnection, path: string): Promise<Response> {
    // The token is checked first, as the daemon does: a browser learns why an upgrade failed only from a plain GET.
    const input = c.req.query('input');
    const wantsInput = input === '1' || input === 'true';
    if (wantsInput && !hasOwnerToken(c, token)) {
      throw new ProtocolError('UNAUTHORIZED', "terminal input through the hub needs the hub's own token; the page's cookie or a viewer link is read-only", {
        fix: 'send "Authorization: Bearer <token>" or ?token= with the token from the hub\'s FLOTILLA_HOME/hub-token; or drop ?input=1 to watch',
      });
    }
    const transport = reachable(connection);
    const query: Record<string, string> = wantsInput ? { input: '1' } : {};
    const claim = upgradeClaim(c.env);
    if (claim && c.req.header('upgrade')?.toLowerCase() === 'websocket') {
      const socket = connection.daemonSocket();
      if (socket === null) {
        throw new ProtocolError('CONFLICT', `${connection.name} has no cb daemon the hub is attached to, so no live terminal there`, {
          fix: connection.host().mode === 'tmux' ? `it is driven through tmux: open it with \`mesh attach\`` : 'the hub reconnects by itself (see `mesh hosts ls`)',
        });
      }
      claim({ path: wantsInput ? `${path}?input=1` : path, open: () => connection.link().openStream(socket) });
      // The listener answers the upgrade itself once the daemon accepted it; this reply is never sent.
      return c.body(null, 204);
    }
    const res = await transport.request({ method: 'GET', path, query });
    return c.json(res.body as object, res.status as 400);
  }
  return app;
}

/** As the daemon does: a refused upgrade carries no body, so the error envelope also rides in a header. */
async function refusing(c: Context, fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (error) {
    if (!isProtocolError(error)) throw error;
    const envelope = error.toEnvelope();
    return c.json(envelope, error.status as 400, { [TERMINAL_ERROR_HEADER]: encodeURIComponent(JSON.stringify(envelope)) });
  }
}
