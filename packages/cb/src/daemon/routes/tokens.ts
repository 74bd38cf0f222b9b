/**
 * `GET /api/tokens`: the browsers signed in through `cb serve` links, by fingerprint;
 * `DELETE /api/tokens/:id`: sign one out (a lost phone), its cookie refused from the next request.
 */
import { Hono } from 'hono';
import { TOKEN_COOKIE } from '@flotilla/kit/http';
import { ProtocolError } from '@flotilla/protocol';
import type { SessionTokens } from '@flotilla/kit/web';

export function browserTokenRoutes(tokens: SessionTokens): Hono {
  const app = new Hono();
  app.get('/', (c) => c.json(tokens.browsers(cookieToken(c.req.header('cookie')))));
  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    if (!/^[0-9a-f]{12}$/.test(id)) throw new ProtocolError('BAD_REQUEST', `not a token fingerprint: ${JSON.stringify(id.slice(0, 40))}`, { fix: 'use an id from GET /api/tokens' });
    if (!(await tokens.revoke(id))) throw new ProtocolError('NOT_FOUND', `no browser token ${id}`, { fix: 'list them with GET /api/tokens' });
    return c.json(tokens.browsers(cookieToken(c.req.header('cookie'))));
  });
  return app;
}

function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return value.join('=');
  }
  return undefined;
}
