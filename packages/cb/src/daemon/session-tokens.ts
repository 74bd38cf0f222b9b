import type { MiddlewareHandler } from 'hono';
import { generateToken, TOKEN_COOKIE } from '@flotilla/kit/http';

/**
 * Tokens minted by `cb serve`, one per invocation, held only in the daemon's memory: the printed
 * URL carries one, never the long-lived token from the token file. They end when the daemon stops.
 */
export interface SessionTokens {
  issue(): string;
  all(): readonly string[];
}

export function createSessionTokens(): SessionTokens {
  const tokens: string[] = [];
  return {
    issue() {
      const token = generateToken();
      tokens.push(token);
      return token;
    },
    all: () => tokens,
  };
}

/**
 * A browser that opened `…/?token=T` (already verified by the security middleware) gets T as an
 * HttpOnly cookie and is redirected to the same URL without it, so the token leaves the address bar.
 */
export function tokenToCookie(): MiddlewareHandler {
  return async (c, next) => {
    const token = c.req.query('token');
    const wantsPage = c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html');
    if (token === undefined || !wantsPage) return next();
    const url = new URL(c.req.url);
    url.searchParams.delete('token');
    c.header('set-cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    return c.redirect(url.pathname + url.search, 302);
  };
}
